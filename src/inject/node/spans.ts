// What a Gemini span records, shaped like MLflow's own Gemini integrations (mlflow.gemini in
// Python, mlflow-gemini in TypeScript): inputs are the call's parameters `{model, contents, config}`,
// outputs the response JSON, usage in MLflow's `mlflow.chat.tokenUsage` keys. Pure functions over
// plain values, so the call path pays only for a JSON.stringify.
import type { Attributes } from '@opentelemetry/api';

export const ATTR = {
  spanType: 'mlflow.spanType',
  inputs: 'mlflow.spanInputs',
  outputs: 'mlflow.spanOutputs',
  usage: 'mlflow.chat.tokenUsage',
  tools: 'mlflow.chat.tools',
  model: 'mlflow.llm.model',
  provider: 'mlflow.llm.provider',
  messageFormat: 'mlflow.message.format',
  httpStatus: 'http.response.status_code',
  errorType: 'error.type',
} as const;

export type SpanType = 'LLM' | 'CHAT_MODEL' | 'EMBEDDING' | 'TOOL' | 'CHAIN' | 'AGENT' | 'RETRIEVER' | 'UNKNOWN';

/** Largest JSON kept for one input/output attribute; beyond it a preview replaces the value so a
 *  huge embedding batch or inline image never bloats an export. */
const MAX_JSON = 1_000_000;

/** JSON for a span attribute. Never throws: the fast path is a plain JSON.stringify; only a
 *  value it rejects (a cycle, a bigint) takes the slower replacer path. `media`: base64 characters
 *  of media kept on purpose (media.ts), allowed past the usual cap. */
export function toJson(value: unknown, media = 0): string {
  let out: string | undefined;
  try {
    out = JSON.stringify(value);
  } catch {
    out = safeStringify(value);
  }
  if (out === undefined) return 'null';
  if (out.length > MAX_JSON + media) return JSON.stringify({ truncated: true, length: out.length, preview: out.slice(0, 10_000) });
  return out;
}

/** A JSON attribute's value (a string that is not JSON comes back as it is). */
export function fromJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function safeStringify(value: unknown): string {
  try {
    const ancestors: object[] = [];
    return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
      if (typeof v === 'bigint') return v.toString();
      if (!v || typeof v !== 'object') return v;
      // `this` is the object holding v: drop ancestors that are no longer on the path.
      while (ancestors.length && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(v)) return '[circular]';
      ancestors.push(v);
      return v;
    });
  } catch (e) {
    return JSON.stringify({ unserializable: String(e) });
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** A CallableTool (what automatic function calling runs) or an MCP client: the SDK calls it. */
export function isCallableTool(tool: unknown): tool is { callTool(calls: unknown[]): Promise<unknown[]>; tool(): Promise<unknown> } {
  return isObj(tool) && typeof (tool as Obj).callTool === 'function';
}

/** The request config as recorded: transport details (headers may hold credentials, the abort
 *  signal is a live object) are dropped, callable tools are named instead of serialized. */
export function recordedConfig(config: unknown, capture: boolean): Obj | undefined {
  if (!isObj(config)) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'httpOptions' || k === 'abortSignal') continue;
    if (!capture && (k === 'systemInstruction' || k === 'cachedContent')) continue;
    if (k === 'tools' && Array.isArray(v)) {
      out.tools = v.map((t) => (isCallableTool(t) ? { callableTool: callableName(t) } : t));
      continue;
    }
    out[k] = v;
  }
  return out;
}

function callableName(tool: object): string {
  const name = (tool as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name && name !== 'Object' ? name : 'CallableTool';
}

/** Inputs of a models.* call: `{model, contents, config}` like MLflow's integrations. */
export function modelInputs(params: unknown, capture: boolean): Obj {
  if (!isObj(params)) return { params: capture ? params : undefined };
  const out: Obj = { model: params.model };
  if (capture && 'contents' in params) out.contents = params.contents;
  if (capture && 'content' in params) out.content = params.content;
  const config = recordedConfig(params.config, capture);
  if (config) out.config = config;
  return out;
}

/** Inputs of Chat.sendMessage / sendMessageStream: `{message, config}`. */
export function chatInputs(params: unknown, capture: boolean): Obj {
  if (!isObj(params)) return {};
  const out: Obj = {};
  if (capture) out.message = params.message;
  const config = recordedConfig(params.config, capture);
  if (config) out.config = config;
  return out;
}

/** A response as JSON-able data: own fields only (the SDK's getters such as `.text` are derived),
 *  without the HTTP headers the SDK attaches. Without content capture, only metadata is kept. */
export function responseOutputs(response: unknown, capture: boolean): unknown {
  if (!isObj(response)) return response;
  const out: Obj = {};
  for (const [k, v] of Object.entries(response)) {
    if (k === 'sdkHttpResponse') continue;
    out[k] = v;
  }
  if (capture) return out;
  const meta: Obj = {};
  for (const k of ['modelVersion', 'responseId', 'usageMetadata', 'totalTokens', 'cachedContentTokenCount', 'metadata']) if (k in out) meta[k] = out[k];
  if (Array.isArray(out.candidates)) {
    meta.candidates = out.candidates.map((c: unknown) => (isObj(c) ? { index: c.index, finishReason: c.finishReason } : {}));
  }
  if (Array.isArray(out.embeddings)) meta.embeddings = out.embeddings.map((e: unknown) => ({ values: Array.isArray((e as Obj)?.values) ? ((e as Obj).values as unknown[]).length : 0 }));
  return meta;
}

/** Where a wire format reports each count (the first present of `output` wins). */
export interface UsageFields {
  input: string;
  output: string[];
  total: string;
  cached: string;
  thoughts: string;
  toolUse: string;
}

const GENERATE_USAGE: UsageFields = {
  input: 'promptTokenCount', output: ['candidatesTokenCount'], total: 'totalTokenCount',
  cached: 'cachedContentTokenCount', thoughts: 'thoughtsTokenCount', toolUse: 'toolUsePromptTokenCount',
};

/** `mlflow.chat.tokenUsage` from a usage report. Keys beyond MLflow's schema (thinking, tool-use
 *  prompt) are kept: MLflow stores them on the span and ignores them in sums. */
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function mappedUsage(u: unknown, f: UsageFields): Obj | undefined {
  if (!isObj(u)) return undefined;
  const input = num(u[f.input]);
  const output = f.output.map((k) => num(u[k])).find((v) => v !== undefined);
  const total = num(u[f.total]);
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const usage: Obj = { input_tokens: input ?? 0, output_tokens: output ?? 0, total_tokens: total ?? (input ?? 0) + (output ?? 0) };
  const extra: Array<[string, string]> = [[f.cached, 'cache_read_input_tokens'], [f.thoughts, 'thoughts_tokens'], [f.toolUse, 'tool_use_prompt_tokens']];
  for (const [from, to] of extra) if (num(u[from]) !== undefined) usage[to] = u[from];
  return usage;
}

/** `mlflow.chat.tokenUsage` from a generateContent response's usageMetadata. */
export function tokenUsage(response: unknown): Obj | undefined {
  return mappedUsage(isObj(response) ? response.usageMetadata : undefined, GENERATE_USAGE);
}

// OTel GenAI request attributes for the generation config, so a span is filterable by them
// (`span.attributes.gen_ai.request.temperature`) without parsing the inputs JSON.
const CONFIG_ATTRS: Array<[string, string]> = [
  ['temperature', 'gen_ai.request.temperature'],
  ['topP', 'gen_ai.request.top_p'],
  ['topK', 'gen_ai.request.top_k'],
  ['maxOutputTokens', 'gen_ai.request.max_tokens'],
  ['candidateCount', 'gen_ai.request.choice.count'],
  ['presencePenalty', 'gen_ai.request.presence_penalty'],
  ['frequencyPenalty', 'gen_ai.request.frequency_penalty'],
  ['seed', 'gen_ai.request.seed'],
  ['responseMimeType', 'gemini.request.response_mime_type'],
  ['outputDimensionality', 'gemini.request.output_dimensionality'],
  ['taskType', 'gemini.request.task_type'],
];

export function configAttributes(config: unknown): Attributes {
  const attrs: Attributes = {};
  if (!isObj(config)) return attrs;
  for (const [key, attr] of CONFIG_ATTRS) {
    const v = config[key];
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') attrs[attr] = v;
  }
  if (Array.isArray(config.stopSequences)) attrs['gen_ai.request.stop_sequences'] = config.stopSequences.filter((s) => typeof s === 'string');
  const thinking = config.thinkingConfig;
  if (isObj(thinking)) {
    if (typeof thinking.thinkingBudget === 'number') attrs['gemini.request.thinking_budget'] = thinking.thinkingBudget;
    if (typeof thinking.thinkingLevel === 'string') attrs['gemini.request.thinking_level'] = thinking.thinkingLevel;
    if (typeof thinking.includeThoughts === 'boolean') attrs['gemini.request.include_thoughts'] = thinking.includeThoughts;
  }
  return attrs;
}

/** MLflow's chat-tool schema for the function declarations a request offers the model. */
export function chatTools(config: unknown): string | undefined {
  if (!isObj(config) || !Array.isArray(config.tools)) return undefined;
  const tools: Obj[] = [];
  for (const t of config.tools) {
    if (!isObj(t) || !Array.isArray(t.functionDeclarations)) continue;
    for (const d of t.functionDeclarations) {
      if (!isObj(d) || typeof d.name !== 'string') continue;
      tools.push({ type: 'function', function: { name: d.name, description: d.description, parameters: d.parameters ?? d.parametersJsonSchema } });
    }
  }
  return tools.length ? toJson(tools) : undefined;
}

/** Joins streamed chunks into one response as the non-streaming call would have returned it:
 *  adjacent text parts (and adjacent thoughts) are concatenated, the last chunk's metadata wins. */
export function assembleChunks(chunks: unknown[]): Obj {
  const parts: Obj[] = [];
  let role: unknown = 'model';
  let last: Obj = {};
  const candidateExtras: Obj = {};
  for (const c of chunks) {
    if (!isObj(c)) continue;
    last = c;
    const cand = Array.isArray(c.candidates) ? c.candidates[0] : undefined;
    if (!isObj(cand)) continue;
    for (const [k, v] of Object.entries(cand)) if (k !== 'content' && v !== undefined) candidateExtras[k] = v;
    const content = cand.content;
    if (!isObj(content) || !Array.isArray(content.parts)) continue;
    if (content.role) role = content.role;
    for (const p of content.parts) {
      if (!isObj(p)) continue;
      const prev = parts[parts.length - 1];
      if (typeof p.text === 'string' && prev && typeof prev.text === 'string' && !!prev.thought === !!p.thought && Object.keys(p).every((k) => k === 'text' || k === 'thought')) {
        parts[parts.length - 1] = { ...prev, text: prev.text + p.text };
      } else {
        parts.push({ ...p });
      }
    }
  }
  const out: Obj = { candidates: [{ ...candidateExtras, content: { role, parts } }] };
  for (const k of ['usageMetadata', 'modelVersion', 'responseId', 'promptFeedback', 'createTime']) if (last[k] !== undefined) out[k] = last[k];
  return out;
}

/** What an error says about the request: the SDK's ApiError carries the HTTP status. */
export function errorAttributes(err: unknown): Attributes {
  const attrs: Attributes = {};
  if (err && typeof err === 'object') {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number') attrs[ATTR.httpStatus] = status;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string') attrs[ATTR.errorType] = name;
  }
  return attrs;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (isObj(err) && typeof err.message === 'string') return err.message;
  try {
    return String(err);
  } catch {
    return 'unknown error';
  }
}
