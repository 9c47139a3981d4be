// Full traces, fetched once and shared by the tree, the panel, diffs and CodeLens.
// Concurrent requests for one trace share one fetch; a bounded LRU keeps memory flat. Only
// finished traces stay cached. A fetch under way when the connection changes (another server, new
// credentials) is cancelled before its next request and made again on the new connection: its
// callers get the trace from there.
import type * as vscode from 'vscode';
import { isMlflowError } from '../mlflow/errors';
import { EarlySpans } from '../model/earlySpans';
import { normalizeTrace, normalizeTraceSliced, isTraceError } from '../model/normalize';
import type { Trace } from '../model/types';
import { runSliced } from '../shared/steps';
import { topOfTreeSteps } from '../model/topOfTree';
import type { Connection, TraceGetOptions, TraceStore } from './services';

const CAPACITY = 50;
/** Spans kept across the cached traces: a 300,000-span trace holds ~1.2 GB of the extension host,
 *  so a second one evicts the first (least recently used first; the newest always stays). */
const MAX_CACHED_SPANS = 400_000;

export class TraceStoreImpl implements TraceStore {
  private readonly cache = new Map<string, Promise<Trace>>();
  /** Spans of each cached trace that has been read. */
  private readonly spans = new WeakMap<Promise<Trace>, number>();

  constructor(
    private readonly connection: Connection,
    private readonly log: Pick<vscode.LogOutputChannel, 'info' | 'warn'>,
    /** Spans kept across cached traces (smaller in tests). */
    private readonly maxCachedSpans = MAX_CACHED_SPANS,
  ) {
    connection.onDidChange(() => this.invalidate());
  }

  get(traceId: string, opts: TraceGetOptions = {}): Promise<Trace> {
    const hit = this.cache.get(traceId);
    if (hit && !opts.force) {
      this.cache.delete(traceId); // re-insert: most recently used last
      this.cache.set(traceId, hit);
      return hit;
    }
    const p = this.load(traceId, opts);
    this.cache.set(traceId, p);
    // A trace still in progress (a background run, a Live session) gains spans: callers that ask
    // again get it afresh (those waiting on this fetch share it), so none is served a partial copy
    // after it finished.
    p.then(
      (t) => {
        if ((t.status === 'IN_PROGRESS' || t.summary.state === 'IN_PROGRESS') && this.cache.get(traceId) === p) this.cache.delete(traceId);
        else if (this.cache.get(traceId) === p) this.keepWithin(p, t.spans.length);
      },
      () => this.cache.get(traceId) === p && this.cache.delete(traceId),
    );
    while (this.cache.size > CAPACITY) this.cache.delete(this.cache.keys().next().value as string);
    return p;
  }

  /** Records a read trace's size and evicts the least recently used others past MAX_CACHED_SPANS. */
  private keepWithin(p: Promise<Trace>, n: number): void {
    this.spans.set(p, n);
    this.makeRoom(p, n);
  }

  /** Evicts the least recently used traces other than `p` until `n` spans fit with the rest:
   *  called with a trace's raw span count before it is normalised too, so a large trace's read
   *  does not run with the last large trace still cached beside it. */
  private makeRoom(p: Promise<Trace> | undefined, n: number): void {
    let total = n;
    for (const q of this.cache.values()) if (q !== p) total += this.spans.get(q) ?? 0;
    for (const [id, q] of this.cache) {
      if (total <= this.maxCachedSpans) break;
      if (q === p) continue;
      total -= this.spans.get(q) ?? 0;
      this.cache.delete(id);
    }
  }

  invalidate(traceId?: string): void {
    if (traceId) this.cache.delete(traceId);
    else this.cache.clear();
  }

  private async load(traceId: string, opts: TraceGetOptions, again = false): Promise<Trace> {
    const { signal, onProgress, preview } = opts;
    const client = this.connection.client();
    try {
      const tf = Date.now();
      // A large trace's spans are read as they arrive, in the time spent waiting for the rest.
      const early = new EarlySpans();
      const full = await client.getTrace(traceId, { signal, spans: early });
      const fetchMs = Date.now() - tf;
      this.connection.report(true);
      const spans = full.data.spans;
      const count = Array.isArray(spans) ? spans.length.toLocaleString('en-US') : 'the';
      if (Array.isArray(spans)) this.makeRoom(this.cache.get(traceId), spans.length);
      if (preview && Array.isArray(spans) && spans.length > preview.fromSpans) await this.preview(full.info, spans, early, preview, signal);
      // In slices: the extension host is shared, and a 100,000-span trace takes seconds to read.
      const t0 = Date.now();
      const t = await normalizeTraceSliced(
        { info: full.info, spans, early },
        { signal, onProgress: (f) => onProgress?.(`Reading ${count} spans… ${Math.round(f * 100)} %`), yieldTo: preview?.yieldTo },
      );
      // Where a slow open's time went (bench/panel-open.mjs reads this line).
      if (Date.now() - tf > 500) this.log.info(`trace ${traceId}: ${count} spans fetched and parsed in ${fetchMs} ms, read in ${Date.now() - t0} ms`);
      if (isTraceError(t)) throw new Error(`Trace ${traceId} could not be read: ${t.error}`);
      for (const w of t.warnings) this.log.warn(`trace ${traceId}: ${w}`);
      return t;
    } catch (e) {
      // Cancelled though nobody asked: the connection changed under it (connection.ts drops the
      // old client). Once more, from the new one.
      if (!again && isMlflowError(e) && e.kind === 'cancelled' && !signal?.aborted) return this.load(traceId, opts, true);
      this.connection.report(false, e);
      throw e;
    }
  }

  /** The top of a large trace's tree, read on its own, then the whole raw list (see
   *  TraceGetOptions.preview). A preview that cannot be read is skipped: the whole trace follows
   *  and says what was wrong. */
  private async preview(info: unknown, spans: unknown[], early: EarlySpans, p: NonNullable<TraceGetOptions['preview']>, signal: AbortSignal | undefined): Promise<void> {
    const top = await runSliced(topOfTreeSteps(spans, p.rows), { signal });
    const t = top && normalizeTrace({ info, spans: top });
    try {
      if (t && !isTraceError(t)) await p.show(t, spans.length);
      await p.whole?.(info, spans, early);
    } catch {
      /* a head start only: the whole trace follows */
    }
  }
}
