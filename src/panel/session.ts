// One open trace on the host side: the table posted to the webview, and the answers to its
// requests (details, whole values, search). Pure: no vscode, so component tests and benchmarks
// drive the same code the panel runs.
import { readModelCall, requestMayHoldAnswers } from '../model/adapters/read';
import { signatureWarnings, type Turn } from '../model/call/signatures';
import { spanCalls } from '../model/adapters/spanCalls';
import type { ModelCall } from '../model/call/types';
import { pauseHere, runSliced, runToEnd, type SliceOptions, type Steps } from '../shared/steps';
import type { Span, Trace } from '../model/types';
import { Haystacks, searchSteps, warmSteps, type SearchOptions, type SearchResult } from './search';
import { fullValueText, spanDetails } from './details';
import type { MediaResult } from '../contract/protocol';
import { presentPart, type AttachmentFetch } from './mediaSource';
import type { Requests, TraceHeader, TracePayload, ValueRef } from '../contract/protocol';
import { F, type SpanTable } from '../contract/spanTable';
import { buildHeader, tableSteps } from './viewModel';
import { packTable } from '../contract/wireTable';
import type { DirectTable } from './directTable';
import { PostedTable } from './postedTable';

interface Layout {
  order: Span[];
  table: SpanTable;
  /** The table as posted already (a direct table the session adopts), else packed when posted. */
  posted?: PostedTable;
}

function* layoutSteps(trace: Trace): Steps<Layout> {
  // Trace.spans is the table's order already: depth-first in tree order (model/spanTree.ts).
  const order = trace.spans;
  return { order, table: yield* tableSteps(trace, order) };
}

/** Why a table drawn from the raw span list (directTable.ts) is not the one the normalised trace
 *  gives, or undefined when it is: its rows (by id, in order) and its header must match. */
function directMismatch(trace: Trace, direct: DirectTable, url: string | undefined): string | undefined {
  const t = direct.table;
  if (t.n !== trace.spans.length) return `${t.n} rows for ${trace.spans.length} spans`;
  for (let i = 0; i < t.n; i++) if (t.ids[i] !== trace.spans[i].id) return `row ${i} is span ${t.ids[i]}, not ${trace.spans[i].id}`;
  const a = JSON.stringify(buildHeader(direct.trace, t, url));
  const b = JSON.stringify(buildHeader(trace, t, url));
  return a === b ? undefined : `its header differs: ${a.slice(0, 200)} against ${b.slice(0, 200)}`;
}

/** The session of each trace the trace store still holds (keyed weakly: a trace it evicts takes its
 *  session along). A panel opened again on a trace reuses its layout, its packed pieces and its
 *  history check instead of redoing them: for 300,000 spans about 0.3–0.8 s of layout, 0.2 s of
 *  packing and 0.25 s of checking, and host work while the table crosses to the page delays its
 *  arrival about as much (see panelHost.ts' history check). */
const kept = new WeakMap<Trace, TraceSession>();

/** Whether a call's request holds the model's earlier answers: its warnings then need the calls
 *  before it (dropped thought signatures). */
export function resendsAnswers(call: ModelCall | undefined): call is ModelCall {
  return !!call?.request.some((m) => m.role === 'model' || m.role === 'assistant');
}

function* resendsSteps(spans: readonly Span[]): Steps<boolean> {
  for (let i = 0; i < spans.length; i++) {
    if (requestMayHoldAnswers(spans[i]) && resendsAnswers(readModelCall(spans[i]))) return true;
    if (pauseHere(i, 128)) yield i / spans.length;
  }
  return false;
}

export class TraceSession {
  readonly order: Span[];
  readonly table: SpanTable;
  /** The table as posted (see postedTable.ts). */
  private readonly posted: PostedTable;
  private readonly spanAt = (i: number): Span => this.order[i];
  private readonly haystacks = new Haystacks(this.spanAt);
  /** Per model-call span, what only the whole trace can tell (dropped thought signatures). */
  private turnWarnings: Map<string, string[]> | undefined;
  /** The turns before this trace in its session or run (earlier traces), when the host found them. */
  private prior: Turn[] = [];
  /** Whether a model call resends history, once checked (see resendsHistory). */
  private resends: boolean | undefined;

  /** The session of `trace` built before (for the same MLflow page), or a new one, built in slices.
   *  `direct`: the table the panel drew from the trace's raw span list, adopted (with its packed
   *  pieces) when it is the trace's own; `mismatch` hears why not, when it is not. */
  static async of(trace: Trace, mlflowUrl: string | undefined, o?: SliceOptions, direct?: { table: DirectTable; posted: PostedTable; mismatch: (why: string) => void }): Promise<TraceSession> {
    const had = kept.get(trace);
    if (had && had.mlflowUrl === mlflowUrl) return had;
    const why = direct && directMismatch(trace, direct.table, mlflowUrl);
    if (direct && why) direct.mismatch(why);
    const s = direct && !why ? new TraceSession(trace, mlflowUrl, { order: trace.spans, table: direct.table.table, posted: direct.posted }) : await TraceSession.sliced(trace, mlflowUrl, o);
    kept.set(trace, s);
    return s;
  }

  /** A session built in slices that give the event loop back (see shared/steps.ts). */
  static async sliced(trace: Trace, mlflowUrl: string | undefined, o?: SliceOptions): Promise<TraceSession> {
    return new TraceSession(trace, mlflowUrl, await runSliced(layoutSteps(trace), o));
  }

  constructor(
    readonly trace: Trace,
    readonly mlflowUrl?: string,
    layout: Layout = runToEnd(layoutSteps(trace)),
  ) {
    this.order = layout.order;
    this.table = layout.table;
    this.posted = layout.posted ?? new PostedTable(layout.table, () => this.header());
  }

  header(): TraceHeader {
    return buildHeader(this.trace, this.table, this.mlflowUrl);
  }

  payload(revision: number, focusSpanId?: string): TracePayload {
    return this.posted.payload(revision, focusSpanId);
  }

  /** The table as posted: whole, or for a large trace in pieces (see postedTable.ts). */
  payloads(revision: number, focusSpanId?: string): Generator<TracePayload> {
    return this.posted.payloads(revision, focusSpanId);
  }

  /** This session's table as the preview of a larger trace of `total` spans (its top, read
   *  first: TraceGetOptions.preview), posted as a first piece so the page draws it while the
   *  whole trace is read. The header's totals are MLflow's for the whole trace where it has them;
   *  the critical path is left out, as only the whole trace tells it. */
  previewPayload(revision: number, total: number, focusSpanId?: string): TracePayload {
    const s = this.trace.summary;
    const header: TraceHeader = { ...this.header(), spanCount: total, warnings: [] };
    if (s.usage) header.usage = s.usage;
    if (s.cost) header.cost = s.cost;
    if (s.models.length) header.models = s.models;
    const table: SpanTable = { ...this.table, flags: this.table.flags.map((f) => f & ~F.critical) };
    return { header, table: packTable(table), revision, focusSpanId, from: 0 };
  }

  details(spanId: string): Requests['spanDetails']['result'] {
    // By id, then its row: a scan of the order by identity (~0.3 ms at 300,000 spans) instead of
    // a map from id to row built for every span before the table could be posted.
    const span = this.trace.byId.get(spanId);
    const i = span ? this.order.indexOf(span) : -1;
    if (!span || i < 0) throw new Error(`Span ${spanId} is not in trace ${this.trace.summary.id}.`);
    return spanDetails(this.trace, span, i, undefined, this.callOf(span));
  }

  /** The span's model call with the warnings that need the calls before it. The trace's calls are
   *  read once, and only when a call resends history (so most spans never pay for it). */
  private callOf(span: Span): ModelCall | undefined {
    const call = readModelCall(span);
    if (!resendsAnswers(call)) return call;
    if (!this.turnWarnings) {
      const turns = spanCalls(this.trace);
      const warnings = signatureWarnings([...this.prior, ...turns.map((t) => ({ label: t.span.name, call: t.call }))]).slice(this.prior.length);
      this.turnWarnings = new Map(turns.map((t, k) => [t.span.id, warnings[k]]));
    }
    const more = this.turnWarnings.get(span.id);
    return more?.length ? { ...call, warnings: [...call.warnings, ...more] } : call;
  }

  /** A media part as the webview shows it; `attachments` fetches MLflow trace attachments. */
  media(ref: ValueRef, attachments?: AttachmentFetch, signal?: AbortSignal): Promise<MediaResult> {
    return presentPart(this.trace, ref, attachments, signal);
  }

  /** Earlier turns of the same conversation, from earlier traces (first first): a request here
   *  that resends one of their answers without its thought signature is then warned about. */
  setPriorTurns(turns: Turn[]): void {
    this.prior = turns;
    this.turnWarnings = undefined;
  }

  /** Whether the turns before this trace were found (setPriorTurns). */
  get hasPriorTurns(): boolean {
    return this.prior.length > 0;
  }

  /** Whether any model call of this trace resends the model's earlier answers (history). It reads
   *  every span's model call (0.1 s for 100,000 spans, 0.25 s for 300,000), so it runs in slices,
   *  and once per session. */
  async resendsHistory(o?: SliceOptions): Promise<boolean> {
    return (this.resends ??= await runSliced(resendsSteps(this.trace.spans), o));
  }

  /** Lets go of what only searches reuse (up to HAYSTACK_BUDGET characters of text): the session
   *  outlives its panel while the trace store keeps the trace. */
  dropSearchText(): void {
    this.haystacks.drop();
  }

  fullValue(ref: ValueRef): string {
    return fullValueText(this.trace, ref);
  }

  /** The rows that match `query` (see search.ts). */
  search(query: string): SearchResult {
    return runToEnd(searchSteps(query, this.table, this.spanAt, this.haystacks));
  }

  /** Builds the search's text ahead of a first search (search.ts warmSteps), in slices. */
  warmSearch(o?: SliceOptions): Promise<void> {
    return runSliced(warmSteps(this.table.n, this.haystacks), o);
  }

  /** search() in slices that give the event loop back. */
  searchSliced(query: string, o?: SearchOptions): Promise<SearchResult> {
    return runSliced(searchSteps(query, this.table, this.spanAt, this.haystacks, o?.onMatch), o);
  }
}

