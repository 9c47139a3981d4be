// The span tree with waterfall bars. Rows are virtualised: a fixed pool of row elements is
// re-filled as the viewport scrolls, so a 100,000-span trace keeps ~50 rows in the DOM and a
// scroll frame costs the same as for ten spans.
import { F, STATUS_CODES, TOK, TOKEN_COLS, type SpanTable, type TraceHeader } from '../src/panel/protocol';
import { TimeWindow } from './axis';
import { el, highlighted } from './dom';
import { compact, duration } from './format';
import { RowModel } from './rows';
import { typeColour, typeIcon } from './spanStyle';
import { WaterfallHead } from './waterfallHead';

export const ROW_H = 22;
const OVERSCAN = 8;
const INDENT = 12;
const MAX_INDENT_LEVELS = 48;
const ERROR = STATUS_CODES.indexOf('ERROR');
const RUNNING = STATUS_CODES.indexOf('IN_PROGRESS');

interface RowEls {
  row: HTMLElement;
  twistie: HTMLElement;
  typeIcon: HTMLElement;
  name: HTMLElement;
  flag: HTMLElement;
  meta: HTMLElement;
  bar: HTMLElement;
  span: number;
  /** The visible row it shows, -1 when unused. */
  rowIndex: number;
  /** `Timeline.stamp` when it was last filled. */
  stamp: number;
}

export interface TimelineEvents {
  select(i: number, how: 'pointer' | 'keyboard' | 'program'): void;
  open(i: number): void;
  goToCode(i: number): void;
  search(): void;
}

export class Timeline {
  readonly root: HTMLElement;
  readonly viewport: HTMLElement;
  readonly head: WaterfallHead;
  readonly win = new TimeWindow(1);
  t: SpanTable | undefined;
  rows: RowModel | undefined;
  selected = -1;
  private header: TraceHeader | undefined;
  private readonly spacer: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly pool: RowEls[] = [];
  private matchOf: Uint8Array | undefined;
  private words: string[] = [];
  private current = -1;
  private frame = 0;
  private stamp = 0;
  private nameWidth = 0.5;
  dimNonCritical = true;

  constructor(private readonly on: TimelineEvents) {
    this.head = new WaterfallHead(this.win, () => this.redraw());
    this.spacer = el('div', { class: 'spacer' });
    this.layer = el('div', { class: 'rows-layer' });
    this.viewport = el('div', { class: 'viewport', role: 'tree', tabIndex: 0, attrs: { 'aria-label': 'Spans' } }, this.spacer, this.layer);
    const sash = el('div', { class: 'name-sash', title: 'Drag to resize the name column', attrs: { 'aria-hidden': 'true' } });
    const headRow = el('div', { class: 'timeline-head' }, el('div', { class: 'head-name' }, 'Span', el('span', { class: 'head-hint' }, 'latency · tokens')), this.head.root, sash);
    // Grid lines go first so the rows (and their hover and selection colours) paint over them.
    const body = el('div', { class: 'timeline-body' }, this.head.grid, this.viewport);
    this.root = el('div', { class: 'timeline' }, headRow, body);
    this.setNameWidth(this.nameWidth);
    this.viewport.addEventListener('scroll', () => this.queueRender(), { passive: true });
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.viewport.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.layer.addEventListener('click', (e) => this.onClick(e));
    this.layer.addEventListener('dblclick', (e) => this.onDblClick(e));
    this.wireSash(sash);
    new ResizeObserver(() => {
      // The header must line up with the rows, which lose the scrollbar's width.
      this.root.style.setProperty('--sbw', `${this.viewport.offsetWidth - this.viewport.clientWidth}px`);
      this.redraw();
      this.head.update();
    }).observe(this.viewport);
  }

  setData(t: SpanTable, header: TraceHeader, keep?: { collapsedIds?: Set<string>; sameTrace: boolean }): void {
    const prevIds = this.t && keep?.sameTrace ? this.collapsedIds() : keep?.collapsedIds;
    const prevSelected = this.selected >= 0 && this.t ? this.t.ids[this.selected] : undefined;
    this.t = t;
    this.header = header;
    this.rows = new RowModel(t);
    if (prevIds?.size) {
      for (let i = 0; i < t.n; i++) if (prevIds.has(t.ids[i]) && this.rows.hasChildren(i)) this.rows.collapsed[i] = 1;
      this.rows.recompute();
    }
    this.matchOf = undefined;
    this.current = -1;
    const total = Math.max(header.nowMs, header.durationMs ?? 0, 1e-3);
    if (keep?.sameTrace) this.win.setTotal(total);
    else {
      this.win.total = total;
      this.win.reset();
    }
    this.selected = prevSelected !== undefined && keep?.sameTrace ? t.ids.indexOf(prevSelected) : -1;
    this.spacer.style.height = `${this.rows.count * ROW_H}px`;
    this.viewport.setAttribute('aria-rowcount', String(this.rows.count));
    this.head.setData(t, header.nowMs);
    this.redraw();
  }

  collapsedIds(): Set<string> {
    const s = new Set<string>();
    if (this.t && this.rows) for (let i = 0; i < this.t.n; i++) if (this.rows.collapsed[i]) s.add(this.t.ids[i]);
    return s;
  }

  get nameFraction(): number {
    return this.nameWidth;
  }

  setNameWidth(f: number): void {
    this.nameWidth = Math.min(Math.max(f, 0.15), 0.8);
    this.root.style.setProperty('--name-w', `${(this.nameWidth * 100).toFixed(2)}%`);
  }

  /** Selects span i, uncollapsing its ancestors and scrolling it into view. */
  select(i: number, how: 'pointer' | 'keyboard' | 'program' = 'program'): void {
    if (!this.t || !this.rows || i < 0 || i >= this.t.n) return;
    if (this.rows.revealSpan(i)) this.relayout();
    this.selected = i;
    this.scrollToRow(this.rows.rowOf[i]);
    this.redraw();
    this.on.select(i, how);
  }

  toggle(i: number, open?: boolean): void {
    if (!this.rows || !this.rows.hasChildren(i)) return;
    const next = open === undefined ? !this.rows.collapsed[i] : !open;
    if (!!this.rows.collapsed[i] === next) return;
    this.rows.collapsed[i] = next ? 1 : 0;
    this.rows.recompute();
    this.relayout();
  }

  setAllCollapsed(collapsed: boolean): void {
    if (!this.rows) return;
    this.rows.setAll(collapsed);
    if (!collapsed && this.selected >= 0) this.rows.revealSpan(this.selected);
    if (collapsed && this.t && this.selected >= 0) {
      let root = this.selected;
      while (this.t.parent[root] >= 0) root = this.t.parent[root];
      this.selected = root;
    }
    this.relayout();
    if (this.selected >= 0) this.scrollToRow(this.rows.rowOf[this.selected]);
  }

  /** Search results: rows of matches get marked; `filter` hides every row that is no match or ancestor of one. */
  setMatches(matches: readonly number[] | null, words: string[], filter: boolean): void {
    if (!this.t || !this.rows) return;
    this.words = words;
    if (!matches) {
      this.matchOf = undefined;
      this.rows.keep = undefined;
    } else {
      this.matchOf = new Uint8Array(this.t.n);
      for (const m of matches) this.matchOf[m] = 1;
      this.rows.keep = filter ? RowModel.keepFor(this.t, matches) : undefined;
    }
    this.current = -1;
    this.rows.recompute();
    this.relayout();
  }

  setCurrentMatch(i: number): void {
    this.current = i;
    this.select(i, 'program');
  }

  zoom(factor: number): void {
    this.win.zoom(factor, 0.5);
    this.head.update();
    this.redraw();
  }

  fit(): void {
    this.win.reset();
    this.head.update();
    this.redraw();
  }

  /** Zooms the axis to span i with a little margin. */
  zoomToSpan(i: number): void {
    if (!this.t || !this.header) return;
    const s = this.t.start[i];
    const e = this.t.end[i] < 0 ? this.header.nowMs : this.t.end[i];
    const pad = Math.max((e - s) * 0.05, 1e-3);
    this.win.set(s - pad, e + pad);
    this.head.update();
    this.redraw();
  }

  private relayout(): void {
    if (!this.rows) return;
    this.invalidate();
    this.spacer.style.height = `${this.rows.count * ROW_H}px`;
    this.viewport.setAttribute('aria-rowcount', String(this.rows.count));
    this.redraw();
  }

  private scrollToRow(row: number): void {
    if (row < 0) return;
    const top = row * ROW_H;
    const h = this.viewport.clientHeight;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_H > this.viewport.scrollTop + h) this.viewport.scrollTop = top + ROW_H - h;
  }

  private queueRender(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  /** Marks every row for re-filling (selection, matches, zoom, data changed). */
  private invalidate(): void {
    this.stamp++;
  }

  /** Re-fills every row in view: after anything but a scroll. */
  redraw(): void {
    this.invalidate();
    this.render();
  }

  /**
   * Puts the rows in view on screen. Row r always lives in pool slot r % pool size, so scrolling
   * by a few rows re-fills only the rows that came into view. Cost: O(rows that changed).
   */
  render(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const t = this.t;
    const rows = this.rows;
    if (!t || !rows) return;
    const h = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_H) - OVERSCAN);
    const last = Math.min(rows.count, Math.ceil((this.viewport.scrollTop + h) / ROW_H) + OVERSCAN);
    const need = last - first;
    if (this.pool.length < need) {
      while (this.pool.length < need) this.pool.push(this.makeRow());
      this.invalidate(); // the slot of each row moved
      for (const r of this.pool) r.rowIndex = -1;
    }
    const size = this.pool.length;
    let active = '';
    for (let r = first; r < first + size; r++) {
      const el = this.pool[r % size];
      if (r >= last) {
        if (!el.row.hidden) el.row.hidden = true;
        el.rowIndex = -1;
        continue;
      }
      const i = rows.visible[r];
      if (el.rowIndex !== r) {
        el.row.style.transform = `translateY(${r * ROW_H}px)`;
        el.row.hidden = false;
      }
      if (el.rowIndex !== r || el.span !== i || el.stamp !== this.stamp) this.fillRow(el, i, r);
      el.rowIndex = r;
      el.stamp = this.stamp;
      if (i === this.selected) active = el.row.id;
    }
    if (active) this.viewport.setAttribute('aria-activedescendant', active);
    else this.viewport.removeAttribute('aria-activedescendant');
  }

  private makeRow(): RowEls {
    const twistie = el('span', { class: 'twistie codicon' });
    const typeIconEl = el('span', { class: 'type-icon codicon' });
    const name = el('span', { class: 'span-name' });
    const flag = el('span', { class: 'span-flag codicon' });
    const meta = el('span', { class: 'span-meta' });
    const bar = el('div', { class: 'bar' });
    const row = el(
      'div',
      { class: 'row', role: 'treeitem', attrs: { id: `row-${this.pool.length}` } },
      el('div', { class: 'name-cell' }, twistie, typeIconEl, name, flag, meta),
      el('div', { class: 'bar-cell' }, bar),
    );
    this.layer.appendChild(row);
    return { row, twistie, typeIcon: typeIconEl, name, flag, meta, bar, span: -1, rowIndex: -1, stamp: -1 };
  }

  private fillRow(r: RowEls, i: number, rowIndex: number): void {
    const t = this.t!;
    const hdr = this.header!;
    const type = t.types[t.kind[i]];
    const flags = t.flags[i];
    const status = t.status[i];
    const error = status === ERROR;
    const running = status === RUNNING || t.end[i] < 0;
    const colour = typeColour(type);
    const match = this.matchOf ? this.matchOf[i] === 1 : false;
    r.row.className = `row ${colour}${i === this.selected ? ' selected' : ''}${error ? ' error' : ''}${match ? ' match' : ''}${i === this.current ? ' current' : ''}${
      this.dimNonCritical && !(flags & F.critical) ? ' off-path' : ''
    }`;
    r.row.dataset.span = String(i);
    r.row.setAttribute('aria-level', String(t.depth[i] + 1));
    r.row.setAttribute('aria-selected', String(i === this.selected));
    r.row.setAttribute('aria-rowindex', String(rowIndex + 1));
    const hasKids = t.subtreeEnd[i] > i + 1;
    if (hasKids) r.row.setAttribute('aria-expanded', String(!this.rows!.collapsed[i]));
    else r.row.removeAttribute('aria-expanded');
    // Only what changed is touched: re-filling the same span (e.g. on selection) stays cheap.
    if (r.span !== i || match || this.words.length) {
      r.span = i;
      r.name.parentElement!.style.paddingLeft = `${4 + Math.min(t.depth[i], MAX_INDENT_LEVELS) * INDENT}px`;
      r.typeIcon.className = `type-icon codicon codicon-${typeIcon(type)}`;
      r.typeIcon.title = type;
      if (match && this.words.length) highlighted(r.name, t.names[i], this.words);
      else r.name.textContent = t.names[i];
    }
    r.twistie.className = `twistie codicon${hasKids ? (this.rows!.collapsed[i] ? ' codicon-chevron-right' : ' codicon-chevron-down') : ''}`;
    r.flag.className = `span-flag codicon${error ? ' codicon-error' : running ? ' codicon-loading codicon-modifier-spin' : flags & F.orphan ? ' codicon-warning' : ''}`;
    r.flag.title = error ? 'Error' : running ? 'Still running' : flags & F.orphan ? 'Orphan: its parent span is missing from the trace' : '';
    const end = running ? hdr.nowMs : t.end[i];
    const dur = end - t.start[i];
    let meta = running ? `${duration(dur)}…` : duration(dur);
    if (flags & F.usage) meta = `${compact(t.tokens[i * TOKEN_COLS + TOK.total] || t.tokens[i * TOKEN_COLS + TOK.input] + t.tokens[i * TOKEN_COLS + TOK.output])} tok · ${meta}`;
    r.meta.textContent = meta;
    const x0 = this.win.pos(t.start[i]);
    const x1 = this.win.pos(end);
    const bar = r.bar;
    if (x1 < 0 || x0 > 1) {
      bar.hidden = true;
    } else {
      bar.hidden = false;
      const left = Math.max(x0, 0);
      bar.style.left = `${left * 100}%`;
      bar.style.width = `${Math.max(Math.min(x1, 1) - left, 0) * 100}%`;
      bar.className = `bar${running ? ' open' : ''}${x0 < 0 ? ' cut-start' : ''}${x1 > 1 ? ' cut-end' : ''}`;
    }
    r.row.title = `${t.names[i]} · ${type} · ${duration(dur)}${running ? ' (running)' : ''}${error ? ' · ERROR' : ''}`;
  }

  private spanAt(e: Event): number {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
    return row?.dataset.span ? Number(row.dataset.span) : -1;
  }

  private onClick(e: MouseEvent): void {
    const i = this.spanAt(e);
    if (i < 0) return;
    if ((e.target as HTMLElement).classList.contains('twistie')) this.toggle(i);
    else this.select(i, 'pointer');
    this.viewport.focus({ preventScroll: true });
  }

  private onDblClick(e: MouseEvent): void {
    const i = this.spanAt(e);
    if (i < 0) return;
    if ((e.target as HTMLElement).closest('.bar-cell')) this.zoomToSpan(i);
    else if (!(e.target as HTMLElement).classList.contains('twistie')) this.toggle(i);
  }

  private onWheel(e: WheelEvent): void {
    const cell = (e.target as HTMLElement).closest('.bar-cell');
    if (!cell) return;
    const r = cell.getBoundingClientRect();
    const anchor = Math.min(Math.max((e.clientX - r.left) / Math.max(r.width, 1), 0), 1);
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      this.win.zoom(Math.pow(1.0015, e.deltaY), anchor);
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      if (!this.win.zoomed) return;
      e.preventDefault();
      this.win.pan((e.shiftKey ? e.deltaY || e.deltaX : e.deltaX) / Math.max(r.width, 1));
    } else return;
    this.head.update();
    this.redraw();
  }

  private onKey(e: KeyboardEvent): void {
    const t = this.t;
    const rows = this.rows;
    if (!t || !rows || e.altKey) return;
    const row = this.selected >= 0 ? rows.rowOf[this.selected] : -1;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_H) - 1);
    const go = (r: number) => {
      const clamped = Math.min(Math.max(r, 0), rows.count - 1);
      if (clamped >= 0) this.select(rows.visible[clamped], 'keyboard');
    };
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        go(row + 1);
        break;
      case 'ArrowUp':
        go(row < 0 ? 0 : row - 1);
        break;
      case 'PageDown':
        go(row + page);
        break;
      case 'PageUp':
        go(row - page);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(rows.count - 1);
        break;
      case 'ArrowRight':
        if (this.selected < 0) go(0);
        else if (rows.hasChildren(this.selected) && rows.collapsed[this.selected]) this.toggle(this.selected, true);
        else if (rows.hasChildren(this.selected)) go(row + 1);
        break;
      case 'ArrowLeft':
        if (this.selected < 0) break;
        if (rows.hasChildren(this.selected) && !rows.collapsed[this.selected]) this.toggle(this.selected, false);
        else if (t.parent[this.selected] >= 0) this.select(t.parent[this.selected], 'keyboard');
        break;
      case 'Enter':
        if (this.selected >= 0) this.on.open(this.selected);
        break;
      case ' ':
        if (this.selected >= 0) this.toggle(this.selected);
        break;
      case '/':
        this.on.search();
        break;
      case 'f':
      case 'F':
        if (mod) this.on.search();
        else handled = false;
        break;
      case 'g':
        if (!mod && this.selected >= 0) this.on.goToCode(this.selected);
        else handled = false;
        break;
      case '+':
      case '=':
        this.zoom(0.5);
        break;
      case '-':
        this.zoom(2);
        break;
      case '0':
        this.fit();
        break;
      case 'z':
        if (this.selected >= 0) this.zoomToSpan(this.selected);
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  private wireSash(sash: HTMLElement): void {
    sash.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      sash.setPointerCapture(e.pointerId);
      sash.classList.add('active');
      const r = this.root.getBoundingClientRect();
      const move = (m: PointerEvent) => {
        this.setNameWidth((m.clientX - r.left) / Math.max(r.width, 1));
        this.head.update();
      };
      const up = () => {
        sash.classList.remove('active');
        sash.removeEventListener('pointermove', move);
        sash.removeEventListener('pointerup', up);
        this.root.dispatchEvent(new CustomEvent('name-width', { bubbles: true }));
      };
      sash.addEventListener('pointermove', move);
      sash.addEventListener('pointerup', up);
    });
    sash.addEventListener('dblclick', () => {
      this.setNameWidth(0.5);
      this.head.update();
    });
  }
}
