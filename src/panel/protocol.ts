// The typed message protocol between the trace panel host (extension host) and its webview,
// GitLens style: commands (webview → host, no reply), requests (webview → host, one reply each,
// matched by id) and notifications (host → webview). Imported by both sides, so it holds only
// types and plain constants: no `vscode`, no DOM, no Node.
import type { CompareSummary } from '../diff/summary';
import type { Assessment } from '../model/assessments';
import type { SessionKind } from '../model/sessions';
import type { SchemaCheck } from '../model/call/schemaCheck';
import type { ModelCall } from '../model/call/types';
import type { CodeLocation, Cost, SpanStatus, TokenUsage } from '../model/types';
import type { MediaResult } from './media';
import type { WireTable } from './wireTable';

export const VIEW_TYPE = 'geminiTrace.trace';

// ---- the span table: one flat, transferable structure for the whole trace ----------------------

/** Span status codes in `SpanTable.status`. */
export const STATUS_CODES: readonly SpanStatus[] = ['OK', 'ERROR', 'UNSET', 'IN_PROGRESS'];

/** Bits of `SpanTable.flags`. */
export const F = {
  /** The span records its own token usage (a model call). */
  usage: 1,
  /** The span carries `code.filepath`/`code.lineno`. */
  code: 2,
  /** On the trace's critical path. */
  critical: 4,
  /** Its parent was missing; attached at the root. */
  orphan: 8,
  /** Has exception events. */
  exception: 16,
  /** Looks like a Gemini model call (has a model or LLM/CHAT_MODEL type). */
  model: 32,
} as const;

/** Columns of `SpanTable.tokens`, `TOKEN_COLS` numbers per span. */
export const TOK = { input: 0, output: 1, total: 2, thinking: 3, cached: 4 } as const;
export const TOKEN_COLS = 5;

/**
 * Every span of a trace as parallel typed arrays, indexed by the span's position in depth-first
 * tree order (so a span's subtree is the index range [i, subtreeEnd[i])). A 100k-span trace is
 * a handful of buffers and a few strings on the wire (wireTable.ts), which VS Code posts to the
 * webview far faster than a graph of 100k objects, and which the webview reads without allocating.
 */
export interface SpanTable {
  n: number;
  ids: string[];
  names: string[];
  /** Distinct span types; `kind[i]` indexes this. */
  types: string[];
  /** Distinct model names; `model[i]` indexes this, -1 for none. */
  models: string[];
  parent: Int32Array;
  depth: Int32Array;
  /** Exclusive end of the span's subtree in tree order. */
  subtreeEnd: Int32Array;
  /** Milliseconds since the trace started (fractional, microsecond precision). */
  start: Float64Array;
  /** Same clock; -1 while the span is still running. */
  end: Float64Array;
  kind: Uint8Array;
  /** Index into STATUS_CODES. */
  status: Uint8Array;
  flags: Uint8Array;
  model: Int32Array;
  /** TOKEN_COLS numbers per span (its own usage), zeros when none. */
  tokens: Float64Array;
}

export interface TraceHeader {
  traceId: string;
  experimentId?: string;
  name: string;
  status: SpanStatus;
  /** Epoch milliseconds of the first span's start (or the request time). */
  startEpochMs: number;
  /** null while running. */
  durationMs: number | null;
  /** Milliseconds on the table's clock that count as "now" for open-ended spans. */
  nowMs: number;
  usage: TokenUsage;
  cost?: Cost;
  models: string[];
  runName?: string;
  runId?: string;
  spanCount: number;
  warnings: string[];
  /** The MLflow UI page, when the client can name it. */
  mlflowUrl?: string;
  /** MLflow assessments on the trace and its spans (feedback and expectations). */
  assessments?: Assessment[];
}

// ---- values too big to post whole ----------------------------------------------------------

/** Where a value lives, so the host can find it again for "show all" and "open in editor". */
export interface ValueRef {
  spanId: string;
  field: 'inputs' | 'outputs' | 'attributes' | 'events' | 'exceptions' | 'chat';
  path: (string | number)[];
}

/** Stands in for a string longer than the clip limit: its head, its length, and where it is. */
export interface ClippedString {
  $clipped: 'string';
  head: string;
  length: number;
  ref: ValueRef;
}

/** Stands in for the tail of an array or object too long to post. */
export interface ClippedRest {
  $clipped: 'rest';
  omitted: number;
  ref: ValueRef;
}

export type Clipped = ClippedString | ClippedRest;

/** The same shape with long strings possibly clipped; literal strings (discriminants) stay. */
export type Clip<T> = T extends string
  ? string extends T
    ? string | ClippedString
    : T
  : T extends bigint
    ? string
    : T extends (infer U)[]
      ? Clip<U>[]
      : T extends object
        ? { [K in keyof T]: Clip<T[K]> }
        : T;

/** A model call for the Chat tab. The flattened texts are left out (the parts hold them); the
 *  call lists stay, as automatic function calling records some calls only there. */
export type ChatView = Clip<Omit<ModelCall, 'promptText' | 'responseText' | 'thinking'>> & { schemaCheck?: SchemaCheck };

export interface SpanDetails {
  spanId: string;
  index: number;
  name: string;
  type: string;
  status: SpanStatus;
  statusMessage?: string;
  /** Table clock (ms since trace start). */
  startMs: number;
  endMs: number | null;
  model?: string;
  code?: CodeLocation;
  usage?: TokenUsage;
  cost?: Cost;
  chat?: ChatView;
  inputs: unknown;
  outputs: unknown;
  attributes: Record<string, unknown>;
  events: { name: string; timeMs: number; attributes: unknown }[];
  exceptions: unknown[];
  orphan: boolean;
  cycleBroken: boolean;
}

// ---- the session view ---------------------------------------------------------------------------

export interface SessionTurn {
  traceId: string;
  /** The model call shown: the trace's last one (a chat turn's own call). */
  spanId: string;
  label: string;
  startEpochMs: number;
  durationMs: number | null;
  status: string;
  model?: string;
  usage?: TokenUsage;
  cost?: Cost;
  /** The call, its request cut to what is new this turn (from `requestOffset` on). */
  chat?: ChatView;
  requestOffset: number;
  warnings: string[];
}

export interface SessionView {
  title: string;
  kind: SessionKind;
  id: string;
  user?: string;
  turns: SessionTurn[];
  totals: { turns: number; tokens: number; input: number; output: number; durationMs: number; cost?: number; currency?: string };
  /** More traces matched than were read. */
  truncated?: boolean;
}

// ---- messages ---------------------------------------------------------------------------------

/** Webview → host, no reply. */
export interface Commands {
  ready: Record<string, never>;
  /** The span the user selected, so the host can restore it and follow it on refresh. */
  selected: { spanId: string | null };
  refresh: Record<string, never>;
  openInMlflow: Record<string, never>;
  /** With a span: compare that span (quick picks, native diff). Without: the trace's Compare view. */
  compare: { spanId?: string };
  /** A row of the Compare view: open the native diff of that pair of model calls. */
  openPairDiff: { leftTraceId: string; leftSpanId: string; rightTraceId: string; rightSpanId: string; view: 'prompt' | 'response' };
  copy: { text: string; what: string };
  goToCode: { spanId: string };
  openInEditor: { ref: ValueRef; language?: string };
  /** A file and line named inside trace content (a stack frame): opened like a span's code. */
  openLocation: { filepath: string; lineno: number };
  /** A web link in trace content (a search result, a cited source): the host opens it through
   *  VS Code's external-link confirmation; the webview itself never navigates. */
  openLink: { url: string };
  /** Add feedback or an expectation to the trace, or to one span (the host asks for the rest). */
  assess: { kind: 'up' | 'down' | 'score' | 'expectation'; spanId?: string };
  /** The session view: open one turn's trace in the trace panel. */
  openTrace: { traceId: string; spanId?: string };
  /** Open the span's model call as an editable request to send again. */
  replay: { spanId: string };
  /** Save a media part's bytes to a file the user picks (a save dialog on the host). */
  saveMedia: { ref: ValueRef };
  /** The webview drew a payload: how long it took, for the log (and for tests to wait on). */
  rendered: { revision: number; spans: number; ms: number };
}

/** Webview → host, each answered by one reply. */
export interface Requests {
  spanDetails: { params: { spanId: string }; result: SpanDetails };
  fullValue: { params: { ref: ValueRef }; result: string };
  /** Spans whose name, type, model or content contains the query (case-insensitive), as table indices. */
  search: { params: { query: string }; result: { indices: number[]; truncated: boolean } };
  /** A media part of the Chat tab (its ref), as a `data:` URI to show, or why it is not shown. */
  media: { params: { ref: ValueRef }; result: MediaResult };
}

export interface TracePayload {
  header: TraceHeader;
  /** The span table, its string columns packed (wireTable.ts). */
  table: WireTable;
  /** Bumped on each refresh of the same trace: the webview keeps its view state across one. */
  revision: number;
  /** Select and reveal this span. */
  focusSpanId?: string;
}

/** Host → webview. */
export interface Notifications {
  loading: { traceId: string; message: string };
  trace: TracePayload;
  failed: { traceId: string; message: string; canRetry: boolean };
  focusSpan: { spanId: string };
  notice: { message: string; severity: 'info' | 'warning' | 'error' };
  /** The session view's transcript. */
  session: SessionView;
  /** The trace's assessments changed (feedback was added). */
  assessments: { traceId: string; assessments: Assessment[] };
  /** The Compare view: two traces side by side, or progress, or why there is no summary. */
  compareView: CompareViewState;
}

export type CompareViewState =
  | { state: 'loading'; message: string }
  | { state: 'ready'; summary: CompareSummary }
  | { state: 'failed'; message: string };

export type CommandMessage = { [K in keyof Commands]: { kind: 'command'; method: K; params: Commands[K] } }[keyof Commands];
export type RequestMessage = {
  [K in keyof Requests]: { kind: 'request'; id: number; method: K; params: Requests[K]['params'] };
}[keyof Requests];
export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };
export type NotificationMessage = {
  [K in keyof Notifications]: { kind: 'notification'; method: K; params: Notifications[K] };
}[keyof Notifications];

export type WebviewToHost = CommandMessage | RequestMessage;
export type HostToWebview = NotificationMessage | ReplyMessage;

/** What the webview saves with `setState`, and what the serializer revives a panel from. */
export interface PanelState {
  traceId: string;
  spanId?: string;
  experimentId?: string;
}

export function isClipped(v: unknown): v is Clipped {
  return typeof v === 'object' && v !== null && '$clipped' in v && 'ref' in v;
}

/** A loose check of messages arriving from the other side: they cross a trust boundary. */
export function isWebviewToHost(m: unknown): m is WebviewToHost {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as { kind?: unknown; method?: unknown; id?: unknown; params?: unknown };
  if (typeof o.method !== 'string' || typeof o.params !== 'object' || o.params === null) return false;
  return o.kind === 'command' || (o.kind === 'request' && typeof o.id === 'number');
}
