// Any of MLflow's trace payloads → one Trace. Untrusted input: every problem becomes a warning on
// the Trace (or a TraceError saying what was wrong), never an exception, never an endless loop.
import type { TraceInfo } from '../mlflow/types';
import { detectObjectEncodingSteps } from './encodings';
import type { EarlySpans } from './earlySpans';
import { readSpan } from './readSpan';
import { isRecord, parseJsonLossless } from '../shared/json';
import { shallowAttributes } from './lazySpan';
import { openParents } from './openParents';
import { spanTreeSteps } from './spanTree';
import { pauseHere, runSliced, runToEnd, scaled, type SliceOptions, type Steps } from '../shared/steps';
import { summarizeTraceInfo } from './summary';
import { msToNs } from './time';
import { ZERO_USAGE, rollUpSteps } from './usage';
import { Warnings } from './warnings';
import type { Span, SpanStatus, Trace, TraceError, TraceSummary } from './types';
import { errorMessage } from '../shared/errors';

/** A trace payload: `early` holds spans already read while the body downloaded (earlySpans.ts). */
export interface TraceInput {
  info: unknown;
  spans: unknown;
  early?: EarlySpans;
}

export { spanTypeOf, spanDurationMs } from './spanInfo';

/**
 * `info`: TraceInfoV3 (or `{trace_info}` / `{trace: {trace_info}}` as traces/get returns it).
 * `spans`: the span list of any encoding, or `{spans: [...]}` (traces.json), or its JSON text.
 */
export function normalizeTrace(input: TraceInput): Trace | TraceError {
  return runToEnd(normalizeSteps(input));
}

/** normalizeTrace in slices that give the event loop back (see steps.ts): for the extension host. */
export function normalizeTraceSliced(input: TraceInput, o?: SliceOptions): Promise<Trace | TraceError> {
  return runSliced(normalizeSteps(input), o);
}

function* normalizeSteps(input: TraceInput): Steps<Trace | TraceError> {
  try {
    return yield* normalize(input);
  } catch (e) {
    // Last line of defence: a bug here must not take the panel down with it.
    return { error: `Could not read this trace: ${errorMessage(e)}` };
  }
}

export function isTraceError(t: Trace | TraceError): t is TraceError {
  return 'error' in t;
}

function* normalize(input: TraceInput): Steps<Trace | TraceError> {
  if (!isRecord(input)) return { error: `Expected a trace payload object with info and spans, got ${kind(input)}.` };
  const warnings = new Warnings();
  const info = unwrapInfo(input.info);
  const list = spanList(input.spans);
  if (typeof list === 'string') return { error: list };
  if (!info) {
    if (list.length === 0) return { error: `The trace has neither trace info nor spans (info is ${kind(input.info)}): nothing to show.` };
    warnings.add('info', `The trace info is ${kind(input.info)}; the trace is shown from its spans alone.`);
  }

  const objectEncoding = yield* scaled(detectObjectEncodingSteps(list), 0, 0.05);
  const nodes: Span[] = [];
  const bad = warnings.sink('span');
  for (let i = 0; i < list.length; i++) {
    // Every 64 spans: reading allocates the most, and on a busy machine V8 marks the heap in steps
    // charged to allocation (up to 25 ms each), which stretched a 512-span step to 150 ms.
    if (pauseHere(i, 64)) yield 0.05 + (0.65 * i) / list.length;
    const early = input.early ? input.early.take(i, list[i], bad) : 'unread';
    const s = early === 'unread' ? readSpan(list[i], i, objectEncoding, bad) : early;
    if (s) nodes.push(s);
  }
  if (list.length > 0 && nodes.length === 0) return { error: `None of the ${list.length} spans could be read: ${warnings.list()[0] ?? 'unknown reason'}.` };

  const summary = summarizeTraceInfo((info ?? {}) as unknown as TraceInfo);
  if (summary.state === 'IN_PROGRESS') nodes.push(...openParents(nodes, summary.name));
  const tree = yield* scaled(spanTreeSteps(nodes, warnings), 0.7, 0.95);
  if (!summary.id) summary.id = traceIdFromSpans(tree.spans) ?? '';
  const roll = yield* scaled(rollUpSteps(tree.spans, tree.roots), 0.95, 0.98);

  const expected = recordedSpans(summary);
  if (expected > nodes.length) {
    warnings.add('truncated', `MLflow recorded ${expected} spans for this trace but ${nodes.length} were readable.`);
  }

  const { startNs, endNs, models } = yield* scaled(spanTotalsSteps(tree.spans, tree.roots, summary.requestTimeMs, summary.durationMs), 0.98, 1);
  if (models.length) summary.models = models;

  const trace: Trace = {
    summary,
    spans: tree.spans,
    roots: tree.roots,
    byId: tree.byId,
    usage: roll.totalUsage ?? summary.usage ?? { ...ZERO_USAGE },
    status: traceStatus(summary.state, tree.roots, tree.spans),
    startNs,
    endNs,
    models: models.length ? models : summary.models,
    warnings: warnings.list(),
  };
  const cost = roll.totalCost ?? summary.cost;
  if (cost) trace.cost = cost;
  return trace;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The TraceInfo in any of the shapes normalizeTrace takes it in. */
export function unwrapInfo(v: unknown): Record<string, unknown> | undefined {
  if (!isRecord(v)) return undefined;
  if (isRecord(v.trace) && isRecord(v.trace.trace_info)) return v.trace.trace_info;
  if (isRecord(v.trace_info)) return v.trace_info;
  return v;
}

function spanList(v: unknown): unknown[] | string {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    let parsed: unknown;
    try {
      parsed = parseJsonLossless(v);
    } catch (e) {
      return `The span data is not valid JSON (${errorMessage(e)}).`;
    }
    return spanList(parsed);
  }
  if (Array.isArray(v)) return v;
  if (isRecord(v)) {
    if (Array.isArray(v.spans)) return v.spans;
    if (isRecord(v.trace) && Array.isArray(v.trace.spans)) return v.trace.spans;
    if (isRecord(v.data) && Array.isArray(v.data.spans)) return v.data.spans;
  }
  return `Expected a list of spans (or {"spans": [...]}), got ${kind(v)}.`;
}

/** How many spans MLflow recorded for the trace (its size stats), NaN when it does not say. */
export function recordedSpans(summary: TraceSummary): number {
  return Number(sizeStat(summary.metadata['mlflow.trace.sizeStats']));
}

function sizeStat(v: string | undefined): unknown {
  if (!v) return NaN;
  try {
    const o = JSON.parse(v) as unknown;
    return isRecord(o) ? o.num_spans : NaN;
  } catch {
    return NaN;
  }
}

function traceIdFromSpans(spans: Span[]): string | undefined {
  for (const s of spans) {
    const r = shallowAttributes(s)['mlflow.traceRequestId'];
    if (typeof r === 'string' && r) return r;
  }
  const t = spans.find((s) => s.otelTraceId)?.otelTraceId;
  return t ? `tr-${t}` : undefined;
}

/** The trace's bounds and the models its spans name, as steps: with the rest of normalising's tail,
 *  one go over 300,000 spans held the host for ~100 ms. */
function* spanTotalsSteps(spans: Span[], roots: Span[], requestTimeMs: number, durationMs: number | null): Steps<{ startNs: bigint; endNs: bigint | null; models: string[] }> {
  const models: string[] = [];
  if (spans.length === 0) {
    const startNs = msToNs(requestTimeMs);
    return { startNs, endNs: durationMs === null ? null : startNs + msToNs(durationMs), models };
  }
  let start = spans[0].startNs;
  let end: bigint | null = null;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (s.startNs < start) start = s.startNs;
    if (s.endNs !== null && (end === null || s.endNs > end)) end = s.endNs;
    if (s.model && !models.includes(s.model)) models.push(s.model);
    if (pauseHere(i)) yield i / spans.length;
  }
  // The trace runs as long as any of its top-level spans does.
  if (roots.some((r) => r.endNs === null)) end = null;
  return { startNs: start, endNs: end, models };
}

function traceStatus(state: string, roots: Span[], spans: Span[]): SpanStatus {
  if (state === 'OK' || state === 'ERROR' || state === 'IN_PROGRESS') return state;
  if (roots.some((r) => r.status === 'ERROR')) return 'ERROR';
  if (roots.some((r) => r.status === 'IN_PROGRESS')) return 'IN_PROGRESS';
  if (spans.length && roots.every((r) => r.status === 'OK')) return 'OK';
  return 'UNSET';
}
