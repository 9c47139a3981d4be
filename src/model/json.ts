// JSON helpers for span payloads: a lossless parse for wire bodies whose int64 nanosecond times
// exceed 2^53, and a tolerant decode for attribute values that may or may not be JSON strings.

/** Parses JSON, keeping integer literals beyond Number.MAX_SAFE_INTEGER as decimal strings
 *  (the convention of src/mlflow/types.ts `Int64`), so nanosecond times survive exactly.
 *  Throws SyntaxError like JSON.parse on malformed text. Linear time: one scan, then JSON.parse. */
export function parseJsonLossless(text: string): unknown {
  const pieces: string[] = [];
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip a string literal, honouring backslash escapes.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) { i++; break; }
        else i++;
      }
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      let integer = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) i++;
        else if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) { integer = false; i++; }
        else break;
      }
      // 16+ digits may exceed 2^53 - 1 (9007199254740991, 16 digits); check exactly.
      const digits = text.charCodeAt(start) === 0x2d ? i - start - 1 : i - start;
      if (integer && digits >= 16) {
        const literal = text.slice(start, i);
        if (!Number.isSafeInteger(Number(literal))) {
          pieces.push(text.slice(last, start), '"', literal, '"');
          last = i;
        }
      }
      continue;
    }
    i++;
  }
  if (last === 0) return JSON.parse(text);
  pieces.push(text.slice(last));
  return JSON.parse(pieces.join(''));
}

const LONG_DIGITS = /\d{16}/;

/** JSON.parse that reports failure instead of throwing, lossless for big integers (Python's
 *  traces.json nests JSON in strings, so an int64 inside an input would otherwise round). */
export function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: LONG_DIGITS.test(text) ? parseJsonLossless(text) : JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A value that should be structured (inputs, usage, cost, tools) but may arrive as a JSON string:
 *  OTLP-ingested spans carry such attributes as plain strings, which every encoding then returns
 *  as a string. Only object/array text is decoded, so a plain prompt string stays a string. */
export function decodeStructured(value: unknown): unknown {
  if (typeof value !== 'string') return value;
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
