// The tree columns of a span table (depth, subtreeEnd) from its parent column. The host fills them
// this way when it builds the table, and the webview again from the parents it is posted, so they
// never cross the wire (8 bytes a span) and cannot disagree with the parents.
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
