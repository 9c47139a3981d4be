// A recorded model call as a request to send again: the editable document (the call's own
// parameters as the SDK took them: model, contents, config, tools), and the REST request it
// becomes. REST, not the SDK: the API reads both spellings of every field (Python's snake_case and
// JS's camelCase), so a Python-recorded call replays unchanged, where @google/genai would drop
// fields it does not know by their camelCase name. Pure.
import { isRecord } from '../shared/json';
import { GEMINI_ATTR, MESSAGE_FORMAT } from '../shared/runTags';
import type { Span } from '../model/types';
import { errorMessage } from '../shared/errors';

export type ReplayApi = 'generateContent' | 'interactions';

export interface ReplayOrigin {
  traceId: string;
  spanId: string;
  experimentId?: string;
  spanName: string;
  spanType: string;
  api: ReplayApi;
  /** The original streamed (streamGenerateContent): the replay streams too. */
  stream: boolean;
  /** As recorded on the span, when the tracer recorded it. */
  baseUrl?: string;
  apiVersion?: string;
}

/** Config keys that are request fields of their own in REST; the rest is generationConfig. */
const TOP_LEVEL = new Set(['systemInstruction', 'system_instruction', 'tools', 'toolConfig', 'tool_config', 'safetySettings', 'safety_settings', 'cachedContent', 'cached_content', 'labels']);
/** SDK-only settings with no REST field. */
const SDK_ONLY = new Set(['httpOptions', 'http_options', 'abortSignal', 'abort_signal', 'automaticFunctionCalling', 'automatic_function_calling', 'shouldReturnHttpResponse']);

/** What a span's call would be replayed as, or why it cannot be. */
export function replayOrigin(span: Span, traceId: string, experimentId?: string): ReplayOrigin | string {
  const format = span.attributes['mlflow.message.format'];
  const inputs = span.inputs;
  if (!isRecord(inputs)) return `"${span.name}" recorded no request (was it traced with captureContent: false?).`;
  const api: ReplayApi | undefined = format === MESSAGE_FORMAT.interactions ? 'interactions' : format === MESSAGE_FORMAT.generateContent || inputs.contents !== undefined ? 'generateContent' : undefined;
  if (!api) return `"${span.name}" is not a Gemini generateContent or Interactions call, so it cannot be replayed here.`;
  if (api === 'generateContent' && (inputs.contents === undefined || typeof inputs.model !== 'string')) return `"${span.name}" did not record its model and contents (a chat turn records only its message: replay the model call inside it).`;
  const base = span.attributes[GEMINI_ATTR.baseUrl];
  const version = span.attributes[GEMINI_ATTR.apiVersion];
  return {
    traceId,
    spanId: span.id,
    ...(experimentId ? { experimentId } : {}),
    spanName: span.name,
    spanType: span.type,
    api,
    stream: /stream/i.test(span.name),
    ...(typeof base === 'string' && base ? { baseUrl: base } : {}),
    ...(typeof version === 'string' && version ? { apiVersion: version } : {}),
  };
}

/** The editable document: a few comment lines, then the request as recorded, pretty-printed. */
export function replayDocument(span: Span, origin: ReplayOrigin): string {
  const inputs = span.inputs as Record<string, unknown>;
  const request: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (!SDK_ONLY.has(k) && k !== 'stream') request[k] = v;
  return [
    `// Replay of ${origin.spanName} (${origin.api}${origin.stream ? ', streamed' : ''}) from trace ${origin.traceId}.`,
    '// Edit the request below, then run "Send" (the link above it, or Gemini Trace: Send Replay).',
    '// The answer is traced as a new trace in the "replays" run and opened beside the original.',
    JSON.stringify(request, null, 2),
    '',
  ].join('\n');
}

/** The document back to a request: comment lines at the top are dropped, the rest must be JSON. */
export function parseReplayDocument(text: string): { ok: true; request: Record<string, unknown> } | { ok: false; message: string } {
  const body = text.replace(/^(?:\s*\/\/[^\n]*\n)*/, '');
  try {
    const v = JSON.parse(body) as unknown;
    if (!isRecord(v)) return { ok: false, message: 'The request must be a JSON object.' };
    return { ok: true, request: v };
  } catch (e) {
    return { ok: false, message: `The request is not valid JSON: ${errorMessage(e)}` };
  }
}

/** `contents` in any form the SDKs take (a string, parts, contents) → REST's list of contents. */
export function restContents(v: unknown): unknown[] {
  if (typeof v === 'string') return [{ role: 'user', parts: [{ text: v }] }];
  const list = Array.isArray(v) ? v : [v];
  const out: unknown[] = [];
  let loose: unknown[] | undefined;
  for (const x of list) {
    if (isRecord(x) && Array.isArray(x.parts)) {
      loose = undefined;
      out.push(x);
      continue;
    }
    if (!loose) {
      loose = [];
      out.push({ role: 'user', parts: loose });
    }
    loose.push(typeof x === 'string' ? { text: x } : x);
  }
  return out;
}

/** The HTTP request a replay sends (the key goes in a header added by the sender). */
export function restRequest(origin: ReplayOrigin, request: Record<string, unknown>, fallbackBase: string): { url: string; body: Record<string, unknown>; model?: string } {
  const base = (origin.baseUrl ?? fallbackBase).replace(/\/+$/, '');
  const version = origin.apiVersion ?? 'v1beta';
  if (origin.api === 'interactions') {
    const body = { ...request, stream: false };
    return { url: `${base}/${version}/interactions`, body, model: typeof request.model === 'string' ? request.model : undefined };
  }
  const model = String(request.model ?? '').replace(/^models\//, '');
  if (!model) throw new Error('The request names no model: add "model": "gemini-…".');
  const body: Record<string, unknown> = { contents: restContents(request.contents) };
  const generation: Record<string, unknown> = {};
  const config = isRecord(request.config) ? request.config : isRecord(request.generation_config) ? request.generation_config : {};
  for (const [k, v] of Object.entries(config)) {
    if (SDK_ONLY.has(k) || v === null || v === undefined) continue;
    if (TOP_LEVEL.has(k)) body[k] = k === 'systemInstruction' || k === 'system_instruction' ? systemContent(v) : v;
    else generation[k] = v;
  }
  for (const k of TOP_LEVEL) if (request[k] !== undefined && body[k] === undefined) body[k] = request[k];
  if (Object.keys(generation).length) body.generationConfig = generation;
  const method = origin.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return { url: `${base}/${version}/models/${encodeURIComponent(model)}:${method}`, body, model };
}

function systemContent(v: unknown): unknown {
  if (typeof v === 'string') return { parts: [{ text: v }] };
  if (Array.isArray(v)) return { parts: v.map((p) => (typeof p === 'string' ? { text: p } : p)) };
  return v;
}

/** SSE chunks of streamGenerateContent → the list of responses (as the tracers record a stream). */
export function sseChunks(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    try {
      out.push(JSON.parse(line.slice(5).trim()));
    } catch {
      /* a keep-alive or a partial line: not a chunk */
    }
  }
  return out;
}
