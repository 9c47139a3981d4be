// Gemini contents and parts as the two SDKs record them, into GeminiContent/GeminiPart:
// Python's model_dump() is snake_case with every unset field present as null; @google/genai's
// JSON is camelCase with unset fields absent. `contents` may be a string, a list of strings, a
// Content, a list of Contents, a Part, or a list of Parts (the SDKs' ContentListUnion).
import { isRecord, toNumber } from '../shared/json';
import { base64ByteLength } from './ids';
import { MEDIA_ELIDED } from '../shared/runTags';
import type { GeminiContent, GeminiPart } from './types';
import { compactJson } from '../shared/json';

/** Each snake_case name's camelCase twin, worked out once: field() runs for every key of every
 *  part, content and config read, and a regex replace per miss was most of reading a model call. */
const camelNames = new Map<string, string>();

export function camelOf(snake: string): string {
  let camel = camelNames.get(snake);
  if (camel === undefined) {
    camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    camelNames.set(snake, camel);
  }
  return camel;
}

/** Property by snake_case or camelCase name, treating null as absent. */
export function field(o: Record<string, unknown>, snake: string): unknown {
  const v = o[snake];
  if (v !== undefined && v !== null) return v;
  const camel = camelOf(snake);
  if (camel === snake) return undefined;
  const w = o[camel];
  return w === null ? undefined : w;
}

const PART_KEYS = ['text', 'inline_data', 'file_data', 'function_call', 'function_response', 'executable_code', 'code_execution_result', 'thought'];

function looksLikePart(v: unknown): boolean {
  return isRecord(v) && PART_KEYS.some((k) => field(v, k) !== undefined);
}

function looksLikeContent(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && (Array.isArray(v.parts) || (typeof v.role === 'string' && !looksLikePart(v)));
}

export function toPart(p: unknown): GeminiPart {
  if (typeof p === 'string') return { kind: 'text', text: p };
  if (!isRecord(p)) return { kind: 'other', value: p };
  const part = partOf(p);
  // Gemini 3 puts an opaque thought signature on the part it belongs to; only its presence is kept.
  const sig = field(p, 'thought_signature');
  if (typeof sig !== 'string' || sig === '') return part;
  // A part that is nothing but a signature is the tail of the model's thinking.
  if (part.kind === 'other' && Object.keys(p).every((k) => p[k] === null || /^thought(_signature|Signature)?$/.test(k))) return { kind: 'thought', text: '', signature: true };
  part.signature = true;
  return part;
}

function partOf(p: Record<string, unknown>): GeminiPart {
  const text = field(p, 'text');
  if (typeof text === 'string') return field(p, 'thought') === true ? { kind: 'thought', text } : { kind: 'text', text };
  const fc = field(p, 'function_call');
  if (isRecord(fc)) {
    const part: GeminiPart = { kind: 'functionCall', name: String(field(fc, 'name') ?? ''), args: field(fc, 'args') ?? {} };
    const id = field(fc, 'id');
    if (typeof id === 'string') part.id = id;
    return part;
  }
  const fr = field(p, 'function_response');
  if (isRecord(fr)) {
    const part: GeminiPart = { kind: 'functionResponse', name: String(field(fr, 'name') ?? ''), response: field(fr, 'response') ?? null };
    const id = field(fr, 'id');
    if (typeof id === 'string') part.id = id;
    return part;
  }
  const inline = field(p, 'inline_data');
  if (isRecord(inline)) return { kind: 'inlineData', mimeType: String(field(inline, 'mime_type') ?? 'application/octet-stream'), ...blobOf(inline) };
  const file = field(p, 'file_data');
  if (isRecord(file)) {
    const part: GeminiPart = { kind: 'fileData', uri: String(field(file, 'file_uri') ?? '') };
    const mime = field(file, 'mime_type');
    if (typeof mime === 'string') part.mimeType = mime;
    return part;
  }
  const code = field(p, 'executable_code');
  if (isRecord(code)) {
    const part: GeminiPart = { kind: 'executableCode', code: String(field(code, 'code') ?? '') };
    const lang = field(code, 'language');
    if (typeof lang === 'string') part.language = lang;
    return part;
  }
  const result = field(p, 'code_execution_result');
  if (isRecord(result)) {
    const part: GeminiPart = { kind: 'codeExecutionResult', output: String(field(result, 'output') ?? '') };
    const outcome = field(result, 'outcome');
    if (typeof outcome === 'string') part.outcome = outcome;
    return part;
  }
  return { kind: 'other', value: stripNulls(p) };
}

/** Where a blob's bytes are (see the media part in call/types.ts): the recorded base64 text, an
 *  MLflow attachment reference, or nothing but a size (a tracer's or MLflow's elision). */
export function blobOf(o: Record<string, unknown>): { bytes: number; data?: string; attachment?: string; elided?: string } {
  const data = o.data;
  const noted = toNumber(o[MEDIA_ELIDED.bytes]);
  const reason = o[MEDIA_ELIDED.reason];
  if (typeof reason === 'string' || (noted !== undefined && data === undefined)) return { bytes: noted ?? 0, elided: typeof reason === 'string' && reason ? reason : 'only its size was recorded' };
  if (typeof data === 'string') {
    if (data.startsWith('mlflow-attachment://')) return { bytes: byteSize(data), attachment: data };
    // MLflow's Python SDK puts this text in place of an attachment over MLFLOW_TRACE_MAX_ATTACHMENT_SIZE.
    const tooLarge = /^\[Attachment too large: (\d+) bytes/.exec(data);
    if (tooLarge) return { bytes: Number(tooLarge[1]), elided: data.slice(1, -1) };
    return { bytes: byteSize(data), data };
  }
  return { bytes: byteSize(data) };
}

/** Size of inline data without keeping it: base64 text, a byte array, a size a recorder noted,
 *  or MLflow's attachment reference (3.x moves the bytes out of the span and writes
 *  `mlflow-attachment://<uuid>?content_type=…&trace_id=…&size=N` in their place). */
export function byteSize(data: unknown): number {
  if (typeof data === 'string') {
    if (data.startsWith('mlflow-attachment://')) {
      const m = /[?&]size=(\d+)/.exec(data);
      return m ? Number(m[1]) : 0;
    }
    return base64ByteLength(data);
  }
  if (Array.isArray(data)) return data.length;
  if (isRecord(data)) return toNumber(data.bytes ?? data.size ?? data.byteLength) ?? 0;
  return 0;
}

function toContent(c: Record<string, unknown>, defaultRole: string): GeminiContent {
  const parts = Array.isArray(c.parts) ? c.parts.map(toPart) : [];
  return { role: typeof c.role === 'string' && c.role ? c.role : defaultRole, parts };
}

/** Any ContentListUnion → contents. Runs of bare parts become one user turn, as the SDKs group
 *  them; a bare function call is the model's turn. */
export function toContents(v: unknown, defaultRole = 'user'): GeminiContent[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [{ role: defaultRole, parts: [{ kind: 'text', text: v }] }];
  if (!Array.isArray(v)) {
    if (looksLikeContent(v)) return [toContent(v, defaultRole)];
    const part = toPart(v);
    return [{ role: part.kind === 'functionCall' ? 'model' : defaultRole, parts: [part] }];
  }
  const out: GeminiContent[] = [];
  let pending: GeminiContent | undefined;
  for (const item of v) {
    if (looksLikeContent(item)) {
      pending = undefined;
      out.push(toContent(item, defaultRole));
      continue;
    }
    const part = toPart(item);
    const role = part.kind === 'functionCall' ? 'model' : defaultRole;
    if (!pending || pending.role !== role) {
      pending = { role, parts: [] };
      out.push(pending);
    }
    pending.parts.push(part);
  }
  return out;
}

/** A part as one line of text, for prompt/response text and diffs; never the inline bytes. */
export function partText(p: GeminiPart): string {
  switch (p.kind) {
    case 'text':
    case 'thought':
      return p.text;
    case 'functionCall':
      return `[function call ${p.name}(${compactJson(p.args)})]`;
    case 'functionResponse':
      return `[function response ${p.name}: ${compactJson(p.response)}]`;
    case 'inlineData':
      return `[${p.mimeType}, ${p.bytes} bytes]`;
    case 'fileData':
      return `[file ${p.uri}${p.mimeType ? ` (${p.mimeType})` : ''}]`;
    case 'executableCode':
      return p.code;
    case 'codeExecutionResult':
      return p.output;
    default:
      return `[${compactJson(p.value)}]`;
  }
}

/** Drops null/undefined fields (Python's model_dump writes every unset field as null). Depth is
 *  bounded; deeper values are kept as they are. */
export function stripNulls(v: unknown, depth = 0): unknown {
  if (depth > 32) return v;
  if (Array.isArray(v)) return v.map((x) => stripNulls(x, depth + 1));
  if (!isRecord(v)) return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) o[k] = stripNulls(x, depth + 1);
  return o;
}
