// Trace → the compact span table and header the webview draws from. Pure: no vscode.
// Flat typed arrays instead of an object graph keep a 100k-span trace cheap to post and to read.
import type { Span, Trace } from '../model/types';
import { TAG } from '../shared/runTags';
import { pauseHere, runToEnd, type Steps } from '../shared/steps';
import { type TraceHeader } from '../contract/protocol';
import { F, STATUS_CODES, TOK, TOKEN_COLS, type SpanTable } from '../contract/spanTable';
import { fillTree } from '../contract/tableTree';

const MODEL_TYPES = new Set(['LLM', 'CHAT_MODEL', 'EMBEDDING']);

/** Spans in depth-first tree order, following `children` from the roots, each span once. */
export function* treeOrderSteps(trace: Trace): Steps<Span[]> {
  const out: Span[] = [];
  const seen = new Set<Span>();
  const stack: Span[] = [...trace.roots].reverse();
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
    if (pauseHere(out.length)) yield out.length / trace.spans.length;
    for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]);
  }
  // A span the tree did not reach (a model bug) is still shown, at the root.
  if (out.length !== trace.spans.length) for (const s of trace.spans) if (!seen.has(s)) out.push(s);
  return out;
}

/** The table, as steps (see shared/steps.ts), pausable between blocks of spans. */
export function* tableSteps(trace: Trace, order: Span[]): Steps<SpanTable> {
  const n = order.length;
  const t0 = trace.startNs;
  const index = new Map<Span, number>();
  const types: string[] = [];
  const typeIndex = new Map<string, number>();
  const models: string[] = [];
  const modelIndex = new Map<string, number>();
  const table: SpanTable = {
    n,
    ids: new Array<string>(n),
    names: new Array<string>(n),
    types,
    models,
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
  for (let i = 0; i < n; i++) {
    index.set(order[i], i);
    if (pauseHere(i)) yield (0.2 * i) / n;
  }
  for (let i = 0; i < n; i++) {
    const s = order[i];
    table.ids[i] = s.id;
    table.names[i] = s.name || '(unnamed span)';
    const parent = s.parentId === null ? undefined : trace.byId.get(s.parentId);
    const p = parent && !s.orphan ? (index.get(parent) ?? -1) : -1;
    table.parent[i] = p;
    table.start[i] = Number(s.startNs - t0) / 1e6;
    table.end[i] = s.endNs === null ? -1 : Math.max(table.start[i], Number(s.endNs - t0) / 1e6);
    let k = typeIndex.get(s.type);
    if (k === undefined) {
      // More than 255 distinct types would be a strange trace; fold the rest into the last.
      k = Math.min(types.length, 255);
      if (k === types.length) types.push(s.type);
      typeIndex.set(s.type, k);
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
      let m = modelIndex.get(s.model);
      if (m === undefined) {
        m = models.length;
        models.push(s.model);
        modelIndex.set(s.model, m);
      }
      table.model[i] = m;
    } else table.model[i] = -1;
    if (pauseHere(i)) yield 0.2 + (0.7 * i) / n;
  }
  fillTree(table);
  yield* markCriticalPathSteps(table, nowMs(trace, table));
  return table;
}

/** "Now" on the table's clock: open-ended spans are drawn up to here. */
export function nowMs(trace: Trace, table: SpanTable, now = Date.now()): number {
  let last = 0;
  for (let i = 0; i < table.n; i++) last = Math.max(last, table.end[i], table.start[i]);
  if (trace.endNs !== null && trace.status !== 'IN_PROGRESS') return Math.max(last, Number(trace.endNs - trace.startNs) / 1e6);
  const wall = now - Number(trace.startNs / 1_000_000n);
  // A skewed clock must not shrink the axis below what the spans themselves show.
  return Math.max(last, Number.isFinite(wall) ? wall : 0);
}

/**
 * The critical path, as Jaeger draws it: from the end of the trace walk backwards, at each span
 * taking the child that finished last before the cursor, then moving the cursor to that child's
 * start. Iterative, so a 10,000-deep chain cannot overflow the stack.
 */
export function markCriticalPath(table: SpanTable, now: number): void {
  runToEnd(markCriticalPathSteps(table, now));
}

/** markCriticalPath as steps: for 300,000 spans it held the host for over 100 ms in one go. */
function* markCriticalPathSteps(table: SpanTable, now: number): Steps<void> {
  const { n, parent, start, flags } = table;
  const endOf = (i: number) => (table.end[i] < 0 ? now : table.end[i]);
  const children: number[][] = [[]]; // [0] holds the roots; child lists of span i at i + 1
  for (let i = 0; i < n; i++) {
    children.push([]);
    if (pauseHere(i, 4096)) yield 0.9;
  }
  for (let i = 0; i < n; i++) {
    children[parent[i] + 1].push(i);
    if (pauseHere(i, 4096)) yield 0.9;
  }
  const stack: [list: number, cursor: number][] = [[0, Infinity]];
  for (let step = 0; stack.length; step++) {
    if (pauseHere(step, 1024)) yield 0.9;
    const [list, limit] = stack.pop()!;
    const kids = children[list].slice().sort((a, b) => endOf(b) - endOf(a));
    let cursor = list === 0 ? Infinity : Math.min(endOf(list - 1), limit);
    for (const c of kids) {
      if (cursor !== Infinity && start[c] >= cursor) continue;
      flags[c] |= F.critical;
      stack.push([c + 1, cursor]);
      cursor = start[c];
      if (list === 0) break; // of several roots only the one that ends last is on the path
    }
  }
}

export function buildHeader(trace: Trace, table: SpanTable, mlflowUrl?: string): TraceHeader {
  const s = trace.summary;
  const root = trace.roots[0];
  const startEpochMs = trace.spans.length ? Number(trace.startNs / 1_000_000n) : s.requestTimeMs;
  const running = trace.status === 'IN_PROGRESS' || s.state === 'IN_PROGRESS';
  const durationMs = running
    ? null
    : trace.endNs !== null && trace.spans.length
      ? Number(trace.endNs - trace.startNs) / 1e6
      : s.durationMs;
  return {
    traceId: s.id,
    experimentId: s.experimentId,
    name: s.name || root?.name || s.id,
    status: running ? 'IN_PROGRESS' : trace.status,
    startEpochMs,
    durationMs,
    nowMs: nowMs(trace, table),
    usage: trace.usage,
    cost: trace.cost ?? s.cost,
    models: trace.models.length ? trace.models : s.models,
    runName: s.tags[TAG.runName],
    runId: s.tags[TAG.runId],
    spanCount: table.n,
    warnings: trace.warnings.slice(0, 20),
    mlflowUrl,
    ...(s.assessments?.length ? { assessments: s.assessments } : {}),
  };
}
