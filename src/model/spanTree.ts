// Links flat spans into a tree. Payloads are untrusted: duplicate ids, parents that name no span,
// parent chains that loop, and 10^6-span fan-outs must all come out as a tree, in linear time
// (plus the sort of each child list) and without recursion, so depth cannot overflow the stack.
import { stableHash } from './ids';
import { pauseHere, type Steps } from '../shared/steps';
import type { Span } from './types';
import type { Warnings } from './warnings';

export interface SpanTree {
  /** Depth-first, children in start order. */
  spans: Span[];
  roots: Span[];
  byId: Map<string, Span>;
}

/** The order of siblings, by payload index: by start; siblings that start in the same clock tick
 *  (a quick tool call and the model call after it) by end, so the one that finished first comes
 *  first, when both have ended; then in payload order. The one order of the tree, its table drawn
 *  from the raw list (panel/directTable.ts) and its top read on its own (topOfTree.ts). */
export function siblingOrder(startOf: (i: number) => bigint, endOf: (i: number) => bigint | null | undefined): (a: number, b: number) => number {
  return (a, b) => {
    const x = startOf(a);
    const y = startOf(b);
    if (x !== y) return x < y ? -1 : 1;
    const ex = endOf(a);
    const ey = endOf(b);
    if (ex != null && ey != null && ex !== ey) return ex < ey ? -1 : 1;
    return a - b;
  };
}

/** `nodes` arrive in payload order with `children` empty; they are linked in place. As steps
 *  (see steps.ts), pausable between blocks of spans. */
export function* spanTreeSteps(nodes: Span[], warnings: Warnings): Steps<SpanTree> {
  const n = nodes.length;
  const byId = new Map<string, Span>();
  // One map only (10^6 string keys cost seconds on a busy machine): a span's payload index rides
  // in its `depth` until the depth-first walk below overwrites it with the real depth.
  const indexOf = (id: string): number | undefined => byId.get(id)?.depth;

  // Ids: the first span keeps a repeated id; later ones get a derived id so none is lost and
  // children naming that id attach to the first.
  for (let i = 0; i < n; i++) {
    const s = nodes[i];
    const first = byId.get(s.id);
    if (first) {
      const original = s.id;
      let k = 1;
      let id = stableHash(`${original}#${k}`, 16);
      while (byId.has(id)) id = stableHash(`${original}#${++k}`, 16);
      s.id = id;
      warnings.add('duplicate-id', `Span "${short(s.name)}" repeats the span id ${original} of "${short(first.name)}"; kept with the id ${id}`);
    }
    s.depth = i;
    byId.set(s.id, s);
    if (pauseHere(i)) yield (0.3 * i) / n;
  }

  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const s = nodes[i];
    if (s.parentId === null) continue;
    const p = indexOf(s.parentId);
    if (p === undefined) {
      s.orphan = true;
      warnings.add('orphan', `Span "${short(s.name)}" (${s.id}) names a parent ${s.parentId} that is not in the trace; shown at the top level`);
    } else if (p === i) {
      s.cycleBroken = true;
      warnings.add('cycle', `Span "${short(s.name)}" (${s.id}) is its own parent; shown at the top level`);
    } else parent[i] = p;
    if (pauseHere(i)) yield 0.3 + (0.05 * i) / n;
  }

  breakCycles(nodes, parent, warnings);
  yield 0.37;

  const childIdx: number[][] = new Array(n);
  const rootIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p === -1) rootIdx.push(i);
    else (childIdx[p] ??= []).push(i);
    if (pauseHere(i)) yield 0.37 + (0.03 * i) / n;
  }
  const byStart = siblingOrder(
    (i) => nodes[i].startNs,
    (i) => nodes[i].endNs,
  );
  // Real roots first, then the orphans and cut cycles, each group in start order.
  rootIdx.sort((a, b) => Number(isDetached(nodes[a])) - Number(isDetached(nodes[b])) || byStart(a, b));
  // A pause per ~1,000 spans of work, children counted, checked before the leaves' `continue`: a
  // wide tree's first few parents hold most children, and sorting 300,000 spans' children between
  // two pauses (one per 512 parents) held the host ~40 ms.
  let work = 0;
  for (let i = 0; i < n; i++) {
    const c = childIdx[i];
    if ((work += c ? c.length + 1 : 1) >= 1024) {
      work = 0;
      yield 0.4 + (0.4 * i) / n;
    }
    if (!c) continue;
    if (c.length > 1) c.sort(byStart);
    nodes[i].children = c.map((j) => nodes[j]);
  }

  const roots = rootIdx.map((i) => nodes[i]);
  const spans: Span[] = [];
  const stack: Span[] = [];
  for (let r = roots.length - 1; r >= 0; r--) {
    roots[r].depth = 0;
    stack.push(roots[r]);
  }
  while (stack.length) {
    const s = stack.pop()!;
    spans.push(s);
    if (pauseHere(spans.length)) yield 0.8 + (0.2 * spans.length) / n;
    for (let c = s.children.length - 1; c >= 0; c--) {
      s.children[c].depth = s.depth + 1;
      stack.push(s.children[c]);
    }
  }
  return { spans, roots, byId };
}

function short(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}

function isDetached(s: Span): boolean {
  return s.orphan || s.cycleBroken === true;
}

/** Walks each parent chain once (white/grey/black); a chain that meets itself is a loop, cut at
 *  the loop's earliest-starting span, which most plausibly was the real ancestor. */
function breakCycles(nodes: Span[], parent: Int32Array, warnings: Warnings): void {
  const n = nodes.length;
  const state = new Uint8Array(n); // 0 unseen, 1 on the current walk, 2 finished
  const pos = new Int32Array(n);
  // The walk's path in a typed array with its own length: emptying a JS array for each of 300,000
  // spans (length = 0) took ~45 ms, in one block of the host.
  const path = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (state[i] !== 0) continue;
    let len = 0;
    let j = i;
    while (j !== -1 && state[j] === 0) {
      state[j] = 1;
      pos[j] = len;
      path[len++] = j;
      j = parent[j];
    }
    if (j !== -1 && state[j] === 1) {
      let cut = j;
      for (let k = pos[j]; k < len; k++) {
        const c = path[k];
        if (nodes[c].startNs < nodes[cut].startNs || (nodes[c].startNs === nodes[cut].startNs && c < cut)) cut = c;
      }
      const loop = len - pos[j];
      parent[cut] = -1;
      nodes[cut].cycleBroken = true;
      warnings.add('cycle', `Parent links of ${loop} spans form a cycle; it was cut above "${short(nodes[cut].name)}" (${nodes[cut].id}), shown at the top level`);
    }
    for (let k = 0; k < len; k++) state[path[k]] = 2;
  }
}
