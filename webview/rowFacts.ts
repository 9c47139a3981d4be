// What one timeline row shows, worked out once from the span table: the canvas paints it
// (rowPainter.ts) and the accessible row element carries it (rowView.ts), so the two never differ.
import { F, STATUS_CODES, TOK, TOKEN_COLS, type SpanTable } from '../src/contract/spanTable';
import type { TimeWindow } from './axis';
import { compact, duration } from './format';
import type { RowModel } from './rows';
import { typeColour, typeIcon } from './spanStyle';

export const ROW_H = 22;
const INDENT = 12;
const MAX_INDENT_LEVELS = 48;
const ERROR = STATUS_CODES.indexOf('ERROR');
const RUNNING = STATUS_CODES.indexOf('IN_PROGRESS');

/** What a row needs to know about the timeline to show its span. */
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

export interface RowFacts {
  type: string;
  /** Codicon names. */
  icon: string;
  /** '' for a leaf. */
  twistie: string;
  /** Colour slot (spanStyle.ts). */
  colour: string;
  /** aria-level: depth + 1. */
  level: number;
  /** Left padding of the name cell, in px. */
  indent: number;
  name: string;
  /** 'error' | 'running' | 'orphan' | '' */
  flag: string;
  meta: string;
  /** Duration in ms (up to now for a running span). */
  durationMs: number;
  error: boolean;
  running: boolean;
  selected: boolean;
  match: boolean;
  current: boolean;
  offPath: boolean;
  hasKids: boolean;
  expanded: boolean;
  /** The bar as fractions of the bar cell; undefined when it lies outside the shown time window. */
  bar: { left: number; width: number; cutStart: boolean; cutEnd: boolean } | undefined;
}

/** Left padding of a row's name cell at tree depth `depth`, in px. */
export function indentOf(depth: number): number {
  return 4 + Math.min(depth, MAX_INDENT_LEVELS) * INDENT;
}

export function rowFacts(i: number, c: RowContext): RowFacts {
  const t = c.t;
  const type = t.types[t.kind[i]];
  const flags = t.flags[i];
  const error = t.status[i] === ERROR;
  const running = t.status[i] === RUNNING || t.end[i] < 0;
  const hasKids = t.subtreeEnd[i] > i + 1;
  const expanded = hasKids && !c.rows.collapsed[i];
  const end = running ? c.nowMs : t.end[i];
  const dur = end - t.start[i];
  let meta = running ? `${duration(dur)}…` : duration(dur);
  const o = i * TOKEN_COLS;
  if (flags & F.usage) meta = `${compact(t.tokens[o + TOK.total] || t.tokens[o + TOK.input] + t.tokens[o + TOK.output])} tok · ${meta}`;
  const x0 = c.win.pos(t.start[i]);
  const x1 = c.win.pos(end);
  const left = Math.max(x0, 0);
  return {
    type,
    icon: typeIcon(type),
    twistie: hasKids ? (expanded ? 'chevron-down' : 'chevron-right') : '',
    colour: typeColour(type),
    level: t.depth[i] + 1,
    indent: indentOf(t.depth[i]),
    name: t.names[i],
    flag: error ? 'error' : running ? 'running' : flags & F.orphan ? 'orphan' : '',
    meta,
    durationMs: dur,
    error,
    running,
    selected: i === c.selected,
    match: c.matchOf ? c.matchOf[i] === 1 : false,
    current: i === c.current,
    offPath: c.dimNonCritical && !(flags & F.critical),
    hasKids,
    expanded,
    bar: x1 < 0 || x0 > 1 ? undefined : { left, width: Math.max(Math.min(x1, 1) - left, 0), cutStart: x0 < 0, cutEnd: x1 > 1 },
  };
}

/** Where the twistie (16 px), the type icon (18 px) and the name start in a row's name cell. */
export const TWISTIE_W = 16;
export const ICON_W = 18;

/** The parts of a row under a point, x measured from the row's left edge. */
export function partAt(x: number, indent: number, nameWidth: number): 'twistie' | 'name' | 'bar' {
  if (x >= nameWidth) return 'bar';
  return x >= indent && x < indent + TWISTIE_W ? 'twistie' : 'name';
}
