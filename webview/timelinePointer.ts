// The timeline under the mouse: click selects (the chevron folds), double-click folds a name or
// zooms to a bar, Ctrl+wheel zooms the time axis around the pointer and Shift+wheel pans it, and
// the sash between the columns resizes the name column.
import type { TimeWindow } from './axis';
import type { WaterfallHead } from './waterfallHead';

/** The part of the timeline the pointer drives (as KeyTarget is for the keys). */
export interface PointerTarget {
  readonly root: HTMLElement;
  readonly viewport: HTMLElement;
  readonly head: WaterfallHead;
  readonly win: TimeWindow;
  spanAt(clientX: number, clientY: number): Hit;
  barBox(): { left: number; width: number };
  setHover(span: number): void;
  setNameWidth(f: number): void;
  select(i: number, how: 'pointer'): void;
  toggle(i: number, open?: boolean): void;
  zoomToSpan(i: number): void;
  redraw(): void;
}

type Hit = { span: number; part: 'twistie' | 'name' | 'bar' } | undefined;

/** The row and part an event is for. A row element says so itself (also for a click without
 *  coordinates, as assistive technology sends); where the row elements have not caught up with a
 *  scroll yet, the event lands on the canvas and its coordinates tell. */
function hitOf(tl: PointerTarget, e: MouseEvent): Hit {
  const target = e.target as HTMLElement;
  const row = target.closest<HTMLElement>('.row');
  if (!row?.dataset.span) return tl.spanAt(e.clientX, e.clientY);
  const part = target.classList.contains('twistie') ? 'twistie' : target.closest('.name-cell') ? 'name' : 'bar';
  return { span: Number(row.dataset.span), part };
}

export function wirePointer(tl: PointerTarget, layer: HTMLElement, sash: HTMLElement): void {
  layer.addEventListener('click', (e) => {
    const hit = hitOf(tl, e);
    if (!hit) return;
    if (hit.part === 'twistie') tl.toggle(hit.span);
    else tl.select(hit.span, 'pointer');
    tl.viewport.focus({ preventScroll: true });
  });
  layer.addEventListener('dblclick', (e) => {
    const hit = hitOf(tl, e);
    if (!hit) return;
    if (hit.part === 'bar') tl.zoomToSpan(hit.span);
    else if (hit.part === 'name') tl.toggle(hit.span);
  });
  layer.addEventListener('pointermove', (e) => tl.setHover(hitOf(tl, e)?.span ?? -1));
  layer.addEventListener('pointerleave', () => tl.setHover(-1));
  tl.viewport.addEventListener(
    'wheel',
    (e) => {
      if (hitOf(tl, e)?.part !== 'bar') return;
      const r = tl.barBox();
      const anchor = Math.min(Math.max((e.clientX - r.left) / Math.max(r.width, 1), 0), 1);
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        tl.win.zoom(Math.pow(1.0015, e.deltaY), anchor);
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        if (!tl.win.zoomed) return;
        e.preventDefault();
        tl.win.pan((e.shiftKey ? e.deltaY || e.deltaX : e.deltaX) / Math.max(r.width, 1));
      } else return;
      tl.head.update();
      tl.redraw();
    },
    { passive: false },
  );
  sash.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    sash.setPointerCapture(e.pointerId);
    sash.classList.add('active');
    const r = tl.viewport.getBoundingClientRect();
    const move = (m: PointerEvent) => {
      tl.setNameWidth((m.clientX - r.left) / Math.max(tl.viewport.clientWidth, 1));
      tl.head.update();
    };
    const up = () => {
      sash.classList.remove('active');
      sash.removeEventListener('pointermove', move);
      sash.removeEventListener('pointerup', up);
      tl.root.dispatchEvent(new CustomEvent('name-width', { bubbles: true }));
    };
    sash.addEventListener('pointermove', move);
    sash.addEventListener('pointerup', up);
  });
  sash.addEventListener('dblclick', () => {
    tl.setNameWidth(0.5);
    tl.head.update();
  });
}
