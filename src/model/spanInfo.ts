// What a span means beyond its raw fields: type, inputs/outputs, exceptions, usage, cost, model,
// and the user's call site. Pure functions of a decoded span's attributes and events.
import type { DecodedSpan } from './encodings';
import { modelName } from './gemini';
import { toNumber } from '../shared/json';
import { LazySpan } from './lazySpan';
import { parseCost, spanUsageWith } from './usage';
import type { CodeLocation, Cost, ExceptionInfo, Span, SpanEvent, TokenUsage } from './types';

const MODEL_CALL_TYPES = new Set(['LLM', 'CHAT_MODEL']);
/** OTel GenAI operation names → MLflow span types, for spans that carry only semconv attributes. */
const GENAI_OPERATION_TYPES: Record<string, string> = {
  chat: 'CHAT_MODEL', generate_content: 'LLM', text_completion: 'LLM', embeddings: 'EMBEDDING',
  execute_tool: 'TOOL', invoke_agent: 'AGENT', create_agent: 'AGENT',
};

/** `mlflow.spanType` (LLM, CHAT_MODEL, CHAIN, TOOL, …), else one inferred from the OTel GenAI
 *  operation, else UNKNOWN. */
export function spanTypeOf(attributes: Record<string, unknown>): string {
  const t = attributes['mlflow.spanType'];
  if (typeof t === 'string' && t.trim() !== '') return t.trim().toUpperCase();
  const op = attributes['gen_ai.operation.name'];
  if (typeof op === 'string' && GENAI_OPERATION_TYPES[op]) return GENAI_OPERATION_TYPES[op];
  return 'UNKNOWN';
}

/** A span that is one model call (so its response's usage metadata is its own usage). */
export function isModelCallSpan(type: string, attributes: Record<string, unknown>): boolean {
  const format = attributes['mlflow.message.format'];
  return MODEL_CALL_TYPES.has(type) || (typeof format === 'string' && (format === 'gemini' || format.startsWith('gemini.')));
}

/** `exception` events (OTel semantic conventions), in the order they were recorded. */
export function exceptionsOf(events: SpanEvent[]): ExceptionInfo[] {
  const out: ExceptionInfo[] = [];
  for (const e of events) {
    if (e.name !== 'exception') continue;
    const a = e.attributes;
    const x: ExceptionInfo = { type: text(a['exception.type']) || 'Exception', message: text(a['exception.message']) };
    const st = text(a['exception.stacktrace']);
    if (st) x.stacktrace = st;
    out.push(x);
  }
  return out;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `code.filepath`/`code.lineno`/`code.function` (and the newer `code.file.path`,
 *  `code.line.number`, `code.function.name`). Undefined unless a path and a line ≥ 1 exist. */
export function codeLocationOf(attributes: Record<string, unknown>): CodeLocation | undefined {
  const path = attributes['code.filepath'] ?? attributes['code.file.path'];
  const line = toNumber(attributes['code.lineno'] ?? attributes['code.line.number']);
  if (typeof path !== 'string' || path === '' || line === undefined || line < 1) return undefined;
  const loc: CodeLocation = { filepath: path, lineno: Math.floor(line) };
  const fn = attributes['code.function'] ?? attributes['code.function.name'];
  if (typeof fn === 'string' && fn !== '') loc.function = fn;
  return loc;
}

function modelOf(attributes: Record<string, unknown>, inputsModel: () => unknown, modelCall: boolean): string | undefined {
  return modelName(attributes['mlflow.llm.model'])
    ?? modelName(attributes['gen_ai.request.model'])
    ?? modelName(attributes['gen_ai.response.model'])
    ?? modelName(attributes['ai.model.id'])
    ?? (modelCall ? modelName(inputsModel()) : undefined);
}

/** Every attribute spanFacts reads (besides the inputs and outputs), for a reader that decodes
 *  only these (panel/directTable.ts); test/unit/direct-table.test.ts checks the list is whole. */
export const SPAN_FACT_KEYS: ReadonlySet<string> = new Set([
  'mlflow.spanType', 'gen_ai.operation.name', 'mlflow.message.format', 'mlflow.chat.tokenUsage', 'mlflow.llm.cost',
  'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.total_tokens', 'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens',
  ...['inputTokens', 'promptTokens', 'outputTokens', 'completionTokens', 'totalTokens', 'cachedInputTokens', 'inputTokenDetails.cacheReadTokens', 'reasoningTokens'].map((k) => `ai.usage.${k}`),
  'mlflow.llm.model', 'gen_ai.request.model', 'gen_ai.response.model', 'ai.model.id',
  'code.filepath', 'code.file.path', 'code.lineno', 'code.line.number', 'code.function', 'code.function.name',
]);

/** What a span's attributes (and, where they lack it, its response's usage metadata and its
 *  request's model) say it is: one function for every reader of spans, so they cannot disagree. */
export interface SpanFacts {
  type: string;
  usage?: TokenUsage;
  cost?: Cost;
  model?: string;
  code?: CodeLocation;
}

export function spanFacts(attributes: Record<string, unknown>, usageMetadata: () => Record<string, unknown> | undefined, inputsModel: () => unknown): SpanFacts {
  const type = spanTypeOf(attributes);
  const modelCall = isModelCallSpan(type, attributes);
  const f: SpanFacts = { type };
  const usage = spanUsageWith(attributes, usageMetadata, modelCall);
  if (usage) f.usage = usage;
  const cost = parseCost(attributes['mlflow.llm.cost']);
  if (cost) f.cost = cost;
  const model = modelOf(attributes, inputsModel, modelCall);
  if (model) f.model = model;
  const code = codeLocationOf(attributes);
  if (code) f.code = code;
  return f;
}

/** The span for a decoded span, its payload still as text (see lazySpan.ts). */
export function lazySpanOf(d: DecodedSpan, type: string): LazySpan {
  return new LazySpan(d.id, d.parentId, d.name, type, d.startNs, d.endNs, d.status, d.attributes, d.events, d.inputsText, d.outputsText);
}

/** A Span (not yet linked into the tree) from a decoded span. Reads only the small attributes and
 *  the response's usage metadata; the inputs only for a model call's model when no attribute names
 *  it. */
export function toSpan(d: DecodedSpan): Span {
  const attributes = d.attributes;
  const span = lazySpanOf(d, 'UNKNOWN');
  const f = spanFacts(attributes, () => span.usageMetadata(), () => span.inputsField('model'));
  span.type = f.type;
  span.exceptions = exceptionsOf(d.events);
  // MLflow's id is "tr-" + the OTel trace id. Prefer it: the TypeScript SDK base64-encodes the
  // "tr-…" string itself as if it were hex, so its span trace_id decodes to garbage.
  const rid = attributes['mlflow.traceRequestId'];
  const fromRequestId = typeof rid === 'string' && /^tr-[0-9a-f]{32}$/i.test(rid) ? rid.slice(3).toLowerCase() : undefined;
  if (fromRequestId ?? d.otelTraceId) span.otelTraceId = fromRequestId ?? d.otelTraceId;
  if (d.statusMessage) span.statusMessage = d.statusMessage;
  if (f.usage) span.usage = f.usage;
  if (f.cost) span.cost = f.cost;
  if (f.model) span.model = f.model;
  if (f.code) span.code = f.code;
  return span;
}

export function spanDurationMs(s: Span): number | null {
  return s.endNs === null ? null : Number(s.endNs - s.startNs) / 1e6;
}
