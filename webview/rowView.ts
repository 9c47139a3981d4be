// One timeline row: built once, then re-filled for whichever span scrolls into its slot. Trace
// text goes in through textContent only.
import { F, STATUS_CODES, TOK, TOKEN_COLS, type SpanTable } from '../src/panel/protocol';
import type { TimeWindow } from './axis';
import { el, highlighted } from './dom';
import { glyph } from './glyphs';
import { compact, duration } from './format';
import type { RowModel } from './rows';
import { typeColour, typeIcon } from './spanStyle';

export const ROW_H = 22;
const INDENT = 12;
const MAX_INDENT_LEVELS = 48;
const ERROR = STATUS_CODES.indexOf('ERROR');
const RUNNING = STATUS_CODES.indexOf('IN_PROGRESS');

export interface RowEls {
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
  /** The timeline's stamp when it was last filled. */
  stamp: number;
  /** Last values written, so an unchanged property is never written again (each write costs a
   *  style recalculation while scrolling). */
  last: Record<string, string>;
}

function put(r: RowEls, key: string, value: string, write: (v: string) => void): void {
  if (r.last[key] === value) return;
  r.last[key] = value;
  write(value);
}

/** Replaces the text of an element that holds one text node, in place. */
function text(e: HTMLElement, value: string): void {
  const n = e.firstChild;
  if (n && n === e.lastChild && n.nodeType === Node.TEXT_NODE) (n as Text).data = value;
  else e.textContent = value;
}

/** What a row needs to know about the timeline to draw its span. */
export interface RowContext {
  t: SpanTable;
  nowMs: number;
  rows: RowModel;
  selected: number;
  current: number;
  matchOf: Uint8Array | undefined;
  words: string[];
  dimNonCritical: boolean;
  win: TimeWindow;
}

export function makeRow(id: string): RowEls {
  const twistie = el('span', { class: 'twistie glyph', attrs: { 'aria-hidden': 'true' } });
  const typeIconEl = el('span', { class: 'type-icon glyph', attrs: { 'aria-hidden': 'true' } });
  const name = el('span', { class: 'span-name' });
  const flag = el('span', { class: 'span-flag codicon' });
  const meta = el('span', { class: 'span-meta' });
  const bar = el('div', { class: 'bar' });
  const row = el(
    'div',
    { class: 'row', role: 'treeitem', attrs: { id } },
    el('div', { class: 'name-cell' }, twistie, typeIconEl, name, flag, meta),
    el('div', { class: 'bar-cell' }, bar),
  );
  return { row, twistie, typeIcon: typeIconEl, name, flag, meta, bar, span: -1, rowIndex: -1, stamp: -1, last: {} };
}

export function fillRow(r: RowEls, i: number, rowIndex: number, c: RowContext): void {
  const t = c.t;
  const type = t.types[t.kind[i]];
  const flags = t.flags[i];
  const error = t.status[i] === ERROR;
  const running = t.status[i] === RUNNING || t.end[i] < 0;
  const match = c.matchOf ? c.matchOf[i] === 1 : false;
  const selected = i === c.selected;
  const cls = `row${selected ? ' selected' : ''}${error ? ' error' : ''}${match ? ' match' : ''}${i === c.current ? ' current' : ''}${
    c.dimNonCritical && !(flags & F.critical) ? ' off-path' : ''
  }`;
  put(r, 'class', cls, (v) => (r.row.className = v));
  put(r, 'span', String(i), (v) => (r.row.dataset.span = v));
  put(r, 'level', String(t.depth[i] + 1), (v) => r.row.setAttribute('aria-level', v));
  put(r, 'selected', String(selected), (v) => r.row.setAttribute('aria-selected', v));
  put(r, 'rowindex', String(rowIndex + 1), (v) => r.row.setAttribute('aria-rowindex', v));
  const hasKids = t.subtreeEnd[i] > i + 1;
  put(r, 'expanded', hasKids ? String(!c.rows.collapsed[i]) : '', (v) => (v ? r.row.setAttribute('aria-expanded', v) : r.row.removeAttribute('aria-expanded')));
  const indent = `${4 + Math.min(t.depth[i], MAX_INDENT_LEVELS) * INDENT}px`;
  put(r, 'indent', indent, (v) => (r.name.parentElement!.style.paddingLeft = v));
  put(r, 'type', type, (v) => {
    text(r.typeIcon, glyph(typeIcon(v)));
    r.typeIcon.className = `type-icon glyph ${typeColour(v)}`;
    r.typeIcon.title = v;
  });
  // Names with search matches are rebuilt with <mark>s; plain ones are updated in place.
  const marked = match && c.words.length > 0;
  if (marked) {
    highlighted(r.name, t.names[i], c.words);
    r.last.name = '';
  } else put(r, 'name', t.names[i], (v) => text(r.name, v));
  put(r, 'twistie', hasKids ? glyph(c.rows.collapsed[i] ? 'chevron-right' : 'chevron-down') : '', (v) => text(r.twistie, v));
  const flag = error ? 'codicon-error' : running ? 'codicon-loading codicon-modifier-spin' : flags & F.orphan ? 'codicon-warning' : '';
  put(r, 'flag', flag, (v) => {
    r.flag.className = `span-flag codicon ${v}`;
    r.flag.title = error ? 'Error' : running ? 'Still running' : v ? 'Orphan: its parent span is missing from the trace' : '';
  });
  const end = running ? c.nowMs : t.end[i];
  const dur = end - t.start[i];
  let meta = running ? `${duration(dur)}…` : duration(dur);
  const o = i * TOKEN_COLS;
  if (flags & F.usage) meta = `${compact(t.tokens[o + TOK.total] || t.tokens[o + TOK.input] + t.tokens[o + TOK.output])} tok · ${meta}`;
  put(r, 'meta', meta, (v) => text(r.meta, v));
  const x0 = c.win.pos(t.start[i]);
  const x1 = c.win.pos(end);
  if (x1 < 0 || x0 > 1) {
    put(r, 'bar', 'hidden', () => (r.bar.hidden = true));
  } else {
    const left = Math.max(x0, 0);
    const geometry = `${left * 100}%|${Math.max(Math.min(x1, 1) - left, 0) * 100}%|bar ${typeColour(type)}${running ? ' open' : ''}${x0 < 0 ? ' cut-start' : ''}${x1 > 1 ? ' cut-end' : ''}`;
    put(r, 'bar', geometry, (v) => {
      const [l, w, k] = v.split('|');
      r.bar.hidden = false;
      r.bar.style.left = l;
      r.bar.style.width = w;
      r.bar.className = k;
    });
  }
  put(r, 'title', `${t.names[i]} · ${type} · ${duration(dur)}${running ? ' (running)' : ''}${error ? ' · ERROR' : ''}`, (v) => (r.row.title = v));
  r.span = i;
}
