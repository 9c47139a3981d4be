// Which spans are on screen as rows, given what is collapsed and what a filter keeps. Walks the
// table once, jumping over collapsed subtrees with subtreeEnd, so a toggle costs one walk of the
// table, not a rebuild of the tree.
import type { SpanTable } from '../src/contract/spanTable';

export class RowModel {
  /** Row → span index. */
  visible: Int32Array = new Int32Array(0);
  /** Span index → row, -1 when hidden. */
  rowOf: Int32Array = new Int32Array(0);
  readonly collapsed: Uint8Array;
  /** When set, only spans with keep[i] = 1 (matches and their ancestors) are shown. */
  keep: Uint8Array | undefined;

  constructor(readonly t: SpanTable) {
    this.collapsed = new Uint8Array(t.n);
    this.rowOf = new Int32Array(t.n);
    this.recompute();
  }

  hasChildren(i: number): boolean {
    return this.t.subtreeEnd[i] > i + 1;
  }

  recompute(): void {
    const { n, subtreeEnd } = this.t;
    const out = new Int32Array(n);
    this.rowOf.fill(-1);
    const keep = this.keep;
    let k = 0;
    for (let i = 0; i < n; ) {
      // keep[] holds every ancestor of a kept span, so an unkept span hides its whole subtree.
      if (keep && !keep[i]) {
        i = subtreeEnd[i];
        continue;
      }
      this.rowOf[i] = k;
      out[k++] = i;
      i = this.collapsed[i] ? subtreeEnd[i] : i + 1;
    }
    this.visible = out.subarray(0, k);
  }

  get count(): number {
    return this.visible.length;
  }

  /** Uncollapses every ancestor of i so it gets a row. Returns whether anything changed. */
  revealSpan(i: number): boolean {
    let changed = false;
    for (let p = this.t.parent[i]; p >= 0; p = this.t.parent[p]) {
      if (this.collapsed[p]) {
        this.collapsed[p] = 0;
        changed = true;
      }
    }
    if (this.keep && !this.keep[i]) {
      this.keep = undefined;
      changed = true;
    }
    if (changed) this.recompute();
    return changed;
  }

  setAll(collapsed: boolean): void {
    this.collapsed.fill(0);
    if (collapsed) for (let i = 0; i < this.t.n; i++) if (this.hasChildren(i)) this.collapsed[i] = 1;
    this.recompute();
  }

  /** Collapse every span at depth ≥ d that has children (the default view of very deep traces). */
  collapseBelow(d: number): void {
    for (let i = 0; i < this.t.n; i++) if (this.t.depth[i] >= d && this.hasChildren(i)) this.collapsed[i] = 1;
    this.recompute();
  }

  /** keep[i] = 1 for each match and every ancestor of one. */
  static keepFor(t: SpanTable, matches: readonly number[]): Uint8Array {
    const keep = new Uint8Array(t.n);
    for (const m of matches) {
      for (let i = m; i >= 0 && !keep[i]; i = t.parent[i]) keep[i] = 1;
    }
    return keep;
  }
}
