// The span table: one flat, transferable structure for the whole trace. Part of the webview
// contract (protocol.ts): built by the host (panel/viewModel.ts), packed for the wire
// (wireTable.ts), read by the webview. Types and plain constants only.
import type { SpanStatus } from '../model/types';

/** Span status codes in `SpanTable.status`. */
export const STATUS_CODES: readonly SpanStatus[] = ['OK', 'ERROR', 'UNSET', 'IN_PROGRESS'];

/** Bits of `SpanTable.flags`. */
export const F = {
  /** The span records its own token usage (a model call). */
  usage: 1,
  /** The span carries `code.filepath`/`code.lineno`. */
  code: 2,
  /** On the trace's critical path. */
  critical: 4,
  /** Its parent was missing; attached at the root. */
  orphan: 8,
  /** Has exception events. */
  exception: 16,
  /** Looks like a Gemini model call (has a model or LLM/CHAT_MODEL type). */
  model: 32,
} as const;

/** Columns of `SpanTable.tokens`, `TOKEN_COLS` numbers per span. */
export const TOK = { input: 0, output: 1, total: 2, thinking: 3, cached: 4 } as const;
export const TOKEN_COLS = 5;

/**
 * Every span of a trace as parallel typed arrays, indexed by the span's position in depth-first
 * tree order (so a span's subtree is the index range [i, subtreeEnd[i])). A 100k-span trace is
 * a handful of buffers and a few strings on the wire (wireTable.ts), which VS Code posts to the
 * webview far faster than a graph of 100k objects, and which the webview reads without allocating.
 */
export interface SpanTable {
  n: number;
  ids: string[];
  names: string[];
  /** Distinct span types; `kind[i]` indexes this. */
  types: string[];
  /** Distinct model names; `model[i]` indexes this, -1 for none. */
  models: string[];
  parent: Int32Array;
  depth: Int32Array;
  /** Exclusive end of the span's subtree in tree order. */
  subtreeEnd: Int32Array;
  /** Milliseconds since the trace started, in whole microseconds (fractional ms). */
  start: Float64Array;
  /** Same clock; -1 while the span is still running. */
  end: Float64Array;
  kind: Uint8Array;
  /** Index into STATUS_CODES. */
  status: Uint8Array;
  flags: Uint8Array;
  model: Int32Array;
  /** TOKEN_COLS numbers per span (its own usage), zeros when none. */
  tokens: Float64Array;
}
