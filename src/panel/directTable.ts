// A large trace's span table straight from its raw span list, before the trace is normalised.
// Normalising builds a Span object per span, links them into a tree and rolls usage up, and the
// table is laid out from that: for 100,000 spans about a second of the extension host's time before
// the panel could post a row. The table needs a few columns per span, so this reads each raw span
// once into them (decoding only the attributes the table's facts come from) and the panel posts it
// at once; the Trace that details, search and model calls read is normalised after the page has
// drawn the table.
//
// It reads only traces it reads exactly as normalising would: every span decodes alone and
// cleanly, ids are unique, every parent is there and no parent chain loops, every span has ended,
// and the trace is finished with nothing to warn about. Anything else gives undefined, and the
// panel takes the usual road. The facts come from the same functions normalising uses (spanFacts,
// decodeSpan, TableRows), and the session checks the table against the normalised trace before it
// adopts it (session.ts).
import { decodesAlone, decodeSpan } from '../model/encodings';
import { INPUTS_ATTR, OUTPUTS_ATTR, decodePayload, payloadFieldIn, usageMetadataIn } from '../model/lazySpan';
import { recordedSpans, unwrapInfo } from '../model/normalize';
import { SPAN_FACT_KEYS, exceptionsOf, spanFacts } from '../model/spanInfo';
import { siblingOrder } from '../model/spanTree';
import { summarizeTraceInfo } from '../model/summary';
import { ZERO_USAGE, addCost, addUsage, subtreeCost, subtreeUsage } from '../model/usage';
import type { TraceInfo } from '../mlflow/types';
import type { SpanReader } from '../model/earlySpans';
import type { Cost, TokenUsage } from '../model/types';
import { isRecord } from '../shared/json';
import { pauseHere, scaled, type Steps } from '../shared/steps';
import type { SpanTable } from '../contract/spanTable';
import { TableRows, type RowSpan } from './tableRows';
import { finishTableSteps, type HeaderSource } from './viewModel';

/** The attributes decoded for the table: its facts', and the payloads a fact may fall back on. */
const KEYS: ReadonlySet<string> = new Set([...SPAN_FACT_KEYS, INPUTS_ATTR, OUTPUTS_ATTR]);

interface Row extends RowSpan {
  parentId: string | null;
  cost?: Cost;
}

export interface DirectTable {
  table: SpanTable;
  /** The header's facts, as normalising would give them. */
  trace: HeaderSource;
  /** Each row's span's index in the raw span list. */
  payloadIndex: Int32Array;
}

/** The table of `list`'s spans (with `info`, the trace's info), or undefined when this trace is not
 *  one it reads exactly (see above). As steps: pausable between blocks of spans. `early`: spans
 *  read while the body downloaded (model/earlySpans.ts), whose rows come from them. */
export function* directTableSteps(info: unknown, list: readonly unknown[], early?: Pick<SpanReader, 'peek'>): Steps<DirectTable | undefined> {
  try {
    return yield* direct(info, list, early);
  } catch {
    return undefined; // the usual road reads it, and says what was wrong
  }
}

function* direct(rawInfo: unknown, list: readonly unknown[], early: Pick<SpanReader, 'peek'> | undefined): Steps<DirectTable | undefined> {
  const info = unwrapInfo(rawInfo);
  const n = list.length;
  if (!info || n === 0) return undefined;
  const summary = summarizeTraceInfo(info as unknown as TraceInfo);
  if ((summary.state !== 'OK' && summary.state !== 'ERROR') || !summary.id || recordedSpans(summary) > n) return undefined;

  const rows = yield* scaled(readRows(list, early), 0, 0.75);
  if (!rows) return undefined;
  const tree = yield* scaled(treeOrder(rows), 0.75, 0.85);
  if (!tree) return undefined;
  const { order, parent } = tree;

  let startNs = rows[0].startNs;
  let endNs = rows[0].endNs!;
  for (const r of rows) {
    if (r.startNs < startNs) startNs = r.startNs;
    if (r.endNs! > endNs) endNs = r.endNs!;
  }
  const out = new TableRows(n, startNs);
  const rowOf = new Int32Array(n);
  for (let k = 0; k < n; k++) rowOf[order[k]] = k;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    out.write(k, rows[i], parent[i] < 0 ? -1 : rowOf[parent[i]]);
    if (pauseHere(k)) yield 0.85 + (0.05 * k) / n;
  }
  const bounds = { startNs, endNs, status: summary.state };
  const table = yield* scaled(finishTableSteps(out.table, bounds), 0.9, 0.97);
  const totals = yield* scaled(rollUpSteps(table, (k) => rows[order[k]]), 0.97, 1);
  if (table.models.length) summary.models = table.models.slice();
  return {
    table,
    payloadIndex: order,
    trace: {
      ...bounds,
      summary,
      usage: totals.usage ?? summary.usage ?? { ...ZERO_USAGE },
      cost: totals.cost ?? summary.cost,
      models: summary.models,
      warnings: [],
      roots: [rows[order[0]]],
      spans: { length: n },
    },
  };
}

/** Each raw span's row facts, in payload order; undefined at the first span normalising would
 *  read differently from alone, or warn about. A span read early is not decoded again: from a
 *  server across a network most of a large trace is read while its body downloads. */
function* readRows(list: readonly unknown[], early: Pick<SpanReader, 'peek'> | undefined): Steps<Row[] | undefined> {
  const rows: Row[] = new Array(list.length);
  let warned = false;
  const warn = (): void => void (warned = true);
  for (let i = 0; i < list.length; i++) {
    if (pauseHere(i, 64)) yield i / list.length;
    const raw = list[i];
    const read = early?.peek(i, raw);
    if (read === 'warned') return undefined;
    if (read) {
      // The span as normalising reads it (readSpan: decodeSpan, then spanFacts as below).
      if (read.endNs === null) return undefined;
      rows[i] = {
        id: read.id, parentId: read.parentId, name: read.name, type: read.type, status: read.status, startNs: read.startNs, endNs: read.endNs,
        usage: read.usage, code: read.code, orphan: false, model: read.model, exceptions: read.exceptions, cost: read.cost,
      };
      continue;
    }
    if (!isRecord(raw) || !decodesAlone(raw)) return undefined;
    const d = decodeSpan(raw, i, 'python', warn, KEYS);
    if (typeof d === 'string' || warned || d.endNs === null) return undefined;
    const a = d.attributes;
    // The payloads as LazySpan holds them: Python's as text (decoded only if the scan cannot read
    // them), the others decoded already.
    const payload = (text: string | undefined, key: string) => (): unknown => (text === undefined ? (a[key] ?? null) : decodePayload(text));
    const facts = spanFacts(
      a,
      () => usageMetadataIn(d.outputsText, payload(d.outputsText, OUTPUTS_ATTR)),
      () => payloadFieldIn(d.inputsText, 'model', payload(d.inputsText, INPUTS_ATTR)),
    );
    rows[i] = {
      id: d.id, parentId: d.parentId, name: d.name, type: facts.type, status: d.status, startNs: d.startNs, endNs: d.endNs,
      usage: facts.usage, code: facts.code, orphan: false, model: facts.model, exceptions: d.events.length ? exceptionsOf(d.events) : [], cost: facts.cost,
    };
  }
  return rows;
}

/** Payload indices in depth-first tree order as model/spanTree.ts orders them (siblings by start,
 *  then end, then payload order), and each span's parent's payload index (-1: a root); undefined
 *  for a repeated id, a missing parent or a loop. */
function* treeOrder(rows: Row[]): Steps<{ order: Int32Array; parent: Int32Array } | undefined> {
  const n = rows.length;
  const indexOf = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    // A repeated id leaves the size as it was: one lookup per span instead of two.
    indexOf.set(rows[i].id, i);
    if (indexOf.size !== i + 1) return undefined;
    if (pauseHere(i, 4096)) yield (0.3 * i) / n;
  }
  // Child lists as one array grouped by parent (-1: the roots), each group in payload order.
  const parent = new Int32Array(n);
  const first = new Int32Array(n + 2);
  for (let i = 0; i < n; i++) {
    const id = rows[i].parentId;
    const p = id === null ? -1 : indexOf.get(id);
    if (p === undefined || p === i) return undefined;
    parent[i] = p;
    first[p + 2]++;
    if (pauseHere(i, 4096)) yield 0.3 + (0.2 * i) / n;
  }
  for (let p = 0; p <= n; p++) first[p + 1] += first[p];
  const kids = new Int32Array(n);
  const fill = first.slice(0, n + 1);
  for (let i = 0; i < n; i++) kids[fill[parent[i] + 1]++] = i;
  const byStart = siblingOrder(
    (i) => rows[i].startNs,
    (i) => rows[i].endNs,
  );
  let work = 0;
  for (let p = -1; p < n; p++) {
    const from = first[p + 1];
    const to = first[p + 2];
    // Most parents have a few children: an insertion sort in place costs less than a call of the
    // typed array's sort (which copies the list out and back) for each of ~100,000 parents.
    if (to - from > 8) kids.subarray(from, to).sort(byStart);
    else
      for (let j = from + 1; j < to; j++) {
        const c = kids[j];
        let h = j;
        for (; h > from && byStart(kids[h - 1], c) > 0; h--) kids[h] = kids[h - 1];
        kids[h] = c;
      }
    // A pause per ~4,000 spans of work, children counted (a wide tree's first parents hold most).
    if ((work += to - from + 1) >= 4096) {
      work = 0;
      yield 0.5 + (0.2 * (p + 1)) / n;
    }
  }
  yield 0.7;
  const order = new Int32Array(n);
  let k = 0;
  const stack: number[] = [];
  for (let j = first[1] - 1; j >= first[0]; j--) stack.push(kids[j]);
  while (stack.length) {
    const i = stack.pop()!;
    order[k++] = i;
    for (let j = first[i + 2] - 1; j >= first[i + 1]; j--) stack.push(kids[j]);
  }
  // Spans in a parent loop are never reached from a root.
  return k === n ? { order, parent } : undefined;
}

/** The trace's usage and cost as model/usage.ts' rollUpSteps adds them up, over the table's tree
 *  (children of a row in order, as a Span's children are). */
function* rollUpSteps(t: SpanTable, rowAt: (k: number) => Row): Steps<{ usage?: TokenUsage; cost?: Cost }> {
  const usage: (TokenUsage | undefined)[] = new Array(t.n);
  const cost: (Cost | undefined)[] = new Array(t.n);
  for (let k = t.n - 1; k >= 0; k--) {
    let kidsUsage: TokenUsage | undefined;
    let kidsCost: Cost | undefined;
    for (let c = k + 1; c < t.subtreeEnd[k]; c = t.subtreeEnd[c]) {
      const u = usage[c];
      if (u) kidsUsage = kidsUsage ? addUsage(kidsUsage, u) : u;
      const x = cost[c];
      if (x) kidsCost = kidsCost ? addCost(kidsCost, x) : x;
    }
    const r = rowAt(k);
    usage[k] = subtreeUsage(r.usage, kidsUsage);
    cost[k] = subtreeCost(r.cost, kidsCost);
    if (pauseHere(k)) yield 1 - k / t.n;
  }
  let total: { usage?: TokenUsage; cost?: Cost } = {};
  for (let k = 0; k < t.n; k = t.subtreeEnd[k]) {
    const u = usage[k];
    const x = cost[k];
    total = { usage: u && total.usage ? addUsage(total.usage, u) : (total.usage ?? u), cost: x && total.cost ? addCost(total.cost, x) : (total.cost ?? x) };
  }
  return total;
}
