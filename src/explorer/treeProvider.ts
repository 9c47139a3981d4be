// The Traces view's data provider: experiments › runs › traces › spans, loaded lazily, paged,
// cached until refresh, and updated in place by the live poll (a change event on the run or
// experiment node that changed, never on the whole tree).
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import type { Experiment } from '../mlflow/types';
import { isMlflowError } from '../mlflow/errors';
import { GEMINI_TAG } from '../model/runTags';
import type { TraceSummary } from '../model/types';
import type { Services, TracedRun } from '../core/services';
import { compileFilter, isEmptyFilter, type TraceFilter } from './filter';
import { IncrementalPoll, type PollResult } from './incremental';
import { NodeCache } from './nodeCache';
import { groupConversations, isConversation } from './conversations';
import { ConversationNode, ExperimentNode, MessageNode, RunNode, SpanNode, TraceNode, type LoadMoreNode, type Node } from './nodes';
import { ExperimentTraces, OTHER_RUN } from './traceSource';
import { treeItem, type ItemContext } from './treeItems';
import { ExperimentResolver } from './experiments';
import { errorMessage } from '../shared/errors';

/** Older runs looked up in the background after an experiment's first page, and per click. */
const PREFETCH_RUNS = 5;
const MORE_RUNS = 10;

export class TraceTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  private readonly stateChanges = new vscode.EventEmitter<void>();
  /** Filter, run scope or emptiness changed (the view description and context keys follow). */
  readonly onDidChangeState = this.stateChanges.event;

  readonly experiments: ExperimentResolver;
  private filterValue: TraceFilter = {};
  private currentRun = false;
  private data = new Map<string, ExperimentTraces>();
  private readonly nodes = new NodeCache();
  private live: IncrementalPoll;
  private rootEmpty = false;
  private anyTraces: Promise<boolean> | undefined;
  private rootFailed = false;
  /** Traces that arrived live and have not been opened: the view badge counts them. */
  readonly unseen = new Set<string>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    const api = () => services.connection.client();
    this.experiments = new ExperimentResolver(api, services.connection);
    this.live = new IncrementalPoll(api);
    this.subs.push(
      this.changes,
      this.stateChanges,
      services.connection.onDidChange(() => this.onConnectionChange()),
      services.runs.onDidChange(() => this.onRunsChange()),
    );
  }

  get filter(): TraceFilter {
    return this.filterValue;
  }
  get filterString(): string | undefined {
    return compileFilter(this.filterValue);
  }
  get currentRunOnly(): boolean {
    return this.currentRun;
  }
  get isEmpty(): boolean {
    return this.rootEmpty;
  }

  setFilter(f: TraceFilter): void {
    this.filterValue = isEmptyFilter(f) ? {} : { ...f };
    this.reload();
  }

  setCurrentRunOnly(on: boolean): void {
    this.currentRun = on;
    this.changes.fire(undefined);
    this.stateChanges.fire();
  }

  /** Forget every cached list and ask VS Code for the tree again. */
  reload(): void {
    this.data.clear();
    this.nodes.clearBelowExperiments();
    this.experiments.invalidate();
    this.anyTraces = undefined;
    this.live = new IncrementalPoll(() => this.services.connection.client());
    this.services.traces.invalidate();
    this.changes.fire(undefined);
    this.stateChanges.fire();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return treeItem(node, this.itemContext);
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    try {
      if (!node) return await this.rootChildren();
      if (node instanceof ExperimentNode) return await this.experimentChildren(node);
      if (node instanceof RunNode) return await this.runChildren(node);
      if (node instanceof ConversationNode) return node.traces.map((s) => this.nodes.trace(node, s));
      if (node instanceof TraceNode) return await this.traceChildren(node);
      if (node instanceof SpanNode) return this.nodes.spans(node, node.span.children);
      return [];
    } catch (e) {
      this.services.connection.report(false, e);
      const msg = errorMessage(e);
      this.services.log.warn(`explorer: loading ${node?.id ?? 'experiments'} failed: ${msg}`);
      if (!node) {
        // Unreachable or refused: an empty root lets the welcome view explain and offer fixes.
        this.rootFailed = true;
        if (this.services.connection.state === 'down' || this.services.connection.state === 'unauthorized') return [];
      }
      const badFilter = isMlflowError(e) && e.kind === 'bad-request' && this.filterString;
      return [
        new MessageNode(node, badFilter ? `The filter was rejected: ${msg}` : `Could not load: ${msg}`, 'error', msg,
          badFilter ? { command: COMMAND.setFilter, title: 'Edit Filter' } : { command: COMMAND.refresh, title: 'Retry' }),
      ];
    }
  }

  // ---- levels ---------------------------------------------------------------------------

  private async rootChildren(): Promise<Node[]> {
    const state = this.services.connection.state;
    if (state === 'down' || state === 'unauthorized') {
      // Empty, so the welcome view for this state explains it and offers the fixes. The live
      // poll (or Refresh) probes the server and brings the tree back when it answers.
      this.rootFailed = true;
      return [];
    }
    this.rootFailed = false;
    const list = await this.experiments.list();
    this.services.connection.report(true);
    const configured = await this.experiments.configured();
    let shown = list.experiments;
    if (this.currentRun) {
      const run = this.services.runs.latest;
      if (!run) return [new MessageNode(undefined, 'No traced run in this window yet: start one, or show all runs.', 'info', undefined, { command: COMMAND.allRuns, title: 'Show All Runs' })];
      const id = await this.experiments.idForRun(run);
      shown = shown.filter((e) => e.experiment_id === id);
      if (!shown.length) return [new MessageNode(undefined, `Waiting for the first trace of ${run.name}…`, 'loading')];
    } else {
      // Asked once per reload; a live arrival clears it.
      this.anyTraces ??= this.experiments.anyTraces(list.experiments.map((e) => e.experiment_id)).catch((e) => {
        this.anyTraces = undefined;
        throw e;
      });
      const empty = isEmptyFilter(this.filterValue) && !(await this.anyTraces);
      this.setEmpty(empty);
      if (empty) return [];
    }
    const nodes: Node[] = shown.map((e) => this.nodes.experiment(e, e.experiment_id === configured?.experiment_id));
    if (list.hasMore && !this.currentRun) nodes.push(this.nodes.more(undefined, 'experiments'));
    return nodes;
  }

  private async experimentChildren(node: ExperimentNode): Promise<Node[]> {
    const data = this.dataFor(node.experimentId);
    for (const run of this.windowRunsOf(node.experiment)) data.addKnownRun({ id: run.id, name: run.name, startedMs: run.startedAt.getTime() });
    if (this.currentRun) {
      const latest = this.services.runs.latest;
      const info = latest && data.runs.get(latest.id);
      return info ? [this.nodes.run(this.isActive, node, info, true)] : [];
    }
    await data.ensureRuns();
    // The newest traces are known now: a later poll must not report them as new.
    this.live.seed(data.discoveredTraces);
    this.live.markBaselined(node.experimentId);
    const runs = data.sortedRuns();
    if (!runs.length) {
      return [new MessageNode(node, isEmptyFilter(this.filterValue) ? 'No traces in this experiment yet' : 'No traces match the filter', 'info', undefined,
        isEmptyFilter(this.filterValue) ? undefined : { command: COMMAND.clearFilter, title: 'Clear Filter' })];
    }
    const nodes: Node[] = runs.map((r, i) => this.nodes.run(this.isActive, node, r, i === 0));
    if (data.hasMoreRuns) {
      if (data.prefetched) nodes.push(this.nodes.more(node, 'runs'));
      else {
        // Show these runs now; look for a few older ones in the background (one row each).
        data.prefetched = true;
        void data.discoverRuns(PREFETCH_RUNS).then(
          () => this.changes.fire(node),
          (e: unknown) => this.services.log.debug(`explorer: looking for older runs failed: ${errorMessage(e)}`),
        );
      }
    }
    return nodes;
  }

  private async runChildren(node: RunNode): Promise<Node[]> {
    const list = this.dataFor(node.experimentId).list(node.run.id);
    await list.ensureFirst();
    this.live.seed(list.items);
    this.live.markBaselined(node.experimentId);
    const nodes: Node[] = groupConversations(list.items).map((e) => (isConversation(e) ? this.nodes.conversation(node, e.conversationId, e.traces, e.session) : this.nodes.trace(node, e)));
    if (!nodes.length) {
      return [new MessageNode(node, node.active ? 'Waiting for traces…' : isEmptyFilter(this.filterValue) ? 'No traces' : 'No traces match the filter', node.active ? 'loading' : 'info')];
    }
    if (list.hasMore) nodes.push(this.nodes.more(node, 'traces'));
    return nodes;
  }

  private async traceChildren(node: TraceNode): Promise<Node[]> {
    const trace = await this.services.traces.get(node.traceId);
    this.services.connection.report(true);
    if (!node.summary.name && trace.roots[0]) queueMicrotask(() => this.changes.fire(node)); // label from the root span
    return this.nodes.spans(node, trace.roots);
  }

  // ---- paging -----------------------------------------------------------------------------

  async loadMore(node: LoadMoreNode): Promise<void> {
    if (node.loading) return;
    node.loading = true;
    this.changes.fire(node);
    try {
      if (node.what === 'traces' && node.parent instanceof RunNode) {
        const list = this.dataFor(node.parent.experimentId).list(node.parent.run.id);
        await list.loadNext();
        this.live.seed(list.items);
      } else if (node.what === 'runs' && node.parent instanceof ExperimentNode) {
        await this.dataFor(node.parent.experimentId).discoverRuns(MORE_RUNS);
      } else {
        await this.experiments.loadMore();
      }
      this.services.connection.report(true);
    } catch (e) {
      this.services.connection.report(false, e);
      void vscode.window.showErrorMessage(`Gemini Trace: loading more failed: ${errorMessage(e)}`);
    } finally {
      node.loading = false;
      this.nodes.forgetMore(node);
      this.changes.fire(node.parent instanceof ExperimentNode || node.parent instanceof RunNode ? node.parent : undefined);
    }
  }

  // ---- live -------------------------------------------------------------------------------

  /** Experiments a live poll should watch: loaded ones, the configured one, active runs'. */
  async watchedExperimentIds(): Promise<string[]> {
    const ids = new Set(this.data.keys());
    // Errors propagate: an unreachable server must fail the poll, not pass as "nothing new".
    const configured = await this.experiments.configured();
    if (configured) ids.add(configured.experiment_id);
    for (const run of this.services.runs.active) {
      const id = await this.experiments.idForRun(run);
      if (id) ids.add(id);
    }
    if (this.rootEmpty) for (const e of this.experiments.cachedList()) ids.add(e.experiment_id);
    return [...ids].slice(0, 100);
  }

  /** Traces in progress that the live poll still re-reads. */
  get livePending(): boolean {
    return this.live.pending;
  }

  /** One incremental poll; applies what it found to the tree and returns the new traces. */
  async pollOnce(signal?: AbortSignal): Promise<PollResult> {
    const ids = await this.watchedExperimentIds();
    if (!ids.length) {
      // Nothing to watch yet (no experiment exists): still find out whether the server answers.
      await this.services.connection.client().health({ signal });
      return { added: [], updated: [], overflow: false, rows: 0, baseline: [] };
    }
    const live = this.live;
    const result = await live.poll(ids, this.filterString, { signal });
    if (live !== this.live) return { ...result, added: [], updated: [] }; // reloaded meanwhile
    if (result.overflow) {
      this.services.log.info('explorer: many traces arrived at once; reloading the lists');
      this.reload();
    } else {
      // Baseline traces are not new (no badge), but a list loaded just before they landed lacks
      // them: they go in like the rest (on an empty server this shows its first traces).
      this.apply([...result.baseline, ...result.added, ...result.updated]);
    }
    for (const t of result.added) this.unseen.add(t.id);
    return result;
  }

  private apply(traces: TraceSummary[]): void {
    if (!traces.length) return;
    if (this.rootEmpty || this.rootFailed) {
      this.anyTraces = undefined;
      this.setEmpty(false);
      this.changes.fire(undefined);
      return;
    }
    const byExp = new Map<string, TraceSummary[]>();
    for (const t of traces) if (t.experimentId) byExp.set(t.experimentId, [...(byExp.get(t.experimentId) ?? []), t]);
    for (const [expId, ts] of byExp) {
      const expNode = this.nodes.experimentNode(expId);
      if (!expNode) {
        if (!this.experiments.cachedList().some((e) => e.experiment_id === expId)) {
          this.experiments.invalidate(); // a new experiment appeared
          this.changes.fire(undefined);
        }
        continue;
      }
      const data = this.data.get(expId);
      if (!data?.runsLoaded) continue;
      const { changedRuns, runsChanged } = data.insert(ts);
      for (const t of ts) {
        const node = this.nodes.traceNode(t.id);
        if (node) {
          // A trace that finished (a background run observed to its end) has new spans: read them again.
          if (node.summary.state === 'IN_PROGRESS' && t.state !== 'IN_PROGRESS') this.services.traces.invalidate(t.id);
          node.summary = t;
          this.changes.fire(node);
        }
      }
      if (runsChanged) this.changes.fire(expNode);
      else for (const runId of changedRuns) this.changes.fire(this.nodes.runNode(expId, runId) ?? expNode);
    }
  }

  /** A trace was opened (or selected): it no longer counts as new. */
  markSeen(traceIds: Iterable<string>): boolean {
    let changed = false;
    for (const id of traceIds) {
      if (this.unseen.delete(id)) {
        changed = true;
        const n = this.nodes.traceNode(id);
        if (n) this.changes.fire(n);
      }
    }
    return changed;
  }

  /** After a delete: drop the traces from every list, refresh only the runs that held them. */
  removeTraces(ids: ReadonlySet<string>): void {
    this.live.forget(ids);
    for (const id of ids) {
      this.unseen.delete(id);
      this.nodes.forgetTrace(id);
      this.services.traces.invalidate(id);
    }
    for (const [expId, data] of this.data) {
      for (const runId of data.remove(ids)) {
        const n = this.nodes.runNode(expId, runId);
        this.changes.fire(n ?? this.nodes.experimentNode(expId));
      }
    }
  }

  // ---- node caches ---------------------------------------------------------------------------

  private dataFor(experimentId: string): ExperimentTraces {
    let d = this.data.get(experimentId);
    if (!d) {
      d = new ExperimentTraces(() => this.services.connection.client(), experimentId, this.filterString);
      this.data.set(experimentId, d);
    }
    return d;
  }

  /** Run nodes whose trace lists are loaded (for re-rendering relative times). */
  loadedRunNodes(): RunNode[] {
    return this.nodes.runNodes().filter((n) => this.data.get(n.experimentId)?.loadedList(n.run.id)?.loaded);
  }

  refreshNode(node: Node | undefined): void {
    this.changes.fire(node);
  }

  findTraceNode(traceId: string): TraceNode | undefined {
    return this.nodes.traceNode(traceId);
  }

  /** Trace nodes of traces still in progress, whose elapsed time the view keeps current. */
  runningTraceNodes(): TraceNode[] {
    return this.nodes.traceNodes().filter((n) => n.summary.state === 'IN_PROGRESS' && n.summary.tags[GEMINI_TAG.unfinished] !== 'true');
  }

  /** Loaded trace summaries, for the model quick pick and tests. */
  loadedSummaries(): TraceSummary[] {
    return this.nodes.traceNodes().map((n) => n.summary);
  }

  private readonly itemContext: ItemContext = {
    rootSpanName: (traceId) => this.nodes.rootSpanName(traceId),
    isNew: (traceId) => this.unseen.has(traceId),
    now: () => Date.now(),
  };

  private readonly isActive = (runId: string) => runId !== OTHER_RUN && this.services.runs.active.some((r) => r.id === runId);

  private windowRunsOf(e: Experiment): TracedRun[] {
    return this.services.runs.all.filter((r) => this.experiments.runExperimentName(r) === e.name);
  }

  private setEmpty(empty: boolean): void {
    if (empty === this.rootEmpty) return;
    this.rootEmpty = empty;
    this.stateChanges.fire();
  }

  private onConnectionChange(): void {
    const state = this.services.connection.state;
    if (state === 'connecting') {
      // New server, experiment or credentials: everything cached belongs to the old one.
      this.reload();
    } else if (state === 'up' && this.rootFailed) {
      // Back after an outage (perhaps a restarted or restored server): what was cached may be
      // stale, e.g. a list read while the server was coming back. Read everything again.
      this.rootFailed = false;
      this.reload();
    } else if ((state === 'down' || state === 'unauthorized') && !this.rootFailed) {
      this.rootFailed = true;
      this.changes.fire(undefined);
    }
  }

  private onRunsChange(): void {
    // A run started or ended: show it (even before its first trace) and update "running".
    for (const n of this.nodes.experimentNodes()) {
      const data = this.data.get(n.experimentId);
      if (!data?.runsLoaded && !this.currentRun) continue;
      this.changes.fire(n);
    }
    if (this.currentRun) this.changes.fire(undefined);
    this.stateChanges.fire();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}

