// One incremental live poll: "traces newer than what I have seen", never the whole list.
//
// A trace's timestamp is when it *started*; it reaches the server when it *ends* (and the
// exporter flushes). So a slow trace can land after faster, newer ones: a plain
// `timestamp_ms > newest` would skip it. The poll therefore looks back a window before the newest
// timestamp seen and excludes, by id, the traces already known inside that window: when nothing
// changed the server returns zero rows, and a late, slow trace is still found. Traces seen in
// progress are re-read by id until they finish, and reported again whenever their name or tags
// change meanwhile: a background run is named over REST after its first spans land (the root that
// carries the name comes last), and a poll that saw it before that would otherwise list it by id
// until it ended.
// Pure TypeScript (no vscode): the live-poll benchmark drives it directly.
import type { RequestOptions } from '../mlflow/api';
import type { TraceSummary } from '../model/types';
import { andFilters, quoteValue } from './filter';
import { summarize, type Api } from './traceSource';

/** How far before the newest seen trace a late arrival is still caught. */
export const LOOKBACK_MS = 120_000;
/** Rows per poll request, and pages per poll before giving up and asking for a reload. */
export const POLL_PAGE = 50;
const MAX_PAGES = 4;
/** Ids excluded server-side (filter length); older known ones are dropped client-side. */
const MAX_EXCLUDED = 200;
const MAX_IN_PROGRESS = 50;
const IN_PROGRESS_TTL_MS = 30 * 60_000;

export interface PollResult {
  /** Traces not seen before, oldest first. */
  added: TraceSummary[];
  /** Known traces that were in progress and finished, or were named or tagged meanwhile. */
  updated: TraceSummary[];
  /** More arrived than one poll reads: the caller should reload the lists instead. */
  overflow: boolean;
  /** Rows the server returned (0 when nothing changed). */
  rows: number;
  /** Traces an experiment's first poll found: they existed before, so they are not "new". */
  baseline: TraceSummary[];
}

export class IncrementalPoll {
  private newestMs = 0;
  /** Known traces near the newest: id → timestamp. */
  private readonly recent = new Map<string, number>();
  /** Traces seen in progress: their experiment, when first seen, and what their row shows (look()). */
  private readonly inProgress = new Map<string, { experimentId: string; since: number; look: string }>();
  /** Experiments whose first poll only records what exists (so old traces never count as new). */
  private readonly baselined = new Set<string>();

  constructor(private readonly api: Api) {}

  /** Traces the tree loaded: never reported as new. */
  seed(traces: readonly TraceSummary[]): void {
    for (const t of traces) this.remember(t);
    this.prune();
  }

  /** Marks experiments whose lists the tree loaded (their traces were seeded). */
  markBaselined(experimentId: string): void {
    this.baselined.add(experimentId);
  }

  /** Traces seen in progress that the next poll re-reads. */
  get pending(): boolean {
    return this.inProgress.size > 0;
  }

  /** The filter the next poll sends, for tests and the benchmark. */
  pollFilter(userFilter: string | undefined, now = Date.now()): string | undefined {
    const newest = [...this.recent.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_EXCLUDED);
    let from = (this.newestMs || now) - LOOKBACK_MS;
    // More known traces in the window than the filter can exclude (busy live runs): start the
    // window at the oldest excluded one, or every poll would return the known traces beyond it.
    if (this.recent.size > MAX_EXCLUDED && newest.length) from = Math.max(from, newest[newest.length - 1][1]);
    const known = newest.map(([id]) => quoteValue(id));
    return andFilters(userFilter, `trace.timestamp_ms >= ${Math.floor(from)}`, known.length ? `trace.request_id NOT IN (${known.join(', ')})` : undefined);
  }

  async poll(experimentIds: readonly string[], userFilter: string | undefined, o?: RequestOptions): Promise<PollResult> {
    const result: PollResult = { added: [], updated: [], overflow: false, rows: 0, baseline: [] };
    if (!experimentIds.length) return result;
    const ids = [...experimentIds];
    const filter = this.pollFilter(userFilter);
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await this.api().searchTraces({ experimentIds: ids, filter, orderBy: ['timestamp_ms ASC'], maxResults: POLL_PAGE, pageToken: token }, o);
      result.rows += page.traces.length;
      for (const info of page.traces) {
        const expId = info.trace_location?.mlflow_experiment?.experiment_id ?? ids[0];
        const s = summarize(info, expId);
        if (this.recent.has(s.id)) continue;
        const isNew = this.baselined.has(expId);
        this.remember(s);
        (isNew ? result.added : result.baseline).push(s);
      }
      token = page.nextPageToken || undefined;
      pages += 1;
    } while (token && pages < MAX_PAGES);
    result.overflow = token !== undefined;
    for (const id of ids) this.baselined.add(id);
    // A trace found just now is re-read with the running ones: named or tagged in between (the
    // preload's REST naming lands tag by tag), it is reported once, as the newer of the two.
    result.updated = (await this.recheckInProgress(userFilter, o)).filter((s) => !(replaceById(result.added, s) || replaceById(result.baseline, s)));
    this.prune();
    return result;
  }

  private async recheckInProgress(userFilter: string | undefined, o?: RequestOptions): Promise<TraceSummary[]> {
    const now = Date.now();
    for (const [id, v] of this.inProgress) if (now - v.since > IN_PROGRESS_TTL_MS) this.inProgress.delete(id);
    if (!this.inProgress.size) return [];
    const byExp = [...new Set([...this.inProgress.values()].map((v) => v.experimentId))];
    const ids = [...this.inProgress.keys()].map(quoteValue).join(', ');
    const page = await this.api().searchTraces(
      { experimentIds: byExp, filter: andFilters(userFilter, `trace.request_id IN (${ids})`), maxResults: MAX_IN_PROGRESS },
      o,
    );
    const updated: TraceSummary[] = [];
    for (const info of page.traces) {
      const s = summarize(info, info.trace_location?.mlflow_experiment?.experiment_id ?? byExp[0]);
      const known = this.inProgress.get(s.id);
      if (s.state !== 'IN_PROGRESS') {
        this.inProgress.delete(s.id);
        updated.push(s);
      } else if (known && known.look !== look(s)) {
        known.look = look(s);
        updated.push(s);
      }
    }
    return updated;
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) {
      this.recent.delete(id);
      this.inProgress.delete(id);
    }
  }

  private remember(t: TraceSummary): void {
    if (t.requestTimeMs > this.newestMs) this.newestMs = t.requestTimeMs;
    this.recent.set(t.id, t.requestTimeMs);
    if (t.state === 'IN_PROGRESS' && t.experimentId && this.inProgress.size < MAX_IN_PROGRESS) {
      this.inProgress.set(t.id, { experimentId: t.experimentId, since: Date.now(), look: look(t) });
    }
  }

  private prune(): void {
    const floor = this.newestMs - LOOKBACK_MS;
    for (const [id, ts] of this.recent) if (ts < floor) this.recent.delete(id);
  }
}

/** Puts `s` in place of the entry with its id; false when `list` has none. */
function replaceById(list: TraceSummary[], s: TraceSummary): boolean {
  const i = list.findIndex((t) => t.id === s.id);
  if (i >= 0) list[i] = s;
  return i >= 0;
}

/** What a running trace's row and its grouping show that can change before it ends. */
function look(t: TraceSummary): string {
  return JSON.stringify([t.name, Object.entries(t.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), t.requestPreview]);
}
