// Traces read back from a real MLflow over REST, as trees of spans with plain attribute values,
// for the tests that run traced apps (Node and Python alike): search an experiment, fetch each
// trace with `traces/get`, and decode its OTLP-shaped spans.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TAG } from '../../src/shared/runTags';
import { mlflowRest } from './mlflow';

export type Json = Record<string, unknown>;
export interface SpanView { id: string; parent?: string; name: string; start: bigint; end: bigint; status: string; statusMessage: string; attrs: Json; events: { name: string; attrs: Json }[]; children: SpanView[] }
export interface TraceView { id: string; state: string; tags: Record<string, string>; metadata: Record<string, string>; roots: SpanView[]; spans: SpanView[] }

/** The line of `// @call:<name>` (or `# @call:<name>`) in a fixture (1-based): where that call's span must point. */
export function markedLine(file: string, name: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const re = new RegExp(`(//|#) @call:${name}(\\s|$)`);
  const i = lines.findIndex((l) => re.test(l));
  assert.ok(i >= 0, `no @call:${name} in ${file}`);
  return i + 1;
}

/** OTLP AnyValue (as MLflow's traces/get returns it) → plain JS. */
export function anyValue(v: Json | undefined): unknown {
  if (!v) return undefined; // an attribute MLflow stored as null
  if ('string_value' in v) return v.string_value;
  if ('int_value' in v) return Number(v.int_value);
  if ('double_value' in v) return v.double_value;
  if ('bool_value' in v) return v.bool_value;
  if ('kvlist_value' in v) return Object.fromEntries(((v.kvlist_value as Json).values as Json[] ?? []).map((kv) => [kv.key, anyValue(kv.value as Json)]));
  if ('array_value' in v) return (((v.array_value as Json).values as Json[]) ?? []).map((x) => anyValue(x));
  return undefined;
}
const attrsOf = (list: Json[] | undefined): Json => Object.fromEntries((list ?? []).map((kv) => [kv.key as string, anyValue(kv.value as Json)]));

/** MLflow may hand a JSON attribute back parsed or as its JSON text. */
export const parsed = (v: unknown): unknown => (typeof v === 'string' && /^[[{]/.test(v) ? JSON.parse(v) : v);

/** Searches the experiment until `expected` traces are there (and, with `settled`, none is still
 *  IN_PROGRESS and nothing about them changed for SETTLE_MS), then reads each one's spans.
 *  "Nothing changed" matters after an app's exit: the preload may hand its last spans to a
 *  detached sender, whose batch lands after the root's and makes MLflow recompute the trace's
 *  token total; reading the total before it and the spans after it would disagree. */
export async function traces(experimentId: string, expected: number, timeoutMs = 20_000, opts: { settled?: boolean } = {}): Promise<TraceView[]> {
  const deadline = Date.now() + timeoutMs;
  let infos: Json[] = [];
  let seen = '';
  for (;;) {
    const r = await mlflowRest<{ traces?: Json[] }>('/api/3.0/mlflow/traces/search', {
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }], max_results: 100, order_by: ['timestamp_ms ASC'],
    });
    infos = r.traces ?? [];
    let ready = infos.length >= expected && (!opts.settled || infos.every((t) => t.state !== 'IN_PROGRESS'));
    if (ready && opts.settled) {
      const now = JSON.stringify(infos.map((t) => [t.trace_id, t.state, t.execution_duration, t.trace_metadata]));
      ready = now === seen;
      seen = now;
    }
    if (ready || Date.now() > deadline) break;
    await new Promise((d) => setTimeout(d, seen ? SETTLE_MS : 250));
  }
  assert.equal(infos.length, expected, `traces in experiment ${experimentId}`);
  const out: TraceView[] = [];
  for (const info of infos) out.push(await traceView(info));
  return out;
}
const SETTLE_MS = 1_000;

/** One trace (its search entry) with its spans as a tree. */
export async function traceView(info: Json): Promise<TraceView> {
  const { trace } = await mlflowRest<{ trace: { spans: Json[] } }>(`/api/3.0/mlflow/traces/get?trace_id=${info.trace_id}`);
  const spans: SpanView[] = trace.spans.map((s) => ({
    id: s.span_id as string, parent: (s.parent_span_id as string) || undefined, name: s.name as string, start: BigInt(String(s.start_time_unix_nano)), end: BigInt(String(s.end_time_unix_nano)),
    status: ((s.status as Json)?.code as string) ?? '', statusMessage: ((s.status as Json)?.message as string) ?? '', attrs: attrsOf(s.attributes as Json[]),
    events: ((s.events as Json[]) ?? []).map((e) => ({ name: e.name as string, attrs: attrsOf(e.attributes as Json[]) })), children: [],
  }));
  const byId = new Map(spans.map((s) => [s.id, s]));
  for (const s of spans) if (s.parent) byId.get(s.parent)?.children.push(s);
  // Exact nanoseconds (a double rounds them); a tool that runs within the clock's resolution
  // starts when the next model call does, so ties go by end time.
  const cmp = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
  for (const s of spans) s.children.sort((a, b) => cmp(a.start, b.start) || cmp(a.end, b.end));
  return { id: info.trace_id as string, state: info.state as string, tags: info.tags as Record<string, string>, metadata: (info.trace_metadata ?? {}) as Record<string, string>, spans, roots: spans.filter((s) => !s.parent || !byId.has(s.parent)) };
}

/** The experiment's id, once it exists: the preload may hand its last spans (and the experiment's
 *  creation) to a sender that finishes after the app has exited. */
export async function experimentId(name: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await mlflowRest<{ experiment: { experiment_id: string } }>(`/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
      return r.experiment.experiment_id;
    } catch (e) {
      if (Date.now() > deadline || !/RESOURCE_DOES_NOT_EXIST/.test(String(e))) throw e;
      await new Promise((d) => setTimeout(d, 250));
    }
  }
}

/** The first trace of a run (by its `gemini_trace.run_id` tag) that MLflow holds as IN_PROGRESS
 *  with all of `tags`, looked for every 200 ms while `looking()` says so; undefined if none showed. */
export async function inProgressTrace(experiment: string, runId: string, looking: () => boolean, tags: string[] = []): Promise<TraceView | undefined> {
  while (looking()) {
    await new Promise((d) => setTimeout(d, 200));
    try {
      const id = await experimentId(experiment, 0);
      const r = await mlflowRest<{ traces?: Json[] }>('/api/3.0/mlflow/traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } }], filter: `tags.\`${TAG.runId}\` = '${runId}'`, max_results: 10 });
      const info = (r.traces ?? []).find((t) => t.state === 'IN_PROGRESS' && tags.every((k) => (t.tags as Json | undefined)?.[k] !== undefined));
      if (info) return await traceView(info);
    } catch {
      /* the experiment is not there yet */
    }
  }
  return undefined;
}
