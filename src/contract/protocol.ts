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
import type { WireTable } from './wireTable';

/** A medium as the webview gets it: shown as a `data:` URI (panel/media.ts makes it safe), or
 *  described by its metadata. */
export type MediaResult =
  | { kind: 'shown'; as: 'image' | 'audio'; mimeType: string; bytes: number; dataUri: string; width?: number; height?: number; note?: string }
  /** Not shown; `canSave` when the bytes are there to be saved. */
  | { kind: 'metadata'; reason: string; mimeType?: string; bytes?: number; canSave: boolean };

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
  /** A large trace's table comes in pieces, in order, each its own message of one revision: this
   *  one holds the spans [from, from + table.n) of the header's spanCount. The first piece is the
   *  top of the tree, drawn while the rest crosses (see panel/session.ts). Absent: the whole table. */
  from?: number;
}

/** Host → webview. */
export interface Notifications {
  loading: { traceId: string; message: string };
  trace: TracePayload;
  /** How far the host's search for `query` has got (0–1), while it runs, and the matches it found
   *  since its last progress (row indices, ascending). The search's answer holds them all. */
  searchProgress: { query: string; fraction: number; found: number[] };
  /** The details of the span the page is about to select, posted unasked right after a table's
   *  first piece (the page's own request would be answered after the rest of the table). */
  spanDetails: { spanId: string; revision: number; details: SpanDetails };
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
