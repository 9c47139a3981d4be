// The span table as it is posted to the webview. VS Code moves typed arrays between the extension
// host and a webview as raw buffers, but every other value goes through JSON, with a replacer and
// a reviver called once per value on the way. The table's two string columns (ids and names, one
// string per span) are therefore sent as one string each plus a Uint32Array of where each ends, so
// a huge trace's table crosses as a few values instead of two per span (what that saved in the real
// workbench is in the CHANGELOG). Shared by the host and the webview.
import { TOKEN_COLS, type SpanTable } from './spanTable';

export interface PackedStrings {
  text: string;
  /** Exclusive end offset in `text` (UTF-16 units) of each string. */
  ends: Uint32Array;
}

export interface WireTable extends Omit<SpanTable, 'ids' | 'names'> {
  ids: PackedStrings;
  names: PackedStrings;
}

export function packStrings(xs: readonly string[]): PackedStrings {
  const ends = new Uint32Array(xs.length);
  let at = 0;
  for (let i = 0; i < xs.length; i++) ends[i] = at += xs[i].length;
  return { text: xs.join(''), ends };
}

/** Undoes packStrings; throws on a malformed pack (the webview treats its input as untrusted). */
export function unpackStrings(p: PackedStrings): string[] {
  if (typeof p?.text !== 'string' || !(p.ends instanceof Uint32Array)) throw new Error('malformed string column');
  const out = new Array<string>(p.ends.length);
  let from = 0;
  for (let i = 0; i < p.ends.length; i++) {
    const to = p.ends[i];
    if (to < from || to > p.text.length) throw new Error('malformed string column');
    out[i] = p.text.slice(from, to);
    from = to;
  }
  return out;
}

export function packTable(t: SpanTable): WireTable {
  return { ...t, ids: packStrings(t.ids), names: packStrings(t.names) };
}

export function unpackTable(w: WireTable): SpanTable {
  const ids = unpackStrings(w.ids);
  const names = unpackStrings(w.names);
  if (ids.length !== w.n || names.length !== w.n) throw new Error(`the span table names ${w.n} spans but holds ${ids.length} ids and ${names.length} names`);
  return { ...w, ids, names };
}

const INT_COLUMNS = ['parent', 'depth', 'subtreeEnd', 'model'] as const;
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

/** The whole table from its pieces, first first (unpacked); throws unless they add up to `n`. */
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
    for (const c of INT_COLUMNS) t[c].set(p[c], at);
    for (const c of FLOAT_COLUMNS) t[c].set(p[c], at);
    for (const c of BYTE_COLUMNS) t[c].set(p[c], at);
    t.tokens.set(p.tokens, at * TOKEN_COLS);
    at += p.n;
  }
  return t;
}

/** The first piece shown on its own: subtrees cut at its end, so it reads as a whole tree. */
export function asPreview(piece: SpanTable): SpanTable {
  return { ...piece, subtreeEnd: piece.subtreeEnd.map((e) => Math.min(e, piece.n)) };
}
