// A run of a large list's items, parsed in one JSON.parse (jsonSteps.ts). A trace body's span list
// is taken apart item by item, and each JSON.parse has a cost of its own: the 10,000 spans of
// bench/gen-trace.mjs took 40 ms parsed one by one, 21 ms in runs of 32 or more (2026-12-06). The
// scan still finds where each item ends, so a run holds about `chunk` characters at most, and an
// item too large for one (or not all here yet) is left to the caller, which opens it or pulls in
// more text.
import { parseQuoted } from './jsonLossless';
import { containerEnd, skipSpace } from './jsonScan';

/** Items read together: fewer gain nothing over reading each alone. */
const MIN_RUN = 2;

export interface Run {
  /** Undefined when the run does not parse: its items are then read one by one, and a malformed
   *  one fails with its own position. */
  values: unknown[] | undefined;
  /** Where the run's last item starts (errors past it are reported from there, as when the items
   *  are read one by one) and where the text after it starts. */
  last: number;
  end: number;
}

/**
 * The items of a list from `i` (where an item starts) while each is an object or a list that ends
 * within the text (and within `chunk` characters), up to about `chunk` characters in all; undefined
 * when fewer than MIN_RUN are.
 */
export function readRun(text: string, i: number, chunk: number): Run | undefined {
  const unsafe: number[] = [];
  const found: number[] = [];
  let count = 0;
  let last = i;
  let end = i;
  for (let j = i; ; ) {
    const c = text.charCodeAt(j);
    if (c !== 123 /* { */ && c !== 91 /* [ */) break;
    const itemEnd = containerEnd(text, j, chunk, found);
    if (itemEnd < 0) break;
    for (const x of found) unsafe.push(x);
    count++;
    last = j;
    end = itemEnd;
    if (end - i >= chunk) break;
    const k = skipSpace(text, end);
    if (text.charCodeAt(k) !== 44 /* , */) break;
    j = skipSpace(text, k + 1);
  }
  if (count < MIN_RUN) return undefined;
  let values: unknown[] | undefined;
  try {
    values = parseQuoted(text, i, end, unsafe, true) as unknown[];
  } catch {
    /* malformed: see Run.values */
  }
  return { values, last, end };
}
