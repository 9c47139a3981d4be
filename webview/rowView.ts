// The timeline's row elements. The canvas draws what is seen (rowPainter.ts); these elements,
// laid over it but never painted, carry what a screen reader reads (treeitem, level, expanded,
// selected), the tooltip, and the hit target a click or a test lands on. A small pool, each built
// once and re-filled for whichever span lands in its slot. Trace text goes in through textContent only.
import { el, highlighted } from './dom';
import { duration } from './format';
import { ROW_H, rowFacts, type RowContext, type RowFacts } from './rowFacts';

export { ROW_H };

interface RowEls {
  row: HTMLElement;
  cell: HTMLElement;
  twistie: HTMLElement;
  name: HTMLElement;
  flag: HTMLElement;
  meta: HTMLElement;
  span: number;
  /** The visible row it shows, -1 when unused. */
  rowIndex: number;
  /** The timeline's stamp when it was last filled. */
  stamp: number;
  /** Last values written, so an unchanged property is never written again. */
  last: Record<string, string>;
}

function put(r: RowEls, key: string, value: string, write: (v: string) => void): void {
  if (r.last[key] === value) return;
  r.last[key] = value;
  write(value);
}

const FLAG_TEXT: Record<string, string> = { error: 'error', running: 'still running', orphan: 'orphan: its parent span is missing' };

function makeRow(id: string): RowEls {
  const twistie = el('span', { class: 'twistie', attrs: { 'aria-hidden': 'true' } });
  const name = el('span', { class: 'span-name' });
  const flag = el('span', { class: 'span-flag' });
  const meta = el('span', { class: 'span-meta' });
  const cell = el('div', { class: 'name-cell' }, twistie, name, flag, meta);
  const row = el('div', { class: 'row', role: 'treeitem', attrs: { id } }, cell);
  return { row, cell, twistie, name, flag, meta, span: -1, rowIndex: -1, stamp: -1, last: {} };
}

function fillRow(r: RowEls, i: number, rowIndex: number, f: RowFacts, words: readonly string[]): void {
  const cls = `row${f.selected ? ' selected' : ''}${f.error ? ' error' : ''}${f.match ? ' match' : ''}${f.current ? ' current' : ''}${f.offPath ? ' off-path' : ''}`;
  put(r, 'class', cls, (v) => (r.row.className = v));
  put(r, 'span', String(i), (v) => (r.row.dataset.span = v));
  put(r, 'level', String(f.level), (v) => r.row.setAttribute('aria-level', v));
  put(r, 'selected', String(f.selected), (v) => r.row.setAttribute('aria-selected', v));
  put(r, 'rowindex', String(rowIndex + 1), (v) => r.row.setAttribute('aria-rowindex', v));
  put(r, 'expanded', f.hasKids ? String(f.expanded) : '', (v) => (v ? r.row.setAttribute('aria-expanded', v) : r.row.removeAttribute('aria-expanded')));
  put(r, 'indent', `${f.indent}px`, (v) => (r.cell.style.paddingLeft = v));
  // Names with search matches carry <mark>s, which assistive technology can announce.
  if (f.match && words.length) {
    highlighted(r.name, f.name, words);
    r.last.name = '';
  } else put(r, 'name', f.name, (v) => (r.name.textContent = v));
  put(r, 'flag', FLAG_TEXT[f.flag] ?? '', (v) => (r.flag.textContent = v));
  put(r, 'meta', f.meta, (v) => (r.meta.textContent = v));
  // The tooltip lives only here: the canvas never needs it, so it is not built while painting.
  put(r, 'title', `${f.name} · ${f.type} · ${duration(f.durationMs)}${f.running ? ' (running)' : ''}${f.error ? ' · ERROR' : ''}`, (v) => (r.row.title = v));
  r.span = i;
}

export class RowElements {
  readonly root = el('div', { class: 'row-semantics' });
  private readonly pool: RowEls[] = [];

  /**
   * Shows rows first..last-1 (spans from `visible`). Row r lives in pool slot r % pool size, so
   * after a small scroll only the rows that came into view are filled again; `stamp` changes when
   * every row must be. Returns the id of the selected span's element, '' when it is not shown.
   */
  fill(first: number, last: number, visible: Int32Array, c: RowContext, stamp: number): string {
    if (this.pool.length < last - first) {
      while (this.pool.length < last - first) {
        const r = makeRow(`row-${this.pool.length}`);
        this.root.appendChild(r.row);
        this.pool.push(r);
      }
      for (const r of this.pool) r.rowIndex = -1; // the slot of each row moved
    }
    const size = this.pool.length;
    let active = '';
    for (let r = first; r < first + size; r++) {
      const e = this.pool[r % size];
      if (r >= last) {
        if (!e.row.hidden) e.row.hidden = true;
        e.rowIndex = -1;
        continue;
      }
      const i = visible[r];
      if (e.rowIndex !== r || e.span !== i || e.stamp !== stamp) {
        if (e.rowIndex !== r) {
          e.row.style.transform = `translateY(${r * ROW_H}px)`;
          e.row.hidden = false;
        }
        fillRow(e, i, r, rowFacts(i, c), c.words);
        e.rowIndex = r;
        e.stamp = stamp;
      }
      if (i === c.selected) active = e.row.id;
    }
    return active;
  }
}
