// The span tree with waterfall bars. Rows are virtualised twice over: a canvas paints the rows in
// view (rowPainter.ts), and a small pool of row elements laid over it carries what assistive
// technology and the pointer need (rowView.ts). While scrolling, only the canvas is painted; the
// elements catch up once the scrolling pauses. A 100,000-span trace keeps ~50 rows in the DOM and
// a scroll frame costs the same as for ten spans.
import type { TraceHeader } from '../src/contract/protocol';
import type { SpanTable } from '../src/contract/spanTable';
import { TimeWindow } from './axis';
import { el } from './dom';
import { indentOf, partAt, type RowContext } from './rowFacts';
import { RowCanvas } from './rowPainter';
import { ROW_H, RowElements } from './rowView';
import { RowModel } from './rows';
import { timelineKey, type TimelineEvents } from './timelineKeys';
import { wirePointer } from './timelinePointer';
import { WaterfallHead } from './waterfallHead';

export type { TimelineEvents } from './timelineKeys';

/** Rows drawn beyond each edge of the view: scrolling within them needs no work at all. */
const OVERSCAN = 6;
/** The row elements follow the canvas once scrolling has paused this long. */
const SETTLE_MS = 120;
/** Running bars pulse with this period, repainted this often. */
const PULSE_MS = 1600;
const PULSE_STEP_MS = 100;
const REDUCED_MOTION = matchMedia('(prefers-reduced-motion: reduce)');

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
  private readonly canvas: RowCanvas;
  private readonly elements: RowElements;
  private hover = -1;
  private matchOf: Uint8Array | undefined;
  private words: string[] = [];
  private current = -1;
  private frame = 0;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private pulseTimer: ReturnType<typeof setTimeout> | undefined;
  /** The rows the canvas holds, and the stamp they were painted at. */
  private drawn = { first: 0, last: 0, stamp: -1 };
  private stamp = 0;
  private nameWidth = 0.5;
  private namePx = 400;
  dimNonCritical = true;

  constructor(readonly on: TimelineEvents) {
    this.head = new WaterfallHead(this.win, () => this.redraw());
    this.spacer = el('div', { class: 'spacer' });
    this.canvas = new RowCanvas(() => this.redraw());
    this.elements = new RowElements();
    this.layer = el('div', { class: 'rows-layer' }, this.canvas.canvas, this.elements.root);
    this.viewport = el('div', { class: 'viewport', role: 'tree', tabIndex: 0, attrs: { 'aria-label': 'Spans' } }, this.spacer, this.layer);
    const sash = el('div', { class: 'name-sash', title: 'Drag to resize the name column', attrs: { 'aria-hidden': 'true' } });
    const headRow = el('div', { class: 'timeline-head' }, el('div', { class: 'head-name' }, 'Span', el('span', { class: 'head-hint' }, 'latency · tokens')), this.head.root, sash);
    // The rows scroll on the compositor (an opaque, promoted scroller); the grid lines ride above.
    const body = el('div', { class: 'timeline-body' }, this.viewport, this.head.grid);
    this.root = el('div', { class: 'timeline' }, headRow, body);
    this.setNameWidth(this.nameWidth);
    this.viewport.addEventListener('scroll', () => this.queueRender(), { passive: true });
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    // The selected row's colours depend on focus, as in VS Code's own lists.
    this.viewport.addEventListener('focus', () => this.repaint());
    this.viewport.addEventListener('blur', () => this.repaint());
    // A hidden panel stops the pulse of running bars; shown again, it starts it again.
    document.addEventListener('visibilitychange', () => this.repaint());
    // VS Code swaps the body's theme class and the colour variables on <html> with the theme.
    const themed = new MutationObserver(() => {
      this.canvas.themeChanged();
      this.repaint();
    });
    themed.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themed.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
    wirePointer(this, this.layer, sash);
    new ResizeObserver(() => {
      // The header must line up with the rows, which lose the scrollbar's width.
      this.root.style.setProperty('--sbw', `${this.viewport.offsetWidth - this.viewport.clientWidth}px`);
      this.setNameWidth(this.nameWidth);
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

  /** The name column as a fraction of the rows' width, set in pixels so the header, the rows and
   *  the grid lines (which do not share one box) line up exactly. */
  setNameWidth(f: number): void {
    this.nameWidth = Math.min(Math.max(f, 0.15), 0.8);
    const width = this.viewport.clientWidth || this.root.clientWidth || 800;
    this.namePx = Math.round(this.nameWidth * width);
    this.root.style.setProperty('--name-w', `${this.namePx}px`);
    this.repaint();
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
    if (this.frame) return;
    // Still inside the rows already painted (the overscan): nothing to do this frame.
    const top = Math.floor(this.viewport.scrollTop / ROW_H);
    const bottom = Math.ceil((this.viewport.scrollTop + this.viewport.clientHeight) / ROW_H);
    if (this.drawn.stamp === this.stamp && top >= this.drawn.first && bottom <= this.drawn.last) return;
    this.frame = requestAnimationFrame(() => this.render(true));
  }

  /** Marks every row for re-filling (selection, matches, zoom, data changed). */
  private invalidate(): void {
    this.stamp++;
  }

  /** Re-fills every row in view: after anything but a scroll. */
  redraw(): void {
    this.invalidate();
    this.render(false);
  }

  /**
   * Puts the rows in view on screen: paints them, with an overscan each side, on the canvas, and
   * fills the row elements for them, at once or, while scrolling, once the scrolling pauses.
   */
  render(scrolling = false): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const rows = this.rows;
    if (!this.t || !rows) return;
    const h = this.viewport.clientHeight || 600;
    const top = Math.floor(this.viewport.scrollTop / ROW_H);
    const first = Math.max(0, top - OVERSCAN);
    const last = Math.min(rows.count, Math.ceil((this.viewport.scrollTop + h) / ROW_H) + OVERSCAN);
    this.canvas.size(this.viewport.clientWidth || 800, Math.ceil(h / ROW_H) + 1 + 2 * OVERSCAN);
    this.drawn = { first, last, stamp: this.stamp };
    this.repaint();
    clearTimeout(this.settleTimer);
    if (scrolling) this.settleTimer = setTimeout(() => this.syncRows(), SETTLE_MS);
    else this.syncRows();
  }

  /** Paints the canvas again for the rows it holds: hover, focus, theme. */
  private repaint(): void {
    if (!this.rows || !this.canvas) return;
    const { first, last } = this.drawn;
    const moving = !REDUCED_MOTION.matches;
    const pulse = moving ? 0.775 + 0.225 * Math.cos((performance.now() / PULSE_MS) * 2 * Math.PI) : 1;
    const view = { nameWidth: this.namePx, focused: document.activeElement === this.viewport, hover: this.hover, pulse };
    const running = this.canvas.paint(first, last, this.rows.visible, this.context(), view);
    // Running bars pulse, a few frames a second, while any is in view and the panel is seen.
    clearTimeout(this.pulseTimer);
    if (running && moving && document.visibilityState === 'visible') this.pulseTimer = setTimeout(() => this.repaint(), PULSE_STEP_MS);
  }

  /** Fills the row elements for the rows the canvas shows, and points the tree at the selected one. */
  private syncRows(): void {
    this.settleTimer = undefined;
    if (!this.t || !this.rows) return;
    const active = this.elements.fill(this.drawn.first, this.drawn.last, this.rows.visible, this.context(), this.stamp);
    if (active) {
      if (this.viewport.getAttribute('aria-activedescendant') !== active) this.viewport.setAttribute('aria-activedescendant', active);
    } else this.viewport.removeAttribute('aria-activedescendant');
  }

  /** The span drawn at a point of the rows layer, and the part of its row there. */
  spanAt(clientX: number, clientY: number): { span: number; part: 'twistie' | 'name' | 'bar' } | undefined {
    if (!this.t || !this.rows) return undefined;
    const box = this.layer.getBoundingClientRect();
    const r = Math.floor((clientY - box.top) / ROW_H);
    if (r < 0 || r >= this.rows.count) return undefined;
    const span = this.rows.visible[r];
    return { span, part: partAt(clientX - box.left, indentOf(this.t.depth[span]), this.namePx) };
  }

  /** The bar column's box on screen, for zooming and panning around the pointer. */
  barBox(): { left: number; width: number } {
    const box = this.layer.getBoundingClientRect();
    return { left: box.left + this.namePx + 8, width: box.width - this.namePx - 16 };
  }

  /** Shows the pointer's row as hovered (painted: the row elements are never seen). */
  setHover(span: number): void {
    if (span === this.hover) return;
    this.hover = span;
    this.repaint();
  }

  private context(): RowContext {
    return {
      t: this.t!,
      nowMs: this.header!.nowMs,
      rows: this.rows!,
      selected: this.selected,
      current: this.current,
      matchOf: this.matchOf,
      words: this.words,
      dimNonCritical: this.dimNonCritical,
      win: this.win,
    };
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.t || !this.rows) return;
    if (timelineKey(e, this, this.t, this.rows, this.on)) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
}
