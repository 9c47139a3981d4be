// One span → one row of the span table's columns. Both builders of the table write their rows
// here: viewModel.ts from a normalised Trace, directTable.ts from the raw span list before the
// trace is normalised. One writer, so the two tables cannot come out different for the same span.
import type { Span } from '../model/types';
import { F, STATUS_CODES, TOK, TOKEN_COLS, type SpanTable } from '../contract/spanTable';

const MODEL_TYPES = new Set(['LLM', 'CHAT_MODEL', 'EMBEDDING']);

/** What a row needs of a span (a Span has all of it). */
export type RowSpan = Pick<Span, 'id' | 'name' | 'type' | 'status' | 'startNs' | 'endNs' | 'usage' | 'code' | 'orphan' | 'model'> & { exceptions: { length: number } };

export class TableRows {
  readonly table: SpanTable;
  private readonly typeIndex = new Map<string, number>();
  private readonly modelIndex = new Map<string, number>();

  /** A table of `n` rows whose clock starts at `t0` (the trace's start). */
  constructor(
    n: number,
    private readonly t0: bigint,
  ) {
    this.table = {
      n,
      ids: new Array<string>(n),
      names: new Array<string>(n),
      types: [],
      models: [],
      parent: new Int32Array(n),
      depth: new Int32Array(n),
      subtreeEnd: new Int32Array(n),
      start: new Float64Array(n),
      end: new Float64Array(n),
      kind: new Uint8Array(n),
      status: new Uint8Array(n),
      flags: new Uint8Array(n),
      model: new Int32Array(n),
      tokens: new Float64Array(n * TOKEN_COLS),
    };
  }

  /** Row `i` (rows in depth-first tree order), its parent's row `parent` (-1: none). */
  write(i: number, s: RowSpan, parent: number): void {
    const table = this.table;
    table.ids[i] = s.id;
    table.names[i] = s.name || '(unnamed span)';
    table.parent[i] = parent;
    // Whole microseconds: finer than anything drawn or shown, and they cross to the page as whole
    // numbers (contract/wireTimes.ts).
    table.start[i] = Math.round(Number(s.startNs - this.t0) / 1e3) / 1e3;
    table.end[i] = s.endNs === null ? -1 : Math.max(table.start[i], Math.round(Number(s.endNs - this.t0) / 1e3) / 1e3);
    let k = this.typeIndex.get(s.type);
    if (k === undefined) {
      // More than 255 distinct types would be a strange trace; fold the rest into the last.
      k = Math.min(table.types.length, 255);
      if (k === table.types.length) table.types.push(s.type);
      this.typeIndex.set(s.type, k);
    }
    table.kind[i] = k;
    const st = STATUS_CODES.indexOf(s.status);
    table.status[i] = st < 0 ? STATUS_CODES.indexOf('UNSET') : st;
    let flags = 0;
    if (s.usage) {
      flags |= F.usage;
      const o = i * TOKEN_COLS;
      table.tokens[o + TOK.input] = s.usage.input;
      table.tokens[o + TOK.output] = s.usage.output;
      table.tokens[o + TOK.total] = s.usage.total;
      table.tokens[o + TOK.thinking] = s.usage.thinking;
      table.tokens[o + TOK.cached] = s.usage.cached;
    }
    if (s.code) flags |= F.code;
    if (s.orphan) flags |= F.orphan;
    if (s.exceptions.length) flags |= F.exception;
    if (s.model || MODEL_TYPES.has(s.type)) flags |= F.model;
    table.flags[i] = flags;
    if (s.model) {
      let m = this.modelIndex.get(s.model);
      if (m === undefined) {
        m = table.models.length;
        table.models.push(s.model);
        this.modelIndex.set(s.model, m);
      }
      table.model[i] = m;
    } else table.model[i] = -1;
  }
}
