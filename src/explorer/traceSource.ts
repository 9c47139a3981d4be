// The explorer's data: per experiment, the traced runs found so far and, per run, a paged list of
// its traces. MLflow has no "list runs" for traces, so runs are discovered from the newest traces
// (100 at a time, each further page excluding runs already known) and each run's traces come
// from a search on its run-id tag. Nothing is fetched until a node is expanded, nothing is
// fetched twice until refresh, and nothing ever fetches a whole experiment.
// Pure TypeScript (no vscode): the benchmarks drive it directly against a real server.
import type { MlflowApi, RequestOptions } from '../mlflow/api';
import type { TraceInfo } from '../mlflow/types';
import { TAG } from '../shared/runTags';
import { summarizeTraceInfo } from '../model/summary';
import type { TraceSummary } from '../model/types';
import { andFilters, quoteValue, runClause } from './filter';

export const PAGE_SIZE = 100;
/** Run id used for traces that carry no run tag ("Other traces"). */
export const OTHER_RUN = '';
/** Beyond this many known runs, "load more runs" stops excluding them by name (filter length). */
const MAX_EXCLUDED_RUNS = 200;
const ORDER_NEWEST = ['timestamp_ms DESC'];

export interface RunInfo {
  /** The gemini_trace.run_id tag, or OTHER_RUN. */
  id: string;
  name: string;
  /** From the gemini_trace.run_started tag (or the window's run registry). */
  startedMs?: number;
  /** Newest trace seen for the run, for ordering runs newest first. */
  newestMs: number;
}

export type Api = () => MlflowApi;

/** A paged, cached list of traces for one search filter, newest first. */
export class TraceList {
  items: TraceSummary[] = [];
  private token: string | undefined;
  private started = false;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly api: Api,
    readonly experimentId: string,
    readonly filter: string | undefined,
    private readonly pageSize = PAGE_SIZE,
  ) {}

  get loaded(): boolean {
    return this.started;
  }
  get hasMore(): boolean {
    return !this.started || this.token !== undefined;
  }

  /** First page (once), shared by concurrent callers. */
  ensureFirst(o?: RequestOptions): Promise<void> {
    if (this.started) return Promise.resolve();
    return this.loadNext(o);
  }

  loadNext(o?: RequestOptions): Promise<void> {
    this.inflight ??= (async () => {
      try {
        if (this.started && this.token === undefined) return;
        const page = await this.api().searchTraces(
          { experimentIds: [this.experimentId], filter: this.filter, orderBy: ORDER_NEWEST, maxResults: this.pageSize, pageToken: this.token },
          o,
        );
        const known = new Set(this.items.map((t) => t.id));
        // A live insert may already hold a trace the next page also returns.
        for (const info of page.traces) {
          const s = summarize(info, this.experimentId);
          if (!known.has(s.id)) this.items.push(s);
        }
        this.token = page.nextPageToken || undefined;
        this.started = true;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  /** Live arrivals (any order): inserted by time, newest first; returns those that were new. */
  insert(traces: TraceSummary[]): TraceSummary[] {
    const byId = new Map(this.items.map((t, i) => [t.id, i]));
    const added: TraceSummary[] = [];
    // One entry per id even if `traces` repeats one (the later is newer): a running trace listed
    // twice made a "conversation" of itself and hid its row in that group until a reload.
    for (const t of new Map(traces.map((x) => [x.id, x])).values()) {
      const i = byId.get(t.id);
      if (i !== undefined) this.items[i] = t; // an in-progress trace finished
      else added.push(t);
    }
    if (added.length) {
      this.items.push(...added);
      this.items.sort((a, b) => b.requestTimeMs - a.requestTimeMs);
    }
    return added;
  }

  remove(ids: ReadonlySet<string>): boolean {
    const before = this.items.length;
    this.items = this.items.filter((t) => !ids.has(t.id));
    return this.items.length !== before;
  }
}

/** What the tree knows about one experiment: its runs and a trace list per run. */
export class ExperimentTraces {
  readonly runs = new Map<string, RunInfo>();
  private readonly lists = new Map<string, TraceList>();
  private discovered = false;
  private discoveryDone = false;
  private oldestSeenMs = Number.POSITIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private discovering: Promise<unknown> = Promise.resolve();
  /** True when the experiment (under the filter) has no traces at all. */
  empty = false;
  /** The tree looked for a few older runs once, in the background, after the first page. */
  prefetched = false;
  /** Traces the first discovery read (the newest of the experiment): the live poll's seed. */
  discoveredTraces: TraceSummary[] = [];

  constructor(
    private readonly api: Api,
    readonly experimentId: string,
    /** The user's filter, compiled; fixed for this object's life (a new filter makes a new one). */
    readonly filter: string | undefined,
  ) {}

  get runsLoaded(): boolean {
    return this.discovered;
  }
  get hasMoreRuns(): boolean {
    return !this.discoveryDone;
  }

  /** Runs newest first; "Other traces" last. */
  sortedRuns(): RunInfo[] {
    const key = (r: RunInfo) => Math.max(r.newestMs, r.startedMs ?? 0);
    return [...this.runs.values()].sort((a, b) => {
      if (a.id === OTHER_RUN) return 1;
      if (b.id === OTHER_RUN) return -1;
      return key(b) - key(a);
    });
  }

  /** First discovery page plus a probe for untagged traces, in parallel. */
  ensureRuns(o?: RequestOptions): Promise<void> {
    if (this.discovered) return Promise.resolve();
    this.inflight ??= (async () => {
      try {
        const untaggedFilter = andFilters(this.filter, `tags.\`${TAG.runId}\` IS NULL`);
        const [page, untagged] = await Promise.all([
          this.api().searchTraces({ experimentIds: [this.experimentId], filter: this.filter, orderBy: ORDER_NEWEST, maxResults: PAGE_SIZE }, o),
          this.api().searchTraces({ experimentIds: [this.experimentId], filter: untaggedFilter, orderBy: ORDER_NEWEST, maxResults: 1 }, o),
        ]);
        this.absorb(page.traces);
        const extra = untagged.traces.map((info) => summarize(info, this.experimentId));
        for (const s of extra) this.noteRun(s);
        this.discoveredTraces = [...page.traces.map((info) => summarize(info, this.experimentId)), ...extra];
        this.discoveryDone = !page.nextPageToken;
        this.empty = page.traces.length === 0;
        this.discovered = true;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  /**
   * Finds up to `count` older runs, one request each: the newest trace among runs not known yet
   * (`!=` on every known run id, which also skips untagged traces) names the next run. A run of
   * 10,000 traces costs one row, not 100 pages. Returns how many runs it found.
   */
  discoverRuns(count: number, o?: RequestOptions): Promise<number> {
    if (!this.discovered) return this.ensureRuns(o).then(() => 0);
    if (this.discoveryDone) return Promise.resolve(0);
    const run = async () => {
      let found = 0;
      while (found < count && !this.discoveryDone) {
        const known = [...this.runs.keys()].filter((id) => id !== OTHER_RUN);
        const exclude = known.length <= MAX_EXCLUDED_RUNS;
        // With exclusions, `<=` is safe (every hit is a new run, so the cursor moves); without,
        // `<` keeps boundary traces from coming back forever.
        const cursor = Number.isFinite(this.oldestSeenMs) ? `trace.timestamp_ms ${exclude ? '<=' : '<'} ${this.oldestSeenMs}` : undefined;
        const clauses = exclude ? known.map((id) => `tags.\`${TAG.runId}\` != ${quoteValue(id)}`) : [`tags.\`${TAG.runId}\` IS NOT NULL`];
        const page = await this.api().searchTraces(
          { experimentIds: [this.experimentId], filter: andFilters(this.filter, cursor, ...clauses), orderBy: ORDER_NEWEST, maxResults: exclude ? 1 : PAGE_SIZE },
          o,
        );
        const before = this.runs.size;
        this.absorb(page.traces);
        found += this.runs.size - before;
        if (!page.traces.length || (exclude && this.runs.size === before)) this.discoveryDone = true;
      }
      return found;
    };
    // One discovery at a time: a click on "Load older runs" waits for the background one.
    const p = this.discovering.then(run);
    this.discovering = p.catch(() => undefined);
    return p;
  }

  /** The paged trace list of one run (OTHER_RUN: traces without a run tag). */
  list(runId: string): TraceList {
    let l = this.lists.get(runId);
    if (!l) {
      const clause = runId === OTHER_RUN ? `tags.\`${TAG.runId}\` IS NULL` : runClause(runId, TAG.runId);
      l = new TraceList(this.api, this.experimentId, andFilters(this.filter, clause));
      this.lists.set(runId, l);
    }
    return l;
  }

  /** Loaded list of a run, if any (no request). */
  loadedList(runId: string): TraceList | undefined {
    return this.lists.get(runId);
  }

  /** Adds a run the window knows about (it may have no traces on the server yet). */
  addKnownRun(run: { id: string; name: string; startedMs: number }): boolean {
    if (this.runs.has(run.id)) return false;
    this.runs.set(run.id, { id: run.id, name: run.name, startedMs: run.startedMs, newestMs: run.startedMs });
    return true;
  }

  /**
   * Live arrivals for this experiment. Returns the run ids whose loaded lists changed and
   * whether the set of runs changed (then the experiment node must re-render).
   */
  insert(traces: TraceSummary[]): { changedRuns: Set<string>; runsChanged: boolean } {
    const order = () => this.sortedRuns().map((r) => r.id).join('\n');
    const before = order();
    const changedRuns = new Set<string>();
    const byRun = new Map<string, TraceSummary[]>();
    for (const t of traces) {
      const id = runIdOf(t);
      this.noteRun(t);
      byRun.set(id, [...(byRun.get(id) ?? []), t]);
    }
    for (const [id, ts] of byRun) {
      // A list not loaded yet fetches them when expanded; a loaded one takes them in place.
      this.lists.get(id)?.insert(ts);
      changedRuns.add(id); // at least its description (newest time) changed
    }
    if (traces.length) this.empty = false;
    return { changedRuns, runsChanged: order() !== before };
  }

  /** Drops deleted traces from every loaded list; returns the run ids that changed. */
  remove(ids: ReadonlySet<string>): string[] {
    const changed: string[] = [];
    for (const [runId, l] of this.lists) if (l.remove(ids)) changed.push(runId);
    return changed;
  }

  private absorb(infos: TraceInfo[]): void {
    for (const info of infos) {
      const s = summarize(info, this.experimentId);
      this.noteRun(s);
      if (s.requestTimeMs > 0) this.oldestSeenMs = Math.min(this.oldestSeenMs, s.requestTimeMs);
    }
  }

  private noteRun(s: TraceSummary): void {
    const id = runIdOf(s);
    const r = this.runs.get(id);
    if (r) {
      r.newestMs = Math.max(r.newestMs, s.requestTimeMs);
      if (r.startedMs === undefined) r.startedMs = runStartedOf(s);
      return;
    }
    this.runs.set(id, {
      id,
      name: id === OTHER_RUN ? 'Other traces' : s.tags[TAG.runName] || id,
      startedMs: id === OTHER_RUN ? undefined : runStartedOf(s),
      newestMs: s.requestTimeMs,
    });
  }
}

export function runIdOf(s: TraceSummary): string {
  return s.tags[TAG.runId] || OTHER_RUN;
}

function runStartedOf(s: TraceSummary): number | undefined {
  const v = s.tags[TAG.runStarted];
  const ms = v ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Summaries always know their experiment, even when the server leaves the location out. */
export function summarize(info: TraceInfo, experimentId: string): TraceSummary {
  const s = summarizeTraceInfo(info);
  return s.experimentId ? s : { ...s, experimentId };
}
