// The raw spans of a large trace's first rows, found before the trace is normalised: the top of
// the tree, depth first, as the panel lists it. Normalising 300,000 spans takes seconds; these few
// thousand are read in milliseconds and shown while the rest is read (a preview the whole table
// then replaces, so an odd trace this reads a little differently is shown right a moment later).
//
// Only what the order needs is read: each span's id and parent as the payload spells them (a
// trace spells them one way throughout), and start and end times only for siblings that are
// sorted. Siblings go as spanTree.ts orders them: by start, then end, then payload order; real
// roots first, then spans whose parent is missing. A span in a parent loop is never reached here.
import { isRecord } from '../shared/json';
import { pauseHere, type Steps } from '../shared/steps';
import { siblingOrder } from './spanTree';
import { toNs } from './time';

/** OTel's "no parent", hex or base64. */
const NO_PARENT = /^(?:0+|A+=*)$/;

function rawId(s: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = s[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  }
  const ctx = s.context;
  if (isRecord(ctx) && keys === ID_KEYS) return rawId(ctx, ['span_id']);
  return undefined;
}

const ID_KEYS = ['span_id', 'spanId'] as const;
const PARENT_KEYS = ['parent_span_id', 'parentSpanId', 'parent_id'] as const;
const START_KEYS = ['start_time_unix_nano', 'startTimeUnixNano', 'start_time', 'start_time_ns'] as const;
const END_KEYS = ['end_time_unix_nano', 'endTimeUnixNano', 'end_time', 'end_time_ns'] as const;

function time(s: unknown, keys: readonly string[]): bigint | undefined {
  if (!isRecord(s)) return undefined;
  for (const k of keys) if (s[k] !== undefined && s[k] !== null) return toNs(s[k]);
  return undefined;
}

/**
 * The first `k` spans of `list` in the tree's depth-first order, in payload order (so sibling
 * ties resolve as they do for the whole list); undefined when the list has no more than `k`.
 */
export function* topOfTreeSteps(list: readonly unknown[], k: number): Steps<unknown[] | undefined> {
  const n = list.length;
  if (n <= k) return undefined;
  const indexOf = new Map<string, number>();
  const ids: (string | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = list[i];
    const id = isRecord(s) ? rawId(s, ID_KEYS) : undefined;
    ids[i] = id;
    // The first span keeps a repeated id, as in spanTree.ts.
    if (id !== undefined && !indexOf.has(id)) indexOf.set(id, i);
    if (pauseHere(i, 4096)) yield (0.5 * i) / n;
  }
  // Each span's parent index (-1: a real root, -2: its parent is missing), then the child lists
  // as one array in payload order (no array per parent: a 300,000-span list makes 300,000 of them).
  const parent = new Int32Array(n).fill(-3);
  const childCount = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (ids[i] === undefined) continue; // unreadable: normalising skips it too
    const p = rawId(list[i] as Record<string, unknown>, PARENT_KEYS);
    const at = p === undefined || NO_PARENT.test(p) ? -1 : (indexOf.get(p) ?? -2);
    parent[i] = at === i ? -2 : at;
    if (parent[i] >= 0) childCount[parent[i] + 1]++;
    if (pauseHere(i, 4096)) yield 0.5 + (0.2 * i) / n;
  }
  for (let i = 0; i < n; i++) childCount[i + 1] += childCount[i];
  const firstChild = childCount; // firstChild[p] .. firstChild[p + 1]: p's children, once filled
  const kids = new Int32Array(n);
  const filled = new Int32Array(n);
  const roots: number[] = [];
  const orphans: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p >= 0) kids[firstChild[p] + filled[p]++] = i;
    else if (p === -1) roots.push(i);
    else if (p === -2) orphans.push(i);
    if (pauseHere(i, 4096)) yield 0.7 + (0.2 * i) / n;
  }
  const starts = new Map<number, bigint>();
  const startOf = (i: number): bigint => {
    let t = starts.get(i);
    if (t === undefined) starts.set(i, (t = time(list[i], START_KEYS) ?? 0n));
    return t;
  };
  const byStart = siblingOrder(startOf, (i) => time(list[i], END_KEYS));
  const stack = [...orphans.sort(byStart).reverse(), ...roots.sort(byStart).reverse()];
  const taken: number[] = [];
  const seen = new Set<number>();
  while (stack.length && taken.length < k) {
    const i = stack.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    taken.push(i);
    const from = firstChild[i];
    const to = firstChild[i + 1];
    if (to - from === 1) stack.push(kids[from]);
    else if (to > from) {
      const c = Array.from(kids.subarray(from, to)).sort(byStart);
      for (let j = c.length - 1; j >= 0; j--) stack.push(c[j]);
    }
  }
  yield 1;
  return taken.sort((a, b) => a - b).map((i) => list[i]);
}
