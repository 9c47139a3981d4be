// Where JSON values end in a text, found without parsing them: the lexical scans of the sliced
// parser (jsonSteps.ts), which decides from them what to hand whole to JSON.parse. Every function
// takes the text and an index and returns an index; malformed text throws Malformed.
import { isUnsafeInteger } from './jsonLossless';

export const QUOTE = 34;
const BACKSLASH = 92;
const PRIMITIVE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
/** Characters a number or literal may hold (an empty match leaves lastIndex where it started). */
const TOKEN = /[\w.+-]*/y;
/** stringEnd and containerEnd: the text ends inside a string. */
export const NO_QUOTE = -2;

export class Malformed extends Error {}

export function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** The index just past the string literal that opens at `i`; 0 when it ends at or after `stop`;
 *  NO_QUOTE when the text ends first (malformed, once the text is all here). */
export function stringEnd(text: string, i: number, stop = text.length): number {
  if (text.charCodeAt(i) !== QUOTE) throw new Malformed();
  let q = text.indexOf('"', i + 1);
  while (q !== -1) {
    if (q >= stop) return 0;
    let b = 0;
    while (text.charCodeAt(q - 1 - b) === BACKSLASH) b++;
    if (b % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return NO_QUOTE;
}

/** The end of the run of characters that may belong to a number or literal starting at `i`. */
export function tokenEnd(text: string, i: number): number {
  TOKEN.lastIndex = i;
  TOKEN.test(text);
  return TOKEN.lastIndex;
}

export function primitiveEnd(text: string, i: number): number {
  PRIMITIVE.lastIndex = i;
  if (!PRIMITIVE.test(text)) throw new Malformed();
  return PRIMITIVE.lastIndex;
}

/** The index just past the container that opens at `i`, or -1 when it runs past `limit` characters
 *  (a string running past the limit included: its end is not looked for), or NO_QUOTE when a
 *  string in it runs to the end of the text. Puts the unsafe integer literals outside its strings
 *  in `found`. */
export function containerEnd(text: string, i: number, limit: number, found: number[]): number {
  const stop = Math.min(text.length, i + limit);
  found.length = 0;
  let depth = 0;
  for (let j = i; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      const end = stringEnd(text, j, stop);
      if (end === NO_QUOTE) return NO_QUOTE;
      if (end === 0) return -1;
      j = end - 1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return j + 1;
    } else if (c === 45 || (c >= 48 && c <= 57)) j = numberEnd(text, j, stop, found) - 1;
  }
  return -1;
}

/** The end of the number token at `j` (outside any string); an integer literal a double cannot
 *  hold goes to `found`. Decides as parseJsonLossless' pattern does: 16 or more digits, no
 *  fraction or exponent after them. */
function numberEnd(text: string, j: number, stop: number, found: number[]): number {
  let k = text.charCodeAt(j) === 45 ? j + 1 : j;
  const digits = k;
  while (k < stop && isDigit(text.charCodeAt(k))) k++;
  const c = text.charCodeAt(k);
  if (c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */) {
    while (k < stop && isNumberChar(text.charCodeAt(k))) k++;
    return k;
  }
  if (k - digits >= 16 && isUnsafeInteger(text.slice(j, k))) found.push(j, k);
  return Math.max(k, j + 1);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNumberChar = (c: number): boolean => isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
