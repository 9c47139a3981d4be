// One top-level field of a JSON object text, read without parsing the rest. A model call's
// response is mostly text; what the span table needs from it (the usage metadata) is a few
// numbers. The scan jumps from string to string with indexOf, so it costs per token, not per
// character, and builds no objects: the rest of the response is decoded only when someone asks.
import { tryParseJson } from './json';

const QUOTE = 34;
const BACKSLASH = 92;
/** What may stand outside strings in valid JSON: brackets, punctuation, numbers, the letters of
 *  true/false/null, white space. */
const ALLOWED = (() => {
  const t = new Uint8Array(128);
  for (const c of '{}[]:,+-.0123456789eEtruefalsn \n\r\t') t[c.charCodeAt(0)] = 1;
  return t;
})();

/**
 * The values of `keys` at the top level of the JSON object `text` (of duplicate keys the last, as
 * JSON.parse keeps), parsed; a key the object lacks is absent from the map. Undefined when the text
 * is not an object or is malformed as far as the scan can tell (unbalanced or mismatched brackets,
 * an unterminated string, characters JSON does not allow outside strings, a value that does not
 * parse): the caller then decodes the text whole. Not checked: the grammar between tokens
 * (`{"a": 1 2}`) and raw control characters inside strings, which JSON.parse rejects.
 */
export function topLevelFields(text: string, keys: readonly string[]): Map<string, unknown> | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 123) return undefined;
  const closers: number[] = [];
  let expectKey = false;
  let wanted: string | undefined;
  let valueFrom = -1;
  const slices = new Map<string, string>();
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (closers.length === 1 && expectKey) {
        const raw = text.slice(i + 1, end - 1);
        const name = raw.includes('\\') ? unescape(raw) : raw;
        wanted = name !== undefined && keys.includes(name) ? name : undefined;
        expectKey = false;
      }
      i = end - 1;
      continue;
    }
    if (c >= 128 || ALLOWED[c] === 0) return undefined;
    if (c === 123 || c === 91) {
      closers.push(c + 2); // { → }, [ → ]
      if (closers.length === 1) expectKey = true;
    } else if (c === 125 || c === 93) {
      if (closers.pop() !== c) return undefined;
      if (closers.length === 0) {
        if (wanted !== undefined) slices.set(wanted, text.slice(valueFrom, i));
        for (let j = i + 1; j < n; j++) if (!isSpace(text.charCodeAt(j))) return undefined;
        return parsedAll(slices);
      }
    } else if (closers.length === 1) {
      if (c === 58 && !expectKey) valueFrom = i + 1; // ':'
      else if (c === 44) { // ','
        if (wanted !== undefined) slices.set(wanted, text.slice(valueFrom, i));
        wanted = undefined;
        expectKey = true;
      }
    }
  }
  return undefined; // the object never closed
}

function parsedAll(slices: Map<string, string>): Map<string, unknown> | undefined {
  const out = new Map<string, unknown>();
  for (const [k, v] of slices) {
    const r = tryParseJson(v.trim());
    if (!r.ok) return undefined;
    out.set(k, r.value);
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Just past the closing quote of the string opening at `i`, or -1 when it never closes. */
function stringEnd(text: string, i: number): number {
  let q = text.indexOf('"', i + 1);
  while (q !== -1) {
    let b = 0;
    while (text.charCodeAt(q - 1 - b) === BACKSLASH) b++;
    if (b % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

function unescape(raw: string): string | undefined {
  const r = tryParseJson(`"${raw}"`);
  return r.ok && typeof r.value === 'string' ? r.value : undefined;
}
