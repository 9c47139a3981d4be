// The timeline under the mouse: click selects (the chevron folds), double-click folds a name or
// zooms to a bar, Ctrl+wheel zooms the time axis around the pointer and Shift+wheel pans it, and
// the sash between the columns resizes the name column.
import type { Timeline } from './timeline';

function spanAt(e: Event): number {
  const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
  return row?.dataset.span ? Number(row.dataset.span) : -1;
}

export function wirePointer(tl: Timeline, layer: HTMLElement, sash: HTMLElement): void {
  layer.addEventListener('click', (e) => {
    const i = spanAt(e);
    if (i < 0) return;
    if ((e.target as HTMLElement).classList.contains('twistie')) tl.toggle(i);
    else tl.select(i, 'pointer');
    tl.viewport.focus({ preventScroll: true });
  });
  layer.addEventListener('dblclick', (e) => {
    const i = spanAt(e);
    if (i < 0) return;
    if ((e.target as HTMLElement).closest('.bar-cell')) tl.zoomToSpan(i);
    else if (!(e.target as HTMLElement).classList.contains('twistie')) tl.toggle(i);
  });
  tl.viewport.addEventListener(
    'wheel',
    (e) => {
      const cell = (e.target as HTMLElement).closest('.bar-cell');
      if (!cell) return;
      const r = cell.getBoundingClientRect();
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
