// A span table's clock columns (start, end) on the wire. As Float64 they were a third of a large
// table's bytes (1.6 of 4.4 MB at 100,000 spans), and every byte costs time between the host and
// the page (wireNumbers.ts). The table keeps whole microseconds (panel/tableRows.ts), so they
// cross as whole numbers: each start as the step from the span before it (spans in tree order
// mostly start a little after the one before), and each span's duration. A start more than 31
// bits of microseconds (35 minutes) from the one before gives itself as it is, and so does the
// end of a span still running or lasting longer than 32 bits (71 minutes). Columns that are not
// whole microseconds cross as they are. Shared by the host and the webview; unpacking checks what
// it is given (untrusted).
import { indexSteps, indicesFromSteps, isCountColumn, narrowCounts, narrowInts, widenInts, type CountColumn, type IndexColumn, type IntColumn } from './wireNumbers';

export type WireTimes =
  | { start: Float64Array; end: Float64Array }
  | {
      /** The first span's start, in microseconds since the trace's start. */
      base: number;
      /** Each start's step from the one before (the first: 0; a `jumps` one: 0), in microseconds. */
      steps: IntColumn;
      /** The spans whose start is given as it is (ms), rows as steps (indexSteps). */
      jumps: { rows: IndexColumn; start: Float64Array };
      /** How long each span lasted, in microseconds (0 for an `odd` one). */
      durations: CountColumn;
      /** The spans whose end is given as it is (ms; -1: still running), rows as steps. */
      odd: { rows: IndexColumn; end: Float64Array };
    };

const MAX_STEP = 0x7fffffff;
const MAX_DURATION = 0xffffffff;

export function packTimes(start: Float64Array, end: Float64Array): WireTimes {
  const n = start.length;
  const steps = new Int32Array(n);
  const durations = new Float64Array(n);
  const oddRows: number[] = [];
  const oddEnd: number[] = [];
  const jumpRows: number[] = [];
  const jumpStart: number[] = [];
  let prev = n ? Math.round(start[0] * 1000) : 0;
  const base = prev;
  for (let i = 0; i < n; i++) {
    const k = Math.round(start[i] * 1000);
    const step = k - prev;
    if (k / 1000 !== start[i]) return { start, end };
    if (step > MAX_STEP || step < -MAX_STEP) {
      jumpRows.push(i);
      jumpStart.push(start[i]);
    } else steps[i] = step;
    prev = k;
    const e = Math.round(end[i] * 1000);
    if (end[i] >= 0 && e / 1000 !== end[i]) return { start, end };
    if (end[i] < 0 || e - k > MAX_DURATION || e < k) {
      oddRows.push(i);
      oddEnd.push(end[i]);
    } else durations[i] = e - k;
  }
  return {
    base,
    steps: narrowInts(steps),
    jumps: { rows: indexSteps(Uint32Array.from(jumpRows)), start: Float64Array.from(jumpStart) },
    durations: narrowCounts(durations),
    odd: { rows: indexSteps(Uint32Array.from(oddRows)), end: Float64Array.from(oddEnd) },
  };
}

const malformed = (): Error => new Error('malformed time columns');

/** The start and end columns of `n` spans; throws on a malformed pack. */
export function unpackTimes(w: WireTimes, n: number): { start: Float64Array; end: Float64Array } {
  if (w && 'start' in w) {
    if (!(w.start instanceof Float64Array) || !(w.end instanceof Float64Array) || w.start.length !== n || w.end.length !== n) throw malformed();
    return { start: w.start, end: w.end };
  }
  if (!Number.isSafeInteger(w?.base) || !isCountColumn(w.durations) || w.durations.length !== n) throw malformed();
  const steps = widenInts(w.steps, n, 'time columns');
  const jumps = listed(w.jumps?.rows, w.jumps?.start, n);
  const odd = listed(w.odd?.rows, w.odd?.end, n);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  let k = w.base;
  for (let i = 0, j = 0; i < n; i++) {
    if (jumps.rows[j] === i) {
      const at = jumps.values[j++];
      if (!Number.isFinite(at) || (k = Math.round(at * 1000)) / 1000 !== at) throw malformed();
    } else k += steps[i];
    start[i] = k / 1000;
    end[i] = (k + w.durations[i]) / 1000;
  }
  for (let j = 0; j < odd.rows.length; j++) end[odd.rows[j]] = odd.values[j];
  return { start, end };
}

/** Rows (as steps) and a value for each, checked. */
function listed(rows: unknown, values: unknown, n: number): { rows: Uint32Array; values: Float64Array } {
  const at = indicesFromSteps(rows, n, 'time columns');
  if (!(values instanceof Float64Array) || values.length !== at.length) throw malformed();
  return { rows: at, values };
}
