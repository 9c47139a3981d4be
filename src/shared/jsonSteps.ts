// parseJsonLossless for bodies too large to parse in one block: the traces.json of a
// 100,000-span trace is 84 MB, and JSON.parse of it holds the extension host for a second.
// The containers of such a body are taken apart here, a few at a time, as steps (see
// shared/steps.ts); every value that fits in CHUNK characters is handed whole to
// parseJsonLossless (a list's small items in runs, jsonRun.ts), so a trace body is still parsed
// almost entirely at native speed. The result is the same value parseJsonLossless(text) gives.
// Malformed input up to 1 MB is handed to parseJsonLossless too, so it fails with JSON.parse's
// own message and position. Large containers of tiny values (a million numbers) are slower here
// than in one JSON.parse, each value being a piece of its own; trace bodies, whose pieces are
// spans, are not.
import { pauseHere, type Steps } from './steps';
import { parseJsonLossless, parseQuoted } from './jsonLossless';
import { readRun } from './jsonRun';
import { containerEnd, Malformed, NO_QUOTE, primitiveEnd, QUOTE, skipSpace, stringEnd, tokenEnd } from './jsonScan';
import { TextWindow, wholeText, type TextSource } from './textWindow';

/** Values up to this many characters are parsed whole. */
const CHUNK = 64 * 1024;
/** Malformed text up to this long is parsed again whole for JSON.parse's exact error. */
const RE_PARSE_CHARS = 1 << 20;
/** Characters pulled in at least each time the text seen so far runs out. */
const PULL = 256 * 1024;

interface Frame {
  value: unknown[] | Record<string, unknown>;
  /** Values put in so far. */
  count: number;
  /** The key awaiting its value (objects only). */
  key?: string;
  /** Its place matches StreamOptions.items' path so far (and, at the path's end, it is the list). */
  onPath: boolean;
}

/** A list inside the value whose items are handed over as each is complete (see StreamOptions). */
export interface ItemWatch {
  /** Keys from the top-level value down to the list: ['spans'] for {"spans": [...]}, [] for a
   *  top-level list. */
  path: readonly string[];
  /** Called once per item, in order, with the very value the list will hold. Must be quick: it
   *  runs inside the parse. */
  each: (value: unknown, index: number) => void;
  /** Work on the items for about `ms` milliseconds, done while the text waits for its next piece;
   *  false when there is nothing left to do for now. */
  idle?: (ms: number) => boolean;
}

export interface StreamOptions {
  /** Values up to this many characters are parsed whole (smaller in tests, to reach every path on
   *  small inputs). */
  chunk?: number;
  /** Characters pulled in at least each time the text seen so far runs out (see TextWindow). */
  pull?: number;
  /** Malformed text up to this long is parsed again whole, for JSON.parse's exact error (0 in
   *  tests: what the steps themselves make of it). */
  reparse?: number;
  /** A list whose items the caller reads while the rest of the text is still arriving. Only a
   *  list too large to parse whole is taken apart, so a smaller one's items are not handed over:
   *  the caller must still read whatever it was not given. */
  items?: ItemWatch;
}

/** The value of `text`, as steps. */
export function parseJsonSteps(text: string, chunk = CHUNK, reparse = RE_PARSE_CHARS): Steps<unknown> {
  return parseJsonStreamSteps(wholeText(text), { chunk, reparse });
}

/**
 * The value of a text that arrives in pieces (a body still downloading), as steps that yield WAIT
 * while the next piece has not arrived: the parse keeps up with the download instead of starting
 * after it, and the pieces are never joined. The value and the error are those of
 * parseJsonSteps(the whole text): a value is taken whole or apart exactly as there, because the
 * choice is made only once the text holds `chunk` characters past its start, or all of it.
 */
export function* parseJsonStreamSteps(source: TextSource, o: StreamOptions = {}): Steps<unknown> {
  const chunk = o.chunk ?? CHUNK;
  const reparse = o.reparse ?? RE_PARSE_CHARS;
  const w = new TextWindow(source, o.pull ?? PULL, reparse);
  const at = { i: 0 };
  try {
    return yield* build(w, chunk, at, o.items);
  } catch (e) {
    if (!(e instanceof Malformed || e instanceof SyntaxError)) throw e;
    // A piece that failed to parse names its position in the piece. Up to a megabyte the whole
    // text is parsed again, to fail with JSON.parse's own message and position; a larger one
    // would hold the host for seconds, so the error says where the bad piece starts instead.
    yield* w.drain();
    if (w.total <= reparse) return parseJsonLossless(w.prefix);
    const detail = e instanceof SyntaxError ? `: ${e.message}` : '';
    throw new SyntaxError(`Malformed JSON in the value at character ${at.i} of ${w.total}${detail}`);
  }
}

/** Reads the text's value. Two states: at the start of a value (after a key and colon, in an
 *  object), or after one (where a comma, a closing bracket or the end comes). Wherever the text
 *  seen so far ends before the state's work can be decided, more is pulled in and the state is
 *  done again from where it began. */
function* build(w: TextWindow, chunk: number, at: { i: number }, items: ItemWatch | undefined): Steps<unknown> {
  const stack: Frame[] = [];
  let result: unknown;
  /** Puts a finished value into the container being built, or makes it the result. */
  const put = (v: unknown): void => {
    const top = stack[stack.length - 1];
    if (!top) result = v;
    else if (Array.isArray(top.value)) {
      top.value.push(v);
      if (top.onPath && stack.length === (items as ItemWatch).path.length + 1) (items as ItemWatch).each(v, top.count);
    } else {
      // A "__proto__" key is an own property in JSON.parse's result, never the prototype.
      Object.defineProperty(top.value, top.key as string, { value: v, writable: true, enumerable: true, configurable: true });
      top.key = undefined;
    }
    if (top) top.count++;
  };

  /** Absolute index: inside the first half of a scan that ran out, a container is opened without
   *  scanning (deep nesting would otherwise rescan the same `chunk` characters once per level). */
  let noScanBefore = 0;
  /** Absolute index: items before it are read one by one (a run that ends there did not parse). */
  let noRunBefore = 0;
  let after = false;
  let i = 0;
  yield* w.grow(0);
  for (let step = 0; ; step++) {
    if (pauseHere(step, 8)) yield (w.base + i) / Math.max(w.total, 1);
    const text = w.text;
    i = skipSpace(text, i);
    const short = i >= text.length && !w.ended;
    if (after) {
      if (short) {
        yield* w.grow(i);
        i = 0;
        continue;
      }
      if (!stack.length) {
        if (i !== text.length) throw new Malformed(); // something after the value
        return result;
      }
      const c = text.charCodeAt(i);
      const top = stack[stack.length - 1];
      if (c === 44 /* , */) after = false;
      else if (c !== (Array.isArray(top.value) ? 93 /* ] */ : 125) /* } */) throw new Malformed();
      else {
        stack.pop();
        put(top.value);
      }
      i++;
      continue;
    }
    const from = i;
    const top = stack[stack.length - 1];
    // In a list taken apart, a run of its items at once (see jsonRun.ts).
    const run = top && Array.isArray(top.value) && w.base + i >= Math.max(noScanBefore, noRunBefore) ? readRun(text, i, chunk) : undefined;
    if (run?.values) {
      at.i = w.base + run.last;
      for (const v of run.values) put(v);
      i = run.end;
      after = true;
      continue;
    }
    if (run) noRunBefore = w.base + run.end;
    const unit = readUnit(w, stack, chunk, i, noScanBefore, at);
    if (unit === undefined) {
      yield* w.grow(from);
      i = 0;
      continue;
    }
    if (unit.key !== undefined) stack[stack.length - 1].key = unit.key;
    if (unit.open) {
      if (w.base + unit.end - 1 >= noScanBefore) noScanBefore = w.base + unit.end - 1 + chunk / 2;
      stack.push({ value: unit.open === 123 ? {} : [], count: 0, onPath: onPath(items, stack, unit.open) });
      after = false;
    } else {
      put(unit.value);
      after = true;
    }
    i = unit.end;
  }
}

/** Whether a container opening under `stack`'s top lies on the watched list's path (the list
 *  itself only if it is a list). */
function onPath(items: ItemWatch | undefined, stack: Frame[], bracket: number): boolean {
  if (!items) return false;
  const depth = stack.length;
  if (depth > items.path.length) return false;
  const parent = stack[depth - 1];
  // An object's key names the container; inside a list it is an item, never on a path of keys.
  const fits = !parent || (parent.onPath && !Array.isArray(parent.value) && parent.key === items.path[depth - 1]);
  return fits && (depth < items.path.length || bracket === 91);
}

interface Unit {
  /** The object key before the value. */
  key?: string;
  /** A container too large to parse whole, opened: its bracket. */
  open?: number;
  value?: unknown;
  /** Where the text after the value (or the opening bracket) starts. */
  end: number;
}

/** The key (in an object) and the value, or the opening of a large container, that start at `i`;
 *  undefined when the text seen so far ends before they can be told (the caller pulls in more and
 *  asks again). An empty container closing at `i` comes back as the finished container. */
function readUnit(w: TextWindow, stack: Frame[], chunk: number, i: number, noScanBefore: number, at: { i: number }): Unit | undefined {
  const text = w.text;
  const ended = w.ended;
  if (i >= text.length && !ended) return undefined;
  at.i = w.base + i;
  const top = stack[stack.length - 1];
  // An empty container closing.
  if (top && top.count === 0 && text.charCodeAt(i) === (Array.isArray(top.value) ? 93 /* ] */ : 125) /* } */) {
    stack.pop();
    return { value: top.value, end: i + 1 };
  }
  // In an object, a key and a colon come first.
  let key: string | undefined;
  if (top && !Array.isArray(top.value)) {
    const end = stringEnd(text, i);
    if (end < 0) return ended ? malformed() : undefined;
    key = JSON.parse(text.slice(i, end)) as string;
    i = skipSpace(text, end);
    if (i >= text.length && !ended) return undefined;
    if (text.charCodeAt(i) !== 58 /* : */) throw new Malformed();
    i = skipSpace(text, i + 1);
    if (i >= text.length && !ended) return undefined;
  }
  // A value: parsed whole when small; a large container is opened and built from its parts.
  const v = text.charCodeAt(i);
  if (v === 123 /* { */ || v === 91 /* [ */) {
    const scan = w.base + i >= noScanBefore;
    const end = scan ? containerEnd(text, i, chunk, unsafe) : -1;
    // Whether it ends within `chunk` characters is known once that many are here, or all.
    if (scan && (end === NO_QUOTE || (end < 0 && i + chunk > text.length))) {
      if (!ended) return undefined;
      if (end === NO_QUOTE) throw new Malformed();
    }
    if (end < 0) return { key, open: v, end: i + 1 };
    return { key, value: parseQuoted(text, i, end, unsafe), end };
  }
  if (v === QUOTE) {
    const end = stringEnd(text, i);
    if (end < 0) return ended ? malformed() : undefined;
    return { key, value: parseJsonLossless(text.slice(i, end)), end };
  }
  // A number or a literal: complete once a character that cannot continue it is here, or the end.
  if (!ended && tokenEnd(text, i) >= text.length) return undefined;
  const end = primitiveEnd(text, i);
  return { key, value: parseJsonLossless(text.slice(i, end)), end };
}

function malformed(): never {
  throw new Malformed();
}

/** Unsafe integer literals containerEnd found in the container it last scanned (start and end
 *  index pairs), for parseQuoted: the lossless parse without a second look for them. */
const unsafe: number[] = [];
