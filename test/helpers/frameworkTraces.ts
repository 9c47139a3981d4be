// The checks every framework's traces must pass in a real MLflow, for the Node apps
// (frameworkRun.ts) and the Python ones (pythonFrameworks.ts) alike: one trace per top-level call
// with the run's tags, the app's line on every span, usage on exactly one span per model call (the
// stand-in's own counts, each once), and the model calls as the product's model-call layer reads
// them (src/model/adapters/read.ts, the views' only reader).
import assert from 'node:assert/strict';
import { MlflowClient } from '../../src/mlflow/client';
import { readModelCall } from '../../src/model/adapters/read';
import type { ModelCall } from '../../src/model/call/types';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { TAG } from '../../src/shared/runTags';
import type { Span } from '../../src/model/types';
import type { RecordedCall } from '../fixtures/gemini/standin';
import { mlflowUrl } from './mlflow';
import { markedLine, parsed } from './traceView';
import type { Json, SpanView, TraceView } from './traceView';

/** A sample app's traced run, as both languages' runners return it. */
export interface FrameworkRun {
  file: string;
  calls: RecordedCall[];
  traces: TraceView[];
  runId: string;
}

/** The trace whose root was made at the app's `@call:<name>` marker line. */
export function traceAt(r: FrameworkRun, name: string): TraceView {
  const line = markedLine(r.file, name);
  const found = r.traces.filter((t) => t.roots[0]?.attrs['code.lineno'] === line);
  assert.equal(found.length, 1, `one trace at line ${line} (${name}); roots at ${r.traces.map((t) => `${t.roots[0]?.name}:${t.roots[0]?.attrs['code.lineno']}`).join(', ')}`);
  return found[0];
}

/** The span tree as `name [TYPE]` lines, two spaces per level: what a reader of the trace sees. */
export function shape(t: TraceView): string[] {
  const out: string[] = [];
  const walk = (s: SpanView, depth: number) => {
    out.push(`${'  '.repeat(depth)}${s.name} [${s.attrs['mlflow.spanType']}]`);
    for (const c of s.children) walk(c, depth + 1);
  };
  for (const r of t.roots) walk(r, 0);
  return out;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- span and reply JSON is free-form */
export const usageOf = (s: SpanView): any => parsed(s.attrs['mlflow.chat.tokenUsage']);

/** Any JSON attribute, parsed. */
export const attr = (s: SpanView, key: string): any => parsed(s.attrs[key]);

/** The usage the stand-in reported for a model call (a stream's last report). */
export function reported(c: RecordedCall): any {
  const last = (items: any[], key: string) => [...items].reverse().find((x) => x?.[key])?.[key];
  if (c.method === 'chat.completions') return Array.isArray(c.response) ? last(c.response, 'usage') : c.response?.usage;
  if (c.method === 'streamGenerateContent') return last(c.response ?? [], 'usageMetadata');
  return c.response?.usageMetadata;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const MODEL_METHODS = new Set(['generateContent', 'streamGenerateContent', 'chat.completions']);

/**
 * What every framework trace must hold:
 * - one root span per trace, the run's tags, the trace named after its root;
 * - every span points at the app's file, the root at its `@call` line;
 * - usage on exactly one span per model call the stand-in answered (with its input tokens), on an
 *   LLM or CHAT_MODEL span; MLflow's trace total equals the spans'. gen_ai.usage.* (which MLflow
 *   would count again) only on the model-call span in Node, where the AI SDK and Genkit spans keep
 *   their own attributes; never in Python, whose mirrors drop them.
 */
export function assertFrameworkTraces(r: FrameworkRun, runtime: 'node' | 'python'): void {
  for (const t of r.traces) {
    assert.equal(t.roots.length, 1, `one root in ${t.id}`);
    const root = t.roots[0];
    assert.equal(t.tags[TAG.runId], r.runId);
    assert.equal(t.tags[TAG.runtime], runtime);
    assert.equal(t.tags['mlflow.traceName'], root.name);
    for (const s of t.spans) {
      assert.equal(s.attrs['code.filepath'], r.file, `${s.name}: code.filepath`);
      assert.ok(Number.isInteger(s.attrs['code.lineno']), `${s.name}: code.lineno`);
      const usage = usageOf(s);
      if (usage) assert.ok(['LLM', 'CHAT_MODEL'].includes(String(s.attrs['mlflow.spanType'])), `usage on ${s.name} [${s.attrs['mlflow.spanType']}]`);
      if (runtime === 'python') assert.ok(!Object.keys(s.attrs).some((k) => k.startsWith('gen_ai.usage.')), `${s.name} carries gen_ai.usage.*, which MLflow would count again`);
      else if (!usage) assert.equal(s.attrs['gen_ai.usage.input_tokens'], undefined, `${s.name} carries gen_ai usage without being the model call`);
    }
    const sum = t.spans.map(usageOf).filter((u) => u).reduce((n, u) => n + Number(u!.input_tokens), 0);
    const total = parsed(t.metadata['mlflow.trace.tokenUsage']) as Json | undefined;
    assert.equal(Number(total?.input_tokens ?? 0), sum, `MLflow's token total of ${root.name} counts each model call once`);
  }
  const spans = r.traces.flatMap((t) => t.spans).filter((s) => usageOf(s));
  // A stream reports usage only when asked (OpenAI's include_usage): no usage, no span with it.
  const models = r.calls.filter((c) => MODEL_METHODS.has(c.method) && c.status === 200 && reported(c));
  const inputs = (xs: number[]) => [...xs].sort((a, b) => a - b);
  assert.deepEqual(
    inputs(spans.map((s) => Number(usageOf(s)!.input_tokens))),
    inputs(models.map((c) => Number(reported(c)?.promptTokenCount ?? reported(c)?.prompt_tokens))),
    'one span with usage per model call, with the input tokens the stand-in reported',
  );
}

/** A trace as the product reads it (its MLflow client and model layer): spans with their model calls. */
export async function productTrace(traceId: string, trackingUri?: string): Promise<Array<{ span: Span; call?: ModelCall }>> {
  const client = new MlflowClient({ trackingUri: trackingUri ?? (await mlflowUrl()) });
  const full = await client.getTrace(traceId);
  const t = normalizeTrace({ info: full.info, spans: full.data.spans });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t.spans.map((span) => {
    const call = readModelCall(span);
    return call && (call.request.length || call.response.length) ? { span, call } : { span };
  });
}

/** `role:kind+kind` per message: the conversation's outline as the chat view shows it. */
export function outline(call: ModelCall): string[] {
  return call.request.map((m) => `${m.role}:${m.parts.map((p) => p.kind).join('+')}`);
}

