// The Traces view's data provider: experiments › runs › traces › spans, loaded lazily
// (treeLevels.ts), paged (treePaging.ts), cached until refresh (treeState.ts), and updated in
// place by the live poll (treeLive.ts).
import * as vscode from 'vscode';
import type { Services } from '../core/services';
import { GEMINI_TAG } from '../shared/runTags';
import type { TraceSummary } from '../model/types';
import type { ExperimentResolver } from './experiments';
import { isEmptyFilter, type TraceFilter } from './filter';
import type { PollResult } from './incremental';
import type { LoadMoreNode, Node, RunNode, TraceNode } from './nodes';
import { treeItem, type ItemContext } from './treeItems';
import { childrenOf } from './treeLevels';
import { markSeen, pollOnce, removeTraces, watchedExperimentIds } from './treeLive';
import { loadMore } from './treePaging';
import { TreeState } from './treeState';

export class TraceTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  private readonly stateChanges = new vscode.EventEmitter<void>();
  /** Filter, run scope or emptiness changed (the view description and context keys follow). */
  readonly onDidChangeState = this.stateChanges.event;
  private readonly state: TreeState;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    this.state = new TreeState(services, (node) => this.changes.fire(node), () => this.stateChanges.fire());
    this.subs.push(
      this.changes,
      this.stateChanges,
      services.connection.onDidChange(() => this.onConnectionChange()),
      services.runs.onDidChange(() => this.onRunsChange()),
    );
  }

  get experiments(): ExperimentResolver {
    return this.state.experiments;
  }
  /** Traces that arrived live and have not been opened: the view badge counts them. */
  get unseen(): Set<string> {
    return this.state.unseen;
  }
  get filter(): TraceFilter {
    return this.state.filter;
  }
  get filterString(): string | undefined {
    return this.state.filterString;
  }
  get currentRunOnly(): boolean {
    return this.state.currentRun;
  }
  get isEmpty(): boolean {
    return this.state.rootEmpty;
  }
  /** Traces in progress that the live poll still re-reads. */
  get livePending(): boolean {
    return this.state.live.pending;
  }

  setFilter(f: TraceFilter): void {
    this.state.filter = isEmptyFilter(f) ? {} : { ...f };
    this.reload();
  }

  setCurrentRunOnly(on: boolean): void {
    this.state.currentRun = on;
    this.changes.fire(undefined);
    this.stateChanges.fire();
  }

  /** Forget every cached list and ask VS Code for the tree again. */
  reload(): void {
    this.state.reload();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return treeItem(node, this.itemContext);
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  getChildren(node?: Node): Promise<Node[]> {
    return childrenOf(this.state, node);
  }

  loadMore(node: LoadMoreNode): Promise<void> {
    return loadMore(this.state, node);
  }

  /** Experiments a live poll should watch: loaded ones, the configured one, active runs'. */
  watchedExperimentIds(): Promise<string[]> {
    return watchedExperimentIds(this.state);
  }

  /** One incremental poll; applies what it found to the tree and returns the new traces. */
  pollOnce(signal?: AbortSignal, signalled = false): Promise<PollResult> {
    return pollOnce(this.state, signal, signalled);
  }

  /** A trace was opened (or selected): it no longer counts as new. */
  markSeen(traceIds: Iterable<string>): boolean {
    return markSeen(this.state, traceIds);
  }

  /** After a delete: drop the traces from every list, refresh only the runs that held them. */
  removeTraces(ids: ReadonlySet<string>): void {
    removeTraces(this.state, ids);
  }

  /** Run nodes whose trace lists are loaded (for re-rendering relative times). */
  loadedRunNodes(): RunNode[] {
    return this.state.nodes.runNodes().filter((n) => this.state.data.get(n.experimentId)?.loadedList(n.run.id)?.loaded);
  }

  refreshNode(node: Node | undefined): void {
    this.changes.fire(node);
  }

  findTraceNode(traceId: string): TraceNode | undefined {
    return this.state.nodes.traceNode(traceId);
  }

  /** Trace nodes of traces still in progress, whose elapsed time the view keeps current. */
  runningTraceNodes(): TraceNode[] {
    return this.state.nodes.traceNodes().filter((n) => n.summary.state === 'IN_PROGRESS' && n.summary.tags[GEMINI_TAG.unfinished] !== 'true');
  }

  /** Loaded trace summaries, for the model quick pick and tests. */
  loadedSummaries(): TraceSummary[] {
    return this.state.nodes.traceNodes().map((n) => n.summary);
  }

  private readonly itemContext: ItemContext = {
    rootSpanName: (traceId) => this.state.nodes.rootSpanName(traceId),
    isNew: (traceId) => this.state.unseen.has(traceId),
    now: () => Date.now(),
  };

  private onConnectionChange(): void {
    const state = this.services.connection.state;
    if (state === 'connecting') {
      // New server, experiment or credentials: everything cached belongs to the old one.
      this.reload();
    } else if (state === 'up' && this.state.rootFailed) {
      // Back after an outage (perhaps a restarted or restored server): what was cached may be
      // stale, e.g. a list read while the server was coming back. Read everything again.
      this.state.rootFailed = false;
      this.reload();
    } else if ((state === 'down' || state === 'unauthorized') && !this.state.rootFailed) {
      this.state.rootFailed = true;
      this.changes.fire(undefined);
    }
  }

  private onRunsChange(): void {
    // A run started or ended: show it (even before its first trace) and update "running".
    for (const n of this.state.nodes.experimentNodes()) {
      const data = this.state.data.get(n.experimentId);
      if (!data?.runsLoaded && !this.state.currentRun) continue;
      this.changes.fire(n);
    }
    if (this.state.currentRun) this.changes.fire(undefined);
    this.stateChanges.fire();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
