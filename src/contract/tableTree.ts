// The tree columns of a span table (depth, subtreeEnd) from its parent column. The host fills them
// this way when it builds the table. Only the depths cross the wire (a byte a span for any tree
// under 128 levels, where a parent index takes four past 32,768 spans): the webview works out the
// parents from them (parentsFromDepth), then fills the rest the same way, so the columns cannot
// disagree with each other.
import type { SpanTable } from './spanTable';

/** Fills `t.depth` and `t.subtreeEnd` from `t.parent` (spans in depth-first order, so a parent
 *  comes before its children). Throws on a parent index outside the table: the webview treats its
 *  input as untrusted. */
export function fillTree(t: Pick<SpanTable, 'n' | 'parent' | 'depth' | 'subtreeEnd'>): void {
  const { n, parent, depth, subtreeEnd } = t;
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p < -1 || p >= n) throw new Error(`malformed span table: span ${i}'s parent is ${p} of ${n}`);
    depth[i] = p < 0 ? 0 : depth[p] + 1;
    subtreeEnd[i] = i + 1;
  }
  // From the back: a span's subtree ends where its last descendant's does.
  for (let i = n - 1; i >= 0; i--) {
    const p = parent[i];
    if (p >= 0 && subtreeEnd[i] > subtreeEnd[p]) subtreeEnd[p] = subtreeEnd[i];
  }
}

/** Fills `t.parent` from `t.depth` (spans in depth-first order: a span's parent is the nearest
 *  earlier span one level up). Throws on a depth that skips a level or is negative (untrusted). */
export function parentsFromDepth(t: Pick<SpanTable, 'n' | 'parent' | 'depth'>): void {
  const { n, parent, depth } = t;
  /** The last span seen at each depth, up to the one before's. */
  const lastAt = new Int32Array(n + 1);
  let before = -1;
  for (let i = 0; i < n; i++) {
    const d = depth[i];
    if (d < 0 || d > before + 1) throw new Error(`malformed span table: span ${i}'s depth ${d} does not follow the span before it`);
    parent[i] = d === 0 ? -1 : lastAt[d - 1];
    lastAt[d] = i;
    before = d;
  }
}
