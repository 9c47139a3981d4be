// The span table as it is posted to the webview. VS Code moves typed arrays between the extension
// host and a webview as raw buffers, but every other value goes through JSON, with a replacer and
// a reviver called once per value on the way. The table's two string columns (ids and names, one
// string per span) are therefore sent as one string each plus a Uint32Array of where each ends, so
// a huge trace's table crosses as a few values instead of two per span (what that saved in the real
// workbench is in the CHANGELOG). Shared by the host and the webview.
import type { SpanTable } from './spanTable';

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
