// parseJsonLossless for bodies too large to parse in one block: the traces.json of a
// 100,000-span trace is 84 MB, and JSON.parse of it holds the extension host for a second.
// The containers of such a body are taken apart here, a few at a time, as steps (see
// model/steps.ts); every value that fits in CHUNK characters is handed whole to
// parseJsonLossless, so almost all the parsing still happens at native speed. The result is the
// same value parseJsonLossless(text) gives. Malformed input is handed to parseJsonLossless too, so
// it fails with JSON.parse's own message and position.
import { pauseHere, type Steps } from '../model/steps';
import { parseJsonLossless } from './json';

/** Values up to this many characters are parsed whole. */
const CHUNK = 64 * 1024;
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
  try {
    return yield* build(text, chunk);
  } catch (e) {
    // A piece that failed to parse names its position in the piece: the whole text, parsed
    // again, fails with the position in the text (or, were this scanner wrong, parses).
    if (!(e instanceof Malformed || e instanceof SyntaxError)) throw e;
    return parseJsonLossless(text);
  }
}

function* build(text: string, chunk: number): Steps<unknown> {
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

  let i = skipSpace(text, 0);
  for (let step = 0; i >= 0; step++) {
    if (pauseHere(step, 8)) yield i / text.length;
    i = skipSpace(text, i);
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
      const end = containerEnd(text, i, chunk);
      if (end < 0) {
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

/** The index just past the string literal that opens at `i`. */
function stringEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) throw new Malformed();
  let q = text.indexOf('"', i + 1);
  while (q !== -1) {
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

/** The index just past the container that opens at `i`, or -1 when it runs past `limit` characters. */
function containerEnd(text: string, i: number, limit: number): number {
  const stop = Math.min(text.length, i + limit);
  let depth = 0;
  for (let j = i; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) j = stringEnd(text, j) - 1;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}
