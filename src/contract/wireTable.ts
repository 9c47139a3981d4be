// The span table as it is posted to the webview. VS Code moves typed arrays between the extension
// host and a webview as raw buffers, but every other value goes through JSON, with a replacer and
// a reviver called once per value on the way. The table's two string columns (ids and names, one
// string per span) are therefore sent as one string each plus where each string ends, so a huge
// trace's table crosses as a few values instead of two per span (what that saved in the real
// workbench is in the CHANGELOG). Every byte still costs: a remote workbench gets the table through
// a compressed web socket, and 100,000 spans' columns took ~0.3–0.45 s from the host's post to
// the page. So only what the page cannot work out crosses: names once each (spans repeat them),
// ids without ends when they are all as long (MLflow's are 16 hex digits), as bytes when they are
// hex, tokens only for the spans that have some (model calls) and their rows as steps, of the
// tree only each span's depth (tableTree.ts), and numbers in the narrowest arrays that hold them
// (wireNumbers.ts), times as whole microseconds (wireTimes.ts). 11.3 MB for the 100,000 spans of
// bench/gen-trace.mjs became 6.7 MB, then 4.6 MB, then 2.9 MB. Shared by the host and the webview.
import { TOKEN_COLS, type SpanTable } from './spanTable';
import { packTimes, unpackTimes, type WireTimes } from './wireTimes';
import { fillTree, parentsFromDepth } from './tableTree';
import { bytesHex, hexBytes, indexSteps, indicesFromSteps, isCountColumn, isIndexColumn, narrowIndices, narrowCounts, narrowInts, widenInts, type CountColumn, type IndexColumn, type IntColumn } from './wireNumbers';

/** Strings as one text: each `width` long, or ending where `ends` says (exclusive offsets in
 *  UTF-16 units); or, when they are all `width` lowercase hex digits, as the bytes they spell. */
export type PackedStrings = { text: string; width: number } | { text: string; ends: Uint32Array } | { hex: Uint8Array; width: number };

export interface WireTable extends Omit<SpanTable, 'ids' | 'names' | 'depth' | 'subtreeEnd' | 'tokens' | 'parent' | 'model' | 'start' | 'end'> {
  ids: PackedStrings;
  /** Each distinct name once, and each span's index into them. */
  names: { distinct: PackedStrings; of: IndexColumn };
  /** Each span's depth in the tree: its parent is the nearest earlier span one level up. */
  depth: IntColumn;
  times: WireTimes;
  model: IntColumn;
  /** The spans with a non-zero token count, ascending, as steps (indexSteps), and TOKEN_COLS
   *  numbers for each. */
  tokenRows: IndexColumn;
  tokens: CountColumn;
}

export function packStrings(xs: readonly string[]): PackedStrings {
  const text = xs.join('');
  const width = xs.length ? xs[0].length : 0;
  if (width > 0 && text.length === width * xs.length && xs.every((x) => x.length === width)) {
    const hex = width % 2 === 0 ? hexBytes(text) : undefined;
    return hex ? { hex, width } : { text, width };
  }
  const ends = new Uint32Array(xs.length);
  let at = 0;
  for (let i = 0; i < xs.length; i++) ends[i] = at += xs[i].length;
  return { text, ends };
}

const malformed = (what: string): Error => new Error(`malformed ${what}`);

/** Undoes packStrings; throws on a malformed pack (the webview treats its input as untrusted). */
export function unpackStrings(p: PackedStrings): string[] {
  if (p && 'hex' in p) return unpackStrings({ text: bytesHex(p.hex), width: p.width });
  if (typeof p?.text !== 'string') throw malformed('string column');
  if ('width' in p) {
    const { text, width } = p;
    if (!Number.isInteger(width) || width <= 0 || text.length % width !== 0) throw malformed('string column');
    const out = new Array<string>(text.length / width);
    for (let i = 0; i < out.length; i++) out[i] = text.slice(i * width, (i + 1) * width);
    return out;
  }
  if (!(p.ends instanceof Uint32Array)) throw malformed('string column');
  const out = new Array<string>(p.ends.length);
  let from = 0;
  for (let i = 0; i < p.ends.length; i++) {
    const to = p.ends[i];
    if (to < from || to > p.text.length) throw malformed('string column');
    out[i] = p.text.slice(from, to);
    from = to;
  }
  return out;
}

function packNames(names: readonly string[]): WireTable['names'] {
  const distinct: string[] = [];
  const index = new Map<string, number>();
  const of = new Uint32Array(names.length);
  for (let i = 0; i < names.length; i++) {
    let k = index.get(names[i]);
    if (k === undefined) index.set(names[i], (k = distinct.push(names[i]) - 1));
    of[i] = k;
  }
  return { distinct: packStrings(distinct), of: narrowIndices(of, distinct.length) };
}

function unpackNames(w: WireTable['names']): string[] {
  if (!isIndexColumn(w?.of)) throw malformed('name column');
  const distinct = unpackStrings(w.distinct);
  return Array.from(w.of, (k) => {
    if (k >= distinct.length) throw malformed('name column');
    return distinct[k];
  });
}

/** The table to post. */
export function packTable(t: SpanTable): WireTable {
  const rows = new Uint32Array(t.n);
  const tokens = new Float64Array(t.n * TOKEN_COLS);
  let k = 0;
  for (let i = 0, o = 0; i < t.n; i++, o += TOKEN_COLS) {
    let any = false;
    for (let c = 0; c < TOKEN_COLS; c++) any ||= t.tokens[o + c] !== 0;
    if (!any) continue;
    for (let c = 0; c < TOKEN_COLS; c++) tokens[k * TOKEN_COLS + c] = t.tokens[o + c];
    rows[k++] = i;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- left out of the wire
  const { parent, subtreeEnd, start, end, ...rest } = t;
  return {
    ...rest,
    times: packTimes(start, end),
    ids: packStrings(t.ids),
    names: packNames(t.names),
    depth: narrowInts(t.depth),
    model: narrowInts(t.model),
    tokenRows: indexSteps(rows.subarray(0, k)),
    tokens: narrowCounts(tokens.slice(0, k * TOKEN_COLS)),
  };
}

/** The posted columns of a table, its parents and subtree ends still zeros: a piece of a larger
 *  table has parents in earlier pieces, so its tree is filled once the pieces are joined
 *  (joinPieces), or alone for the first piece shown as a preview (asPreview). Throws on a
 *  malformed table. */
export function unpackColumns(w: WireTable): SpanTable {
  const ids = unpackStrings(w.ids);
  const names = unpackNames(w.names);
  if (ids.length !== w.n || names.length !== w.n) throw new Error(`the span table names ${w.n} spans but holds ${ids.length} ids and ${names.length} names`);
  const rows = indicesFromSteps(w.tokenRows, w.n, 'token columns');
  if (!isCountColumn(w.tokens) || w.tokens.length !== rows.length * TOKEN_COLS) throw malformed('token columns');
  const tokens = new Float64Array(w.n * TOKEN_COLS);
  for (let k = 0; k < rows.length; k++) tokens.set(w.tokens.subarray(k * TOKEN_COLS, (k + 1) * TOKEN_COLS), rows[k] * TOKEN_COLS);
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- expanded above
  const { tokenRows, times, ...rest } = w;
  const depth = widenInts(w.depth, w.n, 'depth column');
  const model = widenInts(w.model, w.n, 'model column');
  return { ...rest, ...unpackTimes(times, w.n), ids, names, depth, model, tokens, parent: new Int32Array(w.n), subtreeEnd: new Int32Array(w.n) };
}

/** A whole table as posted, tree columns filled. */
export function unpackTable(w: WireTable): SpanTable {
  const t = unpackColumns(w);
  fillFromDepth(t);
  return t;
}

/** The parents and subtree ends of a whole table (or a top of one) from its depths. */
function fillFromDepth(t: SpanTable): void {
  parentsFromDepth(t);
  fillTree(t);
}

const INT_COLUMNS = ['parent', 'depth', 'subtreeEnd', 'model'] as const;
/** What joinPieces copies: the other tree columns are filled from the joined depths. */
const POSTED_INT_COLUMNS = ['depth', 'model'] as const;
const FLOAT_COLUMNS = ['start', 'end'] as const;
const BYTE_COLUMNS = ['kind', 'status', 'flags'] as const;

/** The spans [from, to) of a table, as a table of their own (indices in it stay the whole
 *  table's: a piece's parent and subtreeEnd point into the whole). */
export function tablePiece(t: SpanTable, from: number, to: number): SpanTable {
  const piece: SpanTable = { ...t, n: to - from, ids: t.ids.slice(from, to), names: t.names.slice(from, to), tokens: t.tokens.slice(from * TOKEN_COLS, to * TOKEN_COLS) };
  for (const c of INT_COLUMNS) piece[c] = t[c].slice(from, to);
  for (const c of FLOAT_COLUMNS) piece[c] = t[c].slice(from, to);
  for (const c of BYTE_COLUMNS) piece[c] = t[c].slice(from, to);
  return piece;
}

/** The whole table from its pieces, first first (unpackColumns), tree columns filled; throws
 *  unless they add up to `n`. */
export function joinPieces(pieces: readonly SpanTable[], n: number): SpanTable {
  const total = pieces.reduce((k, p) => k + p.n, 0);
  if (total !== n || !pieces.length) throw new Error(`the span table's pieces hold ${total} spans of ${n}`);
  const last = pieces[pieces.length - 1];
  const t: SpanTable = { ...last, n, ids: pieces.flatMap((p) => p.ids), names: pieces.flatMap((p) => p.names), tokens: new Float64Array(n * TOKEN_COLS) };
  for (const c of INT_COLUMNS) t[c] = new Int32Array(n);
  for (const c of FLOAT_COLUMNS) t[c] = new Float64Array(n);
  for (const c of BYTE_COLUMNS) t[c] = new Uint8Array(n);
  let at = 0;
  for (const p of pieces) {
    for (const c of POSTED_INT_COLUMNS) t[c].set(p[c], at);
    for (const c of FLOAT_COLUMNS) t[c].set(p[c], at);
    for (const c of BYTE_COLUMNS) t[c].set(p[c], at);
    t.tokens.set(p.tokens, at * TOKEN_COLS);
    at += p.n;
  }
  fillFromDepth(t);
  return t;
}

/** The first piece (unpackColumns) shown on its own: the top of the tree, its subtrees cut at its
 *  end, so it reads as a whole tree. */
export function asPreview(piece: SpanTable): SpanTable {
  const t = { ...piece, parent: new Int32Array(piece.n), subtreeEnd: new Int32Array(piece.n) };
  fillFromDepth(t);
  return t;
}
