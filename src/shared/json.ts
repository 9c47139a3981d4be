// JSON helpers for span payloads: a lossless parse for wire bodies whose int64 nanosecond times
// exceed 2^53, and a tolerant decode for attribute values that may or may not be JSON strings.

// One lossless parser for the whole extension (jsonLossless.ts), which
// is measured against JSON.parse in test/unit/mlflow-json.test.ts.
import { parseJsonLossless } from './jsonLossless';

export { parseJsonLossless };

const LONG_DIGITS = /\d{16}/;
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters
const PLAIN_JSON_STRING = /^"[^"\\\u0000-\u001f]*"$/;

/** JSON.parse that reports failure instead of throwing, lossless for big integers (Python's
 *  traces.json nests JSON in strings, so an int64 inside an input would otherwise round). */
export function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  // The commonest attribute value in Python's traces.json is a JSON string with nothing to
  // unescape ("\"CHAIN\""): sliced out instead of parsed, it is the same value, found faster.
  if (text.charCodeAt(0) === 34 && PLAIN_JSON_STRING.test(text)) return { ok: true, value: text.slice(1, -1) };
  try {
    return { ok: true, value: LONG_DIGITS.test(text) ? parseJsonLossless(text) : JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A value that should be structured (inputs, usage, cost, tools) but may arrive as a JSON string:
 *  OTLP-ingested spans carry such attributes as plain strings, which every encoding then returns
 *  as a string. Only object/array text is decoded, so a plain prompt string stays a string; and
 *  `null`, which is how MLflow hands back a JSON null it took over OTLP (a delete's reply), the
 *  same way the Python encoding's parse reads it. */
export function decodeStructured(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === 'null') return null;
  const t = value.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return value;
  const r = tryParseJson(value);
  return r.ok && r.value !== null && typeof r.value === 'object' ? r.value : value;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number from a number or numeric string; undefined otherwise. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const x = Number(v);
    return Number.isFinite(x) ? x : undefined;
  }
  return undefined;
}

/** A value as one line of JSON for labels and plain text, cut after 2,000 characters. */
export function compactJson(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 2000 ? `${s.slice(0, 2000)}…` : s;
  } catch {
    return String(v);
  }
}
