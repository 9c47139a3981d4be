// The timeline's rows, painted on one canvas: a page of DOM rows costs the browser style, layout
// and paint every frame while paging through a huge trace, and painting the same rows as text runs
// and rectangles costs far less (the README's "Why the rows are painted" has the figures). The canvas covers the rows in view plus an overscan, and rides
// the scroller like a row would, so small scrolls need no repaint at all.
import { glyph } from './glyphs';
import { readPalette, type Palette } from './palette';
import { ICON_W, ROW_H, rowFacts, TWISTIE_W, type RowContext, type RowFacts } from './rowFacts';

/** How the rows are shown beyond the table: the column split, focus and the pointer. */
export interface PaintView {
  nameWidth: number;
  focused: boolean;
  hover: number;
  /** Opacity of still-running bars, which pulse while the trace runs (1: no pulse). */
  pulse: number;
}

const FLAG_GLYPH: Record<string, [string, keyof Palette]> = { error: ['error', 'error'], running: ['loading', 'foreground'], orphan: ['warning', 'warning'] };
const MEASURED_LIMIT = 20_000;

export class RowCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private palette: Palette | undefined;
  private readonly widths = new Map<string, number>();
  private cssWidth = 0;
  private rowsFit = 0;
  private dpr = 1;

  constructor(private readonly onFontsLoaded: () => void) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'rows-canvas';
    this.canvas.setAttribute('aria-hidden', 'true');
    // Opaque: the rows sit on the editor background, and an opaque canvas composites cheaper.
    this.ctx = this.canvas.getContext('2d', { alpha: false })!;
  }

  /** The theme changed: colours and fonts are read again at the next paint. */
  themeChanged(): void {
    this.palette = undefined;
    this.widths.clear();
  }

  /** Makes room for `rows` rows `width` CSS pixels wide. */
  size(width: number, rows: number): void {
    const dpr = window.devicePixelRatio || 1;
    if (width === this.cssWidth && rows === this.rowsFit && dpr === this.dpr) return;
    this.cssWidth = width;
    this.rowsFit = rows;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(rows * ROW_H * dpr));
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${rows * ROW_H}px`;
  }

  /** Paints rows first..last-1 (at most the rows it has room for), spans from `visible`.
   *  Returns whether a still-running span was among them. */
  paint(first: number, last: number, visible: Int32Array, c: RowContext, view: PaintView): boolean {
    const p = (this.palette ??= this.loadPalette());
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = p.background;
    ctx.fillRect(0, 0, this.cssWidth, this.rowsFit * ROW_H);
    ctx.textBaseline = 'middle';
    this.canvas.style.transform = `translateY(${first * ROW_H}px)`;
    const end = Math.min(last, first + this.rowsFit);
    let running = false;
    for (let r = first; r < end; r++) {
      const i = visible[r];
      const f = rowFacts(i, c);
      running ||= f.running;
      this.row(f, (r - first) * ROW_H, i === view.hover, c.words, view, p);
    }
    return running;
  }

  private row(f: RowFacts, y: number, hover: boolean, words: readonly string[], view: PaintView, p: Palette): void {
    const ctx = this.ctx;
    const w = this.cssWidth;
    const active = f.selected && view.focused;
    const bg = f.selected ? (view.focused ? p.selection : p.inactiveSelection) : f.match ? p.filterMatch : hover ? p.hover : '';
    if (bg) {
      ctx.fillStyle = bg;
      ctx.fillRect(0, y, w, ROW_H);
    }
    if (active || (f.match && !f.selected)) {
      ctx.strokeStyle = active ? p.focusOutline : p.filterMatchBorder;
      ctx.setLineDash(active ? [] : [2, 2]);
      ctx.lineWidth = 1;
      ctx.strokeRect(0.5, y + 0.5, w - 1, ROW_H - 1);
    }
    const fg = f.selected ? (view.focused ? p.selectionForeground : p.inactiveSelectionForeground) : p.foreground;
    const mid = y + ROW_H / 2;
    const cellEnd = view.nameWidth - 8;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, y, Math.max(cellEnd, 0), ROW_H);
    ctx.clip();
    let x = f.indent;
    ctx.font = p.glyphFont;
    ctx.textAlign = 'center';
    if (f.twistie) {
      ctx.fillStyle = active ? p.selectionIcon : fg;
      ctx.fillText(glyph(f.twistie), x + TWISTIE_W / 2, mid);
    }
    x += TWISTIE_W;
    ctx.fillStyle = active ? p.selectionIcon : p.slots[f.colour];
    ctx.fillText(glyph(f.icon), x + ICON_W / 2, mid);
    x += ICON_W;
    ctx.textAlign = 'left';
    ctx.font = p.metaFont;
    const metaW = this.measure(p.metaFont, f.meta);
    const metaX = Math.max(cellEnd - metaW, x);
    ctx.fillStyle = active ? fg : p.description;
    ctx.fillText(f.meta, metaX, mid);
    ctx.font = p.font;
    const flagW = f.flag ? 20 : 0;
    const name = this.fit(p.font, f.name, metaX - 10 - flagW - x);
    if (f.match && words.length) this.marks(f.name, name.length, words, x, y, p);
    ctx.fillStyle = f.error && !f.selected ? p.error : fg;
    ctx.fillText(name, x, mid);
    if (f.flag) {
      const [g, colour] = FLAG_GLYPH[f.flag];
      const at = x + this.measure(p.font, name) + 4 + 8;
      ctx.font = p.glyphFont;
      ctx.textAlign = 'center';
      ctx.fillStyle = p[colour] as string;
      ctx.fillText(glyph(g), at, mid);
    }
    ctx.restore();
    if (f.bar) this.bar(f, y, view.nameWidth + 8, w - 8, p, f.running ? view.pulse : 1);
  }

  private bar(f: RowFacts, y: number, x0: number, x1: number, p: Palette, alpha: number): void {
    const b = f.bar!;
    const ctx = this.ctx;
    const width = x1 - x0;
    const left = x0 + b.left * width;
    const w = Math.max(b.width * width, 2);
    const colour = f.error ? p.error : p.slots[f.colour];
    ctx.globalAlpha = (f.offPath && !f.error ? 0.38 : 1) * alpha;
    if (f.running) {
      // An open-ended bar fades out to the right: the span has no end yet.
      const g = this.ctx.createLinearGradient(left, 0, left + w, 0);
      g.addColorStop(0, colour);
      g.addColorStop(0.7, colour);
      g.addColorStop(1, 'transparent');
      ctx.fillStyle = g;
    } else ctx.fillStyle = colour;
    const rl = b.cutStart ? 0 : 2;
    const rr = b.cutEnd || f.running ? 0 : 2;
    ctx.beginPath();
    ctx.roundRect(left, y + 5, w, 12, [rl, rr, rr, rl]);
    ctx.fill();
    if (p.highContrast && !f.offPath) {
      ctx.strokeStyle = p.contrastBorder;
      ctx.setLineDash([]);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  /** Search matches inside the shown part of a name, behind its text. */
  private marks(name: string, shown: number, words: readonly string[], x: number, y: number, p: Palette): void {
    const lower = name.toLowerCase();
    this.ctx.fillStyle = p.findMatch;
    for (let at = 0; at < shown; ) {
      let best = -1;
      let len = 0;
      for (const word of words) {
        const k = lower.indexOf(word, at);
        if (k >= 0 && (best < 0 || k < best)) [best, len] = [k, word.length];
      }
      if (best < 0 || best >= shown || len === 0) return;
      const from = this.measure(p.font, name.slice(0, best));
      this.ctx.fillRect(x + from, y + 3, this.measure(p.font, name.slice(best, Math.min(best + len, shown))), ROW_H - 6);
      at = best + len;
    }
  }

  /** `text` cut with an ellipsis to fit `room` px. */
  private fit(font: string, text: string, room: number): string {
    if (room <= 0) return '';
    // Hardly any glyph is narrower than 1 px: a 10 MB name is never measured whole.
    const capped = text.length > room ? text.slice(0, Math.ceil(room)) : text;
    if (capped === text && this.measure(font, text) <= room) return text;
    let lo = 0;
    let hi = capped.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.measure(font, `${capped.slice(0, mid)}…`) <= room) lo = mid;
      else hi = mid - 1;
    }
    return lo ? `${capped.slice(0, lo)}…` : '';
  }

  private measure(font: string, text: string): number {
    const key = `${font}\u0000${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      if (this.widths.size > MEASURED_LIMIT) this.widths.clear();
      this.ctx.font = font;
      w = this.ctx.measureText(text).width;
      this.widths.set(key, w);
    }
    return w;
  }

  private loadPalette(): Palette {
    const p = readPalette();
    // Glyphs drawn before the icon font arrives would be boxes: paint again once it has.
    if (!document.fonts.check(p.glyphFont)) void document.fonts.load(p.glyphFont).then(() => this.onFontsLoaded(), () => undefined);
    return p;
  }
}
