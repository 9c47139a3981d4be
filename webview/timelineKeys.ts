// The timeline's keyboard: arrows move (Left/Right fold and unfold, or go to the parent), Home/End
// and Page keys jump, Enter opens the details, Space folds, / or Ctrl+F searches, G goes to the
// code, + - 0 Z zoom the time axis.
import type { SpanTable } from '../src/contract/spanTable';
import type { RowModel } from './rows';
import { ROW_H } from './rowView';

export interface TimelineEvents {
  select(i: number, how: 'pointer' | 'keyboard' | 'program'): void;
  open(i: number): void;
  goToCode(i: number): void;
  search(): void;
}

/** The part of the timeline the keys drive. */
export interface KeyTarget {
  readonly selected: number;
  readonly viewport: HTMLElement;
  select(i: number, how: 'keyboard'): void;
  toggle(i: number, open?: boolean): void;
  zoom(factor: number): void;
  fit(): void;
  zoomToSpan(i: number): void;
}

/** Handles one key press; returns whether it was the timeline's. */
export function timelineKey(e: KeyboardEvent, tl: KeyTarget, t: SpanTable, rows: RowModel, on: TimelineEvents): boolean {
  if (e.altKey) return false;
  const sel = tl.selected;
  const row = sel >= 0 ? rows.rowOf[sel] : -1;
  const page = Math.max(1, Math.floor(tl.viewport.clientHeight / ROW_H) - 1);
  const go = (r: number) => {
    const clamped = Math.min(Math.max(r, 0), rows.count - 1);
    if (clamped >= 0) tl.select(rows.visible[clamped], 'keyboard');
  };
  const mod = e.ctrlKey || e.metaKey;
  switch (e.key) {
    case 'ArrowDown':
      go(row + 1);
      return true;
    case 'ArrowUp':
      go(row < 0 ? 0 : row - 1);
      return true;
    case 'PageDown':
      go(row + page);
      return true;
    case 'PageUp':
      go(row - page);
      return true;
    case 'Home':
      go(0);
      return true;
    case 'End':
      go(rows.count - 1);
      return true;
    case 'ArrowRight':
      if (sel < 0) go(0);
      else if (rows.hasChildren(sel) && rows.collapsed[sel]) tl.toggle(sel, true);
      else if (rows.hasChildren(sel)) go(row + 1);
      return true;
    case 'ArrowLeft':
      if (sel < 0) return true;
      if (rows.hasChildren(sel) && !rows.collapsed[sel]) tl.toggle(sel, false);
      else if (t.parent[sel] >= 0) tl.select(t.parent[sel], 'keyboard');
      return true;
    case 'Enter':
      if (sel >= 0) on.open(sel);
      return true;
    case ' ':
      if (sel >= 0) tl.toggle(sel);
      return true;
    case '/':
      on.search();
      return true;
    case 'f':
    case 'F':
      if (!mod) return false;
      on.search();
      return true;
    case 'g':
    case 'G':
      if (mod || sel < 0) return false;
      on.goToCode(sel);
      return true;
    case '+':
    case '=':
      tl.zoom(0.5);
      return true;
    case '-':
      tl.zoom(2);
      return true;
    case '0':
      tl.fit();
      return true;
    case 'z':
      if (sel >= 0) tl.zoomToSpan(sel);
      return true;
    default:
      return false;
  }
}
