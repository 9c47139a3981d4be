// The one shape every span encoding is normalised into. Pure data: no vscode, no HTTP.
import type { Assessment } from './assessments';

export type SpanStatus = 'OK' | 'ERROR' | 'UNSET' | 'IN_PROGRESS';

/** Token counts. `total` is as reported (or input + output when not reported); `thinking`
 *  and `cached` are parts of output and input respectively, never added on top. */
export interface TokenUsage {
  input: number;
  output: number;
  total: number;
  cached: number;
  thinking: number;
}

export interface Cost {
  input?: number;
  output?: number;
  total: number;
  currency?: string;
}

export interface SpanEvent {
  name: string;
  /** Nanoseconds since the epoch, exact. */
  timeNs: bigint;
  attributes: Record<string, unknown>;
}

export interface ExceptionInfo {
  type: string;
  message: string;
  stacktrace?: string;
}

export interface CodeLocation {
  /** As recorded: absolute, or relative to the workspace folder. */
  filepath: string;
  /** 1-based. */
  lineno: number;
  function?: string;
}

export interface Span {
  /** 16 lowercase hex digits. */
  id: string;
  /** 16 hex digits, or null for a root. */
  parentId: string | null;
  /** 32 hex digits (the OTel trace id), when the encoding carries it. */
  otelTraceId?: string;
  name: string;
  /** `mlflow.spanType` (LLM, CHAT_MODEL, CHAIN, TOOL, EMBEDDING, …) or UNKNOWN. */
  type: string;
  startNs: bigint;
  /** null while the span is still running. */
  endNs: bigint | null;
  status: SpanStatus;
  statusMessage?: string;
  /** All attributes with values parsed (JSON strings decoded). */
  attributes: Record<string, unknown>;
  inputs: unknown;
  outputs: unknown;
  events: SpanEvent[];
  exceptions: ExceptionInfo[];
  /** Usage recorded on this span itself. */
  usage?: TokenUsage;
  cost?: Cost;
  model?: string;
  code?: CodeLocation;
  /** Its parent id names no span in the trace: kept, attached at the root. */
  orphan: boolean;
  /** Set when the parent chain looped and was cut to keep a tree. */
  cycleBroken?: boolean;
  children: Span[];
  depth: number;
}

export interface TraceSummary {
  /** `tr-<32 hex>` as MLflow names it. */
  id: string;
  experimentId?: string;
  name?: string;
  state: 'OK' | 'ERROR' | 'IN_PROGRESS' | 'UNKNOWN';
  /** Epoch milliseconds. */
  requestTimeMs: number;
  /** null while in progress or unknown. */
  durationMs: number | null;
  requestPreview?: string;
  responsePreview?: string;
  tags: Record<string, string>;
  metadata: Record<string, string>;
  /** From `mlflow.trace.tokenUsage` metadata, when present. */
  usage?: TokenUsage;
  cost?: Cost;
  models: string[];
  /** MLflow assessments on the trace or its spans (feedback and expectations), oldest first. */
  assessments?: Assessment[];
}

export interface Trace {
  summary: TraceSummary;
  /** Every span, depth-first in tree order. */
  spans: Span[];
  roots: Span[];
  byId: Map<string, Span>;
  /** Summed over spans without double counting nested usage. */
  usage: TokenUsage;
  cost?: Cost;
  status: SpanStatus;
  startNs: bigint;
  endNs: bigint | null;
  models: string[];
  /** Problems found while normalising (orphans, cycles, duplicate ids, bad values). */
  warnings: string[];
}

/** What finding a span's values by id needs of a trace: a Trace, or a large trace's spans read one
 *  at a time before the trace is normalised (panel/earlySession.ts). */
export interface SpanSource {
  summary: TraceSummary;
  byId: Pick<ReadonlyMap<string, Span>, 'get'>;
}

/** A trace payload the normaliser could not turn into a Trace, with the reason. */
export interface TraceError {
  error: string;
}

// ---- Gemini messages -------------------------------------------------------------------

export type GeminiPart = (
  | { kind: 'text'; text: string }
  | { kind: 'thought'; text: string }
  | { kind: 'functionCall'; name: string; args: unknown; id?: string }
  | { kind: 'functionResponse'; name: string; response: unknown; id?: string }
  /** `data`: the recorded base64 text (same string, not a copy); `attachment`: an MLflow attachment
   *  reference in its place; `elided`: a tracer kept only the metadata, and why. */
  | { kind: 'inlineData'; mimeType: string; bytes: number; data?: string; attachment?: string; elided?: string }
  | { kind: 'fileData'; mimeType?: string; uri: string }
  | { kind: 'executableCode'; language?: string; code: string }
  | { kind: 'codeExecutionResult'; outcome?: string; output: string }
  | { kind: 'other'; value: unknown }
) & {
  /** A thought signature came with the part (set only when one did). */
  signature?: true;
};

export interface GeminiContent {
  role: string;
  parts: GeminiPart[];
}

export interface GeminiCandidate {
  content: GeminiContent;
  finishReason?: string;
  safetyRatings?: { category: string; probability: string; blocked?: boolean }[];
  /** Search queries, sources and retrieved URLs (set only when the response grounded itself). */
  grounding?: RawGrounding;
}

/** A candidate's grounding as recorded; its supports still in the API's terms (byte offsets,
 *  chunk indices), placed in the answer's text by the adapter (model/call/grounding.ts). */
export interface RawGrounding {
  queries: string[];
  links: { url: string; title?: string; domain?: string }[];
  urls: { url: string; status?: string }[];
  supports: RawSupport[];
  entryPoint?: string;
}

export interface RawSupport {
  partIndex?: number;
  /** UTF-8 byte offsets, as the API counts them. */
  startByte?: number;
  endByte?: number;
  text?: string;
  /** Indices into `links` (-1 where the recorded chunk index names no usable source). */
  sources: number[];
  confidence?: number[];
  /** The support as recorded, for showing it when it cannot be placed. */
  raw: unknown;
}

export interface GeminiCall {
  model?: string;
  systemInstruction?: GeminiContent;
  contents: GeminiContent[];
  /** The prompt flattened to text, turns separated by blank lines. */
  promptText: string;
  /** generationConfig / config minus tools and system instruction. */
  config: Record<string, unknown>;
  tools?: unknown;
  candidates: GeminiCandidate[];
  responseText: string;
  thinking: string;
  functionCalls: { name: string; args: unknown; id?: string }[];
  functionResponses: { name: string; response: unknown; id?: string }[];
  usage?: TokenUsage;
}
