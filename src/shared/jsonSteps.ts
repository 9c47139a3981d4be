// parseJsonLossless for bodies too large to parse in one block: the traces.json of a
// 100,000-span trace is 84 MB, and JSON.parse of it holds the extension host for a second.
// The containers of such a body are taken apart here, a few at a time, as steps (see
// shared/steps.ts); every value that fits in CHUNK characters is handed whole to
// parseJsonLossless, so a trace body is still parsed almost entirely at native speed. The
// result is the same value parseJsonLossless(text) gives. Malformed input up to 1 MB is handed to
// parseJsonLossless too, so it fails with JSON.parse's own message and position. Large containers
// of tiny values (a million numbers) are slower here than in one JSON.parse, each value being a
// piece of its own; trace bodies, whose pieces are spans, are not.
import { pauseHere, type Steps } from './steps';
import { parseJsonLossless } from './jsonLossless';

/** Values up to this many characters are parsed whole. */
const CHUNK = 64 * 1024;
/** Malformed text up to this long is parsed again whole for JSON.parse's exact error. */
const RE_PARSE_CHARS = 1 << 20;
const QUOTE = 34;
const BACKSLASH = 92;
const PRIMITIVE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

class Malformed extends Error {}

interface Frame {
  value: unknown[] | Record<string, unknown>;
  /** Values put in so far. */
  count: number;
  /** The key awaiting its value (objects only). */
  key?: string;
}

/** `chunk`: values up to this many characters are parsed whole (smaller in tests, to reach every
 *  path on small inputs). */
export function* parseJsonSteps(text: string, chunk = CHUNK): Steps<unknown> {
  const at = { i: 0 };
  try {
    return yield* build(text, chunk, at);
  } catch (e) {
    if (!(e instanceof Malformed || e instanceof SyntaxError)) throw e;
    // A piece that failed to parse names its position in the piece. Up to a megabyte the whole
    // text is parsed again, to fail with JSON.parse's own message and position; a larger one
    // would hold the host for seconds, so the error says where the bad piece starts instead.
    if (text.length <= RE_PARSE_CHARS) return parseJsonLossless(text);
    const detail = e instanceof SyntaxError ? `: ${e.message}` : '';
    throw new SyntaxError(`Malformed JSON in the value at character ${at.i} of ${text.length}${detail}`);
  }
}

function* build(text: string, chunk: number, at: { i: number }): Steps<unknown> {
  const stack: Frame[] = [];
  let result: unknown;
  /** Puts a finished value into the container being built, or makes it the result. */
  const put = (v: unknown): void => {
    const top = stack[stack.length - 1];
    if (!top) result = v;
    else if (Array.isArray(top.value)) top.value.push(v);
    else {
      // A "__proto__" key is an own property in JSON.parse's result, never the prototype.
      Object.defineProperty(top.value, top.key as string, { value: v, writable: true, enumerable: true, configurable: true });
      top.key = undefined;
    }
    if (top) top.count++;
  };
  /** Puts `v` in place, then closes every container that ends right after it. Returns where the
   *  next key or value starts, or -1 when the outermost value is complete. */
  const finish = (v: unknown, i: number): number => {
    put(v);
    for (;;) {
      i = skipSpace(text, i);
      if (!stack.length) {
        if (i !== text.length) throw new Malformed(); // something after the value
        return -1;
      }
      const c = text.charCodeAt(i);
      if (c === 44 /* , */) return i + 1;
      const top = stack[stack.length - 1];
      if (c !== (Array.isArray(top.value) ? 93 /* ] */ : 125) /* } */) throw new Malformed();
      stack.pop();
      put(top.value);
      i++;
    }
  };

  let noScanBefore = 0;
  let i = skipSpace(text, 0);
  for (let step = 0; i >= 0; step++) {
    if (pauseHere(step, 8)) yield i / text.length;
    i = skipSpace(text, i);
    at.i = i;
    const top = stack[stack.length - 1];
    // An empty container closing.
    if (top && top.count === 0 && text.charCodeAt(i) === (Array.isArray(top.value) ? 93 /* ] */ : 125) /* } */) {
      stack.pop();
      i = finish(top.value, i + 1);
      continue;
    }
    // In an object, a key and a colon come first.
    if (top && !Array.isArray(top.value)) {
      const end = stringEnd(text, i);
      top.key = JSON.parse(text.slice(i, end)) as string;
      i = skipSpace(text, end);
      if (text.charCodeAt(i) !== 58 /* : */) throw new Malformed();
      i = skipSpace(text, i + 1);
    }
    // A value: parsed whole when small; a large container is opened and built from its parts.
    const v = text.charCodeAt(i);
    if (v === 123 /* { */ || v === 91 /* [ */) {
      // Inside the first half of a scan that ran out, a container is opened without scanning:
      // deep nesting would otherwise rescan the same `chunk` characters once per level.
      const end = i < noScanBefore ? -1 : containerEnd(text, i, chunk);
      if (end < 0) {
        if (i >= noScanBefore) noScanBefore = i + chunk / 2;
        stack.push({ value: v === 123 ? {} : [], count: 0 });
        i++;
      } else i = finish(parseJsonLossless(text.slice(i, end)), end);
      continue;
    }
    const end = v === QUOTE ? stringEnd(text, i) : primitiveEnd(text, i);
    i = finish(parseJsonLossless(text.slice(i, end)), end);
  }
  return result;
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** The index just past the string literal that opens at `i`; 0 when it does not end before `stop`. */
function stringEnd(text: string, i: number, stop = text.length): number {
  if (text.charCodeAt(i) !== QUOTE) throw new Malformed();
  let q = text.indexOf('"', i + 1);
  while (q !== -1) {
    if (q >= stop) return 0;
    let b = 0;
    while (text.charCodeAt(q - 1 - b) === BACKSLASH) b++;
    if (b % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  throw new Malformed();
}

function primitiveEnd(text: string, i: number): number {
  PRIMITIVE.lastIndex = i;
  if (!PRIMITIVE.test(text)) throw new Malformed();
  return PRIMITIVE.lastIndex;
}

/** The index just past the container that opens at `i`, or -1 when it runs past `limit` characters
 *  (a string running past the limit included: its end is not looked for). */
function containerEnd(text: string, i: number, limit: number): number {
  const stop = Math.min(text.length, i + limit);
  let depth = 0;
  for (let j = i; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j = stringEnd(text, j, stop) - 1;
      if (j < 0) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}
