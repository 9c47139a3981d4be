// The time axis: the window of the trace on screen (zoom and pan) and its tick marks. Pure math.

export class TimeWindow {
  /** Shown range in ms on the table's clock. */
  from = 0;
  to = 1;

  constructor(public total: number) {
    this.reset();
  }

  reset(): void {
    this.from = 0;
    this.to = Math.max(this.total, 1e-3);
  }

  get span(): number {
    return this.to - this.from;
  }

  get zoomed(): boolean {
    return this.from > 1e-9 || this.to < Math.max(this.total, 1e-3) - 1e-9;
  }

  setTotal(total: number): void {
    const wasFull = !this.zoomed;
    this.total = total;
    if (wasFull) this.reset();
    else this.clamp();
  }

  set(from: number, to: number): void {
    this.from = from;
    this.to = to;
    this.clamp();
  }

  /** Zoom by `factor` (< 1 zooms in) keeping the time under `anchor` (0..1 of the width) still. */
  zoom(factor: number, anchor = 0.5): void {
    const at = this.from + this.span * anchor;
    const span = this.span * factor;
    this.from = at - span * anchor;
    this.to = this.from + span;
    this.clamp();
  }

  /** Pan by a fraction of the shown width. */
  pan(fraction: number): void {
    const d = this.span * fraction;
    this.from += d;
    this.to += d;
    this.clamp();
  }

  /** The smallest window is 1 µs or a millionth of the trace, whichever is larger. */
  private clamp(): void {
    const total = Math.max(this.total, 1e-3);
    const min = Math.max(1e-3, total / 1e6);
    let span = Math.min(Math.max(this.to - this.from, min), total);
    if (!Number.isFinite(span)) span = total;
    let from = Math.min(Math.max(this.from, 0), total - span);
    if (!Number.isFinite(from)) from = 0;
    this.from = from;
    this.to = from + span;
  }

  /** 0..1 position of time t in the window (may fall outside). */
  pos(t: number): number {
    return (t - this.from) / this.span;
  }
}

/** Tick step of 1, 2 or 5 × 10^k ms giving about `target` ticks across the window. */
export function tickStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

export function ticks(from: number, to: number, target: number): { step: number; values: number[] } {
  const step = tickStep(to - from, target);
  const values: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to + step * 1e-9 && values.length < 200; v += step) values.push(+v.toPrecision(12));
  return { step, values };
}
