// Trace → the compact span table and header the webview draws from. Pure: no vscode.
// Flat typed arrays instead of an object graph keep a 100k-span trace cheap to post and to read.
import type { Span, Trace } from '../model/types';
import { TAG } from '../shared/runTags';
import { pauseHere, runToEnd, type Steps } from '../shared/steps';
import { type TraceHeader } from '../contract/protocol';
import { F, type SpanTable } from '../contract/spanTable';
import { TableRows } from './tableRows';
import { fillTree } from '../contract/tableTree';

/** The table, as steps (see shared/steps.ts), pausable between blocks of spans. `order`: the
 *  trace's spans depth-first in tree order (Trace.spans). */
export function* tableSteps(trace: Trace, order: Span[]): Steps<SpanTable> {
  const n = order.length;
  const rows = new TableRows(n, trace.startNs);
  // Depth-first, a span's parent is the last span seen one level up: no map from span to index
  // (one of 300,000 spans, with the map from id to index the session kept, cost ~0.25 s). Checked
  // by id; a span whose parent is not there (a cut cycle) is looked up.
  const lastAt: number[] = [];
  let index: Map<Span, number> | undefined;
  const indexOf = (span: Span): number => {
    index ??= new Map(order.map((x, i) => [x, i]));
    return index.get(span) ?? -1;
  };
  for (let i = 0; i < n; i++) {
    const s = order[i];
    let p = -1;
    if (s.parentId !== null && !s.orphan) {
      const above = s.depth > 0 ? lastAt[s.depth - 1] : undefined;
      if (above !== undefined && order[above].id === s.parentId) p = above;
      else {
        const parent = trace.byId.get(s.parentId);
        if (parent) p = indexOf(parent);
      }
    }
    lastAt[s.depth] = i;
    rows.write(i, s, p);
    if (pauseHere(i)) yield (0.9 * i) / n;
  }
  return yield* finishTableSteps(rows.table, trace);
}

/** The columns a table's rows imply (tree, critical path), once every row is written. */
export function* finishTableSteps(table: SpanTable, bounds: TraceBounds): Steps<SpanTable> {
  fillTree(table);
  yield* markCriticalPathSteps(table, nowMs(bounds, table));
  return table;
}

/** What the table's clock needs of a trace. */
export type TraceBounds = Pick<Trace, 'startNs' | 'endNs' | 'status'>;

/** What the header needs of a trace (a Trace has all of it). */
export type HeaderSource = TraceBounds & Pick<Trace, 'summary' | 'usage' | 'cost' | 'models' | 'warnings'> & { roots: readonly { name: string }[]; spans: { length: number } };

/** "Now" on the table's clock: open-ended spans are drawn up to here. */
export function nowMs(trace: TraceBounds, table: SpanTable, now = Date.now()): number {
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
  const { n, parent, start, flags, subtreeEnd } = table;
  const endOf = (i: number) => (table.end[i] < 0 ? now : table.end[i]);
  // The children of span p (-1: the roots), read off the depth-first table: each starts a subtree
  // inside p's, the next one where it ends. Only the path's spans are asked, so no child list is
  // built for every span (300,000 arrays were a good part of laying out a trace that size).
  const kidsOf = (p: number): number[] => {
    const kids: number[] = [];
    for (let j = p + 1, end = p < 0 ? n : subtreeEnd[p]; j < end; j = Math.max(subtreeEnd[j], j + 1)) if (parent[j] === p) kids.push(j);
    return kids;
  };
  const stack: [span: number, cursor: number][] = [[-1, Infinity]];
  for (let step = 0; stack.length; step++) {
    if (pauseHere(step, 1024)) yield 0.9;
    const [p, limit] = stack.pop()!;
    const kids = kidsOf(p).sort((a, b) => endOf(b) - endOf(a));
    let cursor = p < 0 ? Infinity : Math.min(endOf(p), limit);
    for (const c of kids) {
      if (cursor !== Infinity && start[c] >= cursor) continue;
      flags[c] |= F.critical;
      stack.push([c, cursor]);
      cursor = start[c];
      if (p < 0) break; // of several roots only the one that ends last is on the path
    }
  }
}

export function buildHeader(trace: HeaderSource, table: SpanTable, mlflowUrl?: string): TraceHeader {
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
