// A span table as the panel posts it: whole, or for a large trace in pieces, the top of the tree
// first (TracePayload.from), each packed once (wireTable.ts) and kept, so posting it again (a
// page that was hidden, a reopened trace) packs nothing. The table of a TraceSession, and the one
// drawn from a trace's raw span list before its session exists (directTable.ts).
import type { TraceHeader, TracePayload } from '../contract/protocol';
import type { SpanTable } from '../contract/spanTable';
import { packTable, tablePiece, type WireTable } from '../contract/wireTable';

/** A table of more spans than this is posted in pieces: posting 300,000 spans in one message took
 *  3.4 s from the host's postMessage to the webview's message event in the real workbench (VS
 *  Code serialises it in the host, sends it through its RPC, parses it in the workbench and posts
 *  it into the webview's frames), with no row drawn before all of it was across, and packing and
 *  posting it held the host for 190 ms. */
export const PIECE_SPANS = 40_000;
/** The first piece: the top of the tree, a few screens of rows, drawn while the rest crosses. */
export const FIRST_PIECE_SPANS = 2_000;
/** Tables up to this many spans are posted whole. Past it the first piece pays off even when the
 *  rest is one message: at 10,000 spans the page drew its first rows 54–66 ms after the post
 *  instead of 105–114 ms, the whole table ~20 ms later (bench/panel-open.mjs' timeline). */
const WHOLE_SPANS = 2 * FIRST_PIECE_SPANS;

export class PostedTable {
  /** The table packed whole, once asked for. */
  private wire: WireTable | undefined;
  /** The pieces as posted, each packed once, when the table is posted in pieces. */
  private readonly pieces: WireTable[] = [];

  constructor(
    readonly table: SpanTable,
    readonly header: () => TraceHeader,
  ) {}

  payload(revision: number, focusSpanId?: string): TracePayload {
    this.wire ??= packTable(this.table);
    return { header: this.header(), table: this.wire, revision, focusSpanId };
  }

  /** The table as posted: whole, or for a large trace in pieces. Each piece is packed when asked
   *  for, so the host can post one per turn. */
  *payloads(revision: number, focusSpanId?: string): Generator<TracePayload> {
    const n = this.table.n;
    if (n <= WHOLE_SPANS) {
      yield this.payload(revision, focusSpanId);
      return;
    }
    const header = this.header();
    for (let from = 0, k = 0; from < n; k++) {
      const to = Math.min(n, from === 0 ? FIRST_PIECE_SPANS : from + PIECE_SPANS);
      const table = (this.pieces[k] ??= packTable(tablePiece(this.table, from, to)));
      yield { header, table, revision, focusSpanId, from };
      from = to;
    }
  }
}
