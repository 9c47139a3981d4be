// The three span encodings MLflow hands out, decoded into one flat record per span:
//  - 'python':     traces.json from the Python SDK: base64 ids, ns times, every attribute value a
//                  JSON-encoded string (a value that is not valid JSON is a raw OTel string);
//  - 'typescript': traces.json from MLflow's TypeScript SDK: same field names, attribute values
//                  already parsed, a root's parent_span_id is '';
//  - 'otel':       OTel-proto JSON from GET /api/3.0/mlflow/traces/get: attributes as
//                  [{key, value: {string_value|int_value|…}}], values already decoded by the server.
// MLflow 2.x traces.json (context.span_id "0x…", parent_id, start_time, status_code) is read too.
import { decodeStructured, isRecord, toNumber, tryParseJson } from '../shared/json';
import { toHexId } from './ids';
import { INPUTS_ATTR, OUTPUTS_ATTR } from './lazySpan';
import { toNs } from './time';
import { pauseHere, type Steps } from '../shared/steps';
import type { SpanEvent, SpanStatus } from './types';

export type SpanEncoding = 'python' | 'typescript' | 'otel';

export interface DecodedSpan {
  /** Position in the payload, for stable ordering. */
  index: number;
  id: string;
  parentId: string | null;
  otelTraceId?: string;
  name: string;
  startNs: bigint;
  endNs: bigint | null;
  status: SpanStatus;
  statusMessage?: string;
  attributes: Record<string, unknown>;
  events: SpanEvent[];
  encoding: SpanEncoding;
  /** Python encoding: the inputs' and outputs' JSON text, left for LazySpan to decode when read
   *  (their keys are in `attributes` with the value undefined until then). */
  inputsText?: string;
  outputsText?: string;
}

/** Attribute keys whose values are structured even when a producer wrote them as JSON text. */
const STRUCTURED_KEYS = new Set([
  'mlflow.spanInputs', 'mlflow.spanOutputs', 'mlflow.chat.tokenUsage', 'mlflow.llm.cost', 'mlflow.chat.tools',
]);
/** Deeper nesting than this in an OTel AnyValue is cut, so hostile payloads cannot exhaust the stack. */
const MAX_ANY_DEPTH = 256;

/** Decides python vs typescript for object-attribute spans, from the whole payload's evidence. */
export function* detectObjectEncodingSteps(spans: unknown[]): Steps<'python' | 'typescript'> {
  let py = 0;
  let ts = 0;
  // As steps: 300,000 spans held the host for ~55 ms in one go.
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (pauseHere(i)) yield i / spans.length;
    if (!isRecord(s)) continue;
    const v = spanEvidence(s);
    if (v === 'python') py++;
    else if (v === 'typescript') ts++;
  }
  return ts > py ? 'typescript' : 'python';
}

/** Whether decodeSpan reads this raw span the same whatever the rest of its list is like: an
 *  OTLP span, or one whose attributes show which SDK wrote it. */
export function decodesAlone(s: Record<string, unknown>): boolean {
  return Array.isArray(s.attributes) || spanEvidence(s) !== undefined;
}

function spanEvidence(s: Record<string, unknown>): 'python' | 'typescript' | undefined {
  const attrs = s.attributes;
  if (!isRecord(attrs)) return s.parent_span_id === '' ? 'typescript' : undefined;
  // Python JSON-encodes even plain strings, so its span type reads "\"LLM\"".
  for (const key of ['mlflow.spanType', 'mlflow.traceRequestId']) {
    const v = attrs[key];
    if (typeof v === 'string') return v.startsWith('"') ? 'python' : 'typescript';
  }
  if (s.parent_span_id === '') return 'typescript';
  for (const v of Object.values(attrs)) if (v !== null && typeof v !== 'string') return 'typescript';
  return undefined;
}

/** Decodes one raw span. Returns a reason string instead when the value cannot be a span. `only`:
 *  the attributes to decode (the rest are left out), for a reader that needs a few of them. */
export function decodeSpan(raw: unknown, index: number, objectEncoding: 'python' | 'typescript', warn: (m: string) => void, only?: ReadonlySet<string>): DecodedSpan | string {
  if (!isRecord(raw)) return `span #${index} is ${raw === null ? 'null' : typeof raw}, not an object`;
  const encoding: SpanEncoding = Array.isArray(raw.attributes) ? 'otel' : (spanEvidence(raw) ?? objectEncoding);
  const ctx = isRecord(raw.context) ? raw.context : undefined;
  const rawId = raw.span_id ?? raw.spanId ?? ctx?.span_id;
  const id = toHexId(rawId, 8);
  const name = typeof raw.name === 'string' ? raw.name : raw.name == null ? '' : String(raw.name);
  // The span's label is built only when a warning needs it: this runs up to 10^6 times.
  if (!id) return `${where(index, name)} has no span_id`;
  if (!id.ok) warn(`${where(index, name)} has a malformed span_id (${describe(rawId)}); a stand-in id ${id.hex} is used`);

  let parentId: string | null = null;
  const rawParent = raw.parent_span_id ?? raw.parentSpanId ?? raw.parent_id;
  if (rawParent !== undefined && rawParent !== null && rawParent !== '') {
    const p = toHexId(rawParent, 8);
    if (!p) warn(`${where(index, name)} has an unreadable parent_span_id (${describe(rawParent)}); treated as a root`);
    else {
      if (!p.ok) warn(`${where(index, name)} has a malformed parent_span_id (${describe(rawParent)})`);
      // OTel's all-zero parent means "no parent".
      parentId = /^0+$/.test(p.hex) ? null : p.hex;
    }
  }
  const t = traceIdOf(raw.trace_id ?? raw.traceId ?? ctx?.trace_id);

  const rawStart = raw.start_time_unix_nano ?? raw.startTimeUnixNano ?? raw.start_time ?? raw.start_time_ns;
  let startNs = toNs(rawStart);
  if (startNs === undefined) {
    warn(`${where(index, name)} has no readable start time (${describe(rawStart)}); placed at 0`);
    startNs = 0n;
  }
  const rawEnd = raw.end_time_unix_nano ?? raw.endTimeUnixNano ?? raw.end_time ?? raw.end_time_ns;
  let endNs: bigint | null = toNs(rawEnd) ?? null;
  if (endNs === 0n) endNs = null;
  if (rawEnd != null && rawEnd !== 0 && rawEnd !== '0' && endNs === null) warn(`${where(index, name)} has an unreadable end time (${describe(rawEnd)}); treated as still running`);
  if (endNs !== null && endNs < startNs) {
    warn(`${where(index, name)} ends before it starts; its end is clamped to its start`);
    endNs = startNs;
  }

  const payload: Payload = {};
  const attributes = encoding === 'otel' ? decodeOtelAttributes(raw.attributes as unknown[], index, name, warn, only) : decodeObjectAttributes(raw.attributes, encoding, payload, only);
  for (const key of STRUCTURED_KEYS) if (key in attributes && attributes[key] !== undefined) attributes[key] = decodeStructured(attributes[key]);

  const { status, message } = decodeStatus(raw, endNs);
  const events = decodeEvents(raw.events, index, name, warn);
  const span: DecodedSpan = { index, id: id.hex, parentId, name, startNs, endNs, status, attributes, events, encoding };
  if (t?.ok) span.otelTraceId = t.hex;
  if (message) span.statusMessage = message;
  if (payload.inputs !== undefined) span.inputsText = payload.inputs;
  if (payload.outputs !== undefined) span.outputsText = payload.outputs;
  return span;
}

/** The trace id last decoded, with what it was decoded from: a trace's spans all carry the same
 *  one, and decoding it for each was a third of reading their ids. */
let lastTraceId: { raw: unknown; id: ReturnType<typeof toHexId> } = { raw: undefined, id: undefined };

function traceIdOf(raw: unknown): ReturnType<typeof toHexId> {
  if (raw !== lastTraceId.raw) lastTraceId = { raw, id: toHexId(raw, 16) };
  return lastTraceId.id;
}

function where(index: number, name: string): string {
  return `span #${index}${name ? ` "${name.slice(0, 80)}"` : ''}`;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === undefined) return 'missing';
  return typeof v === 'object' ? (v === null ? 'null' : Array.isArray(v) ? 'an array' : 'an object') : String(v);
}

interface Payload {
  inputs?: string;
  outputs?: string;
}

function decodeObjectAttributes(attrs: unknown, encoding: 'python' | 'typescript', payload: Payload, only: ReadonlySet<string> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(attrs)) return out;
  // for…in rather than Object.entries: no array per attribute, for up to a million spans. A JSON
  // object has only its own keys to enumerate.
  for (const k in attrs) {
    if (only && !only.has(k)) continue;
    const v = attrs[k];
    if (encoding === 'python' && typeof v === 'string') {
      // The bulk of a span's bytes, needed only when the span is looked at (see lazySpan.ts).
      if (k === INPUTS_ATTR || k === OUTPUTS_ATTR) {
        out[k] = undefined;
        payload[k === INPUTS_ATTR ? 'inputs' : 'outputs'] = v;
        continue;
      }
      const r = tryParseJson(v);
      out[k] = r.ok ? r.value : v;
    } else out[k] = v;
  }
  return out;
}

function decodeOtelAttributes(list: unknown[], index: number, name: string, warn: (m: string) => void, only: ReadonlySet<string> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let bad = 0;
  for (const kv of list) {
    if (!isRecord(kv) || typeof kv.key !== 'string') { bad++; continue; }
    if (only && !only.has(kv.key)) continue;
    out[kv.key] = decodeAnyValue(kv.value, 0);
  }
  if (bad) warn(`${where(index, name)}: ${bad} attribute entr${bad === 1 ? 'y' : 'ies'} without a key ignored`);
  return out;
}

/** OTel AnyValue (proto JSON, snake_case or camelCase) → plain value. */
export function decodeAnyValue(v: unknown, depth: number): unknown {
  if (!isRecord(v)) return v ?? null;
  if (depth > MAX_ANY_DEPTH) return `[value nested deeper than ${MAX_ANY_DEPTH} levels omitted]`;
  if ('string_value' in v || 'stringValue' in v) return v.string_value ?? v.stringValue;
  if ('bool_value' in v || 'boolValue' in v) return v.bool_value ?? v.boolValue;
  if ('int_value' in v || 'intValue' in v) {
    const x = v.int_value ?? v.intValue;
    // proto3 JSON writes int64 as a string; keep it a string only when a number would round it.
    if (typeof x === 'string' && /^-?\d+$/.test(x)) return Number.isSafeInteger(Number(x)) ? Number(x) : x;
    return x;
  }
  if ('double_value' in v || 'doubleValue' in v) {
    const x = v.double_value ?? v.doubleValue;
    if (typeof x !== 'string') return x;
    // proto3 JSON spells the non-finite doubles as strings.
    if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x);
    return toNumber(x) ?? x;
  }
  if ('array_value' in v || 'arrayValue' in v) {
    const arr = (v.array_value ?? v.arrayValue) as unknown;
    const values = isRecord(arr) && Array.isArray(arr.values) ? arr.values : [];
    return values.map((x) => decodeAnyValue(x, depth + 1));
  }
  if ('kvlist_value' in v || 'kvlistValue' in v) {
    const kvl = (v.kvlist_value ?? v.kvlistValue) as unknown;
    const values = isRecord(kvl) && Array.isArray(kvl.values) ? kvl.values : [];
    const o: Record<string, unknown> = {};
    for (const kv of values) if (isRecord(kv) && typeof kv.key === 'string') o[kv.key] = decodeAnyValue(kv.value, depth + 1);
    return o;
  }
  if ('bytes_value' in v || 'bytesValue' in v) return v.bytes_value ?? v.bytesValue;
  return null; // an empty AnyValue is how OTel writes None
}

// A Map, not an object: a span's status is looked up as written first (no new upper-case string
// for each of up to a million spans), and "constructor" must not find Object's.
const STATUS_CODES = new Map<string, SpanStatus>(Object.entries({
  STATUS_CODE_OK: 'OK', OK: 'OK', '1': 'OK',
  STATUS_CODE_ERROR: 'ERROR', ERROR: 'ERROR', '2': 'ERROR',
  STATUS_CODE_UNSET: 'UNSET', UNSET: 'UNSET', '0': 'UNSET',
  IN_PROGRESS: 'IN_PROGRESS',
}));

function decodeStatus(raw: Record<string, unknown>, endNs: bigint | null): { status: SpanStatus; message?: string } {
  const st = raw.status;
  let code: unknown;
  let message: unknown;
  if (isRecord(st)) {
    code = st.code ?? st.status_code;
    message = st.message ?? st.description;
  } else if (typeof st === 'string' || typeof st === 'number') code = st;
  else {
    code = raw.status_code; // MLflow 2.x
    message = raw.status_message;
  }
  let status = (typeof code === 'string' ? STATUS_CODES.get(code) : undefined) ?? STATUS_CODES.get(String(code ?? 'UNSET').toUpperCase()) ?? 'UNSET';
  // A span with no end that nobody marked finished is still running.
  if (endNs === null && status === 'UNSET') status = 'IN_PROGRESS';
  return { status, message: typeof message === 'string' && message !== '' ? message : undefined };
}

function decodeEvents(raw: unknown, index: number, name: string, warn: (m: string) => void): SpanEvent[] {
  if (raw == null) return [];
  if (!Array.isArray(raw)) {
    warn(`${where(index, name)}: events is not a list; ignored`);
    return [];
  }
  const out: SpanEvent[] = [];
  // Event attributes are raw OTel values in the object encodings (never JSON-encoded).
  for (const e of raw) {
    if (!isRecord(e)) continue;
    const timeNs = toNs(e.time_unix_nano ?? e.timeUnixNano ?? e.timestamp) ?? 0n;
    let attributes: Record<string, unknown> = {};
    if (Array.isArray(e.attributes)) {
      for (const kv of e.attributes) if (isRecord(kv) && typeof kv.key === 'string') attributes[kv.key] = decodeAnyValue(kv.value, 0);
    } else if (isRecord(e.attributes)) attributes = { ...e.attributes };
    out.push({ name: typeof e.name === 'string' ? e.name : String(e.name ?? ''), timeNs, attributes });
  }
  return out;
}
