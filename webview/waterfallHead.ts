// Above the waterfall: a minimap of the whole trace (drag to zoom to a range, drag the window to
// pan, click to centre) and the tick labels of the shown window; behind the rows, the grid lines.
import type { SpanTable } from '../src/contract/spanTable';
import { ticks, type TimeWindow } from './axis';
import { el } from './dom';
import { axisLabel } from './format';
import { readPalette } from './palette';
import { typeColour } from './spanStyle';

const MINIMAP_H = 36;

export class WaterfallHead {
  readonly root: HTMLElement;
  /** Vertical grid lines, laid over the rows by the timeline. */
  readonly grid: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly windowBox: HTMLElement;
  private readonly tickRow: HTMLElement;
  private readonly labels: HTMLElement[] = [];
  private readonly lines: HTMLElement[] = [];
  private table: SpanTable | undefined;
  private nowMs = 0;
  private drawQueued = 0;

  constructor(
    readonly win: TimeWindow,
    private readonly onChange: () => void,
  ) {
    this.canvas = el('canvas', { class: 'minimap-canvas', attrs: { 'aria-hidden': 'true' } });
    this.windowBox = el('div', { class: 'minimap-window', title: 'Drag to pan; drag outside to zoom to a range; double-click to show all' });
    const minimap = el('div', { class: 'minimap', role: 'img', attrs: { 'aria-label': 'Minimap of the whole trace' } }, this.canvas, this.windowBox);
    this.tickRow = el('div', { class: 'tick-row', attrs: { 'aria-hidden': 'true' } });
    this.root = el('div', { class: 'waterfall-head' }, minimap, this.tickRow);
    this.grid = el('div', { class: 'grid-lines', attrs: { 'aria-hidden': 'true' } });
    this.wireMinimap(minimap);
    new ResizeObserver(() => this.queueDraw()).observe(minimap);
    // VS Code swaps the body's theme class when the colour theme changes; the canvas must follow.
    new MutationObserver(() => this.queueDraw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  setData(table: SpanTable, nowMs: number): void {
    this.table = table;
    this.nowMs = nowMs;
    this.queueDraw();
    this.update();
  }

  /** Re-place the window box, tick labels and grid lines after the window moved. */
  update(): void {
    const w = this.win;
    const total = Math.max(w.total, 1e-3);
    this.windowBox.style.left = `${(w.from / total) * 100}%`;
    this.windowBox.style.width = `${Math.max((w.span / total) * 100, 0.3)}%`;
    this.windowBox.classList.toggle('full', !w.zoomed);
    const width = this.tickRow.clientWidth || 600;
    const { step, values } = ticks(w.from, w.to, Math.max(2, Math.floor(width / 90)));
    for (let k = 0; k < Math.max(values.length, this.labels.length); k++) {
      let label = this.labels[k];
      let line = this.lines[k];
      if (!label) {
        label = this.tickRow.appendChild(el('span', { class: 'tick' }));
        line = this.grid.appendChild(el('div', { class: 'grid-line' }));
        this.labels.push(label);
        this.lines.push(line);
      }
      const v = values[k];
      const show = v !== undefined;
      label.hidden = !show;
      line.hidden = !show;
      if (!show) continue;
      const x = `${w.pos(v) * 100}%`;
      label.style.left = x;
      line.style.left = x;
      label.textContent = axisLabel(v, step);
      label.classList.toggle('first', w.pos(v) < 0.04);
      label.classList.toggle('last', w.pos(v) > 0.96);
    }
  }

  private queueDraw(): void {
    if (this.drawQueued) return;
    // After the rows are painted: the minimap must never delay the first render.
    this.drawQueued = requestAnimationFrame(() => {
      this.drawQueued = 0;
      setTimeout(() => this.draw(), 0);
    });
  }

  private draw(): void {
    const t = this.table;
    const c = this.canvas;
    const width = c.clientWidth;
    if (!t || !width) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(MINIMAP_H * dpr);
    // A software canvas: a GPU-promoted one would pull the panel below it into a composited layer.
    const ctx = c.getContext('2d', { willReadFrequently: true });
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, MINIMAP_H);
    const total = Math.max(this.win.total, 1e-3);
    const palette = readPalette();
    const colours = t.types.map((ty) => palette.slots[typeColour(ty)]);
    const errorColour = palette.error;
    const rowH = Math.max(MINIMAP_H / Math.max(t.n, 1), 0.5);
    const h = Math.min(Math.max(rowH, 1), 4);
    ctx.globalAlpha = t.n > 2000 ? 0.6 : 0.9;
    for (let i = 0; i < t.n; i++) {
      const end = t.end[i] < 0 ? this.nowMs : t.end[i];
      const x = (t.start[i] / total) * width;
      const w = Math.max(((end - t.start[i]) / total) * width, 0.75);
      ctx.fillStyle = t.status[i] === 1 ? errorColour : colours[t.kind[i]];
      ctx.fillRect(x, Math.min(i * rowH, MINIMAP_H - h), w, h);
    }
    ctx.globalAlpha = 1;
  }

  private wireMinimap(minimap: HTMLElement): void {
    const timeAt = (clientX: number) => {
      const r = minimap.getBoundingClientRect();
      return (Math.min(Math.max(clientX - r.left, 0), r.width) / Math.max(r.width, 1)) * this.win.total;
    };
    minimap.addEventListener('dblclick', () => {
      this.win.reset();
      this.changed();
    });
    minimap.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      minimap.setPointerCapture(e.pointerId);
      const t0 = timeAt(e.clientX);
      const onWindow = e.target === this.windowBox && this.win.zoomed;
      const from0 = this.win.from;
      const to0 = this.win.to;
      let moved = false;
      const move = (m: PointerEvent) => {
        const t1 = timeAt(m.clientX);
        if (Math.abs(m.clientX - e.clientX) > 3) moved = true;
        if (!moved) return;
        if (onWindow) this.win.set(from0 + (t1 - t0), to0 + (t1 - t0));
        else this.win.set(Math.min(t0, t1), Math.max(t0, t1));
        this.changed();
      };
      const up = () => {
        minimap.removeEventListener('pointermove', move);
        minimap.removeEventListener('pointerup', up);
        minimap.removeEventListener('pointercancel', up);
        if (!moved && !onWindow && this.win.zoomed) {
          const half = this.win.span / 2;
          this.win.set(t0 - half, t0 + half);
          this.changed();
        }
      };
      minimap.addEventListener('pointermove', move);
      minimap.addEventListener('pointerup', up);
      minimap.addEventListener('pointercancel', up);
    });
  }

  private changed(): void {
    this.update();
    this.onChange();
  }
}
