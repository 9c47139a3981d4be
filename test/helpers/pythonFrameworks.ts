// Running the Python framework sample apps (test/fixtures/apps/python-frameworks) untraced, then
// traced with the environment src/launch/env.ts builds, against the Gemini stand-in, and the checks
// every framework's traces must pass in a real MLflow: one trace per top-level unit of work with the
// run's tags, the app's line on every span, usage on exactly one span per model call (the
// stand-in's own counts, each once, and MLflow's trace total agreeing), and the model calls as the
// product's model-call layer reads them (src/model/adapters/read.ts, the views' only reader). The Node
// side's frameworkRun.ts holds the same checks for the Node apps.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { injectionFiles, injectionVariables } from '../../src/launch/env';
import { MlflowClient } from '../../src/mlflow/client';
import { readModelCall } from '../../src/model/adapters/read';
import type { ModelCall } from '../../src/model/call/types';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { TAG } from '../../src/shared/runTags';
import type { Span } from '../../src/model/types';
import { shimDir } from '../fixtures/apps/faults/harness';
import type { RecordedCall, Standin } from '../fixtures/gemini/standin';
import { mlflowUrl, uniqueName } from './mlflow';
import { experimentId, markedLine, parsed, traces } from './traceView';
import type { Json, SpanView, TraceView } from './traceView';

export const root = join(__dirname, '..', '..');
export const pyApps = join(root, 'test/fixtures/apps/python-frameworks');

export interface PyRun { code: number | null; stdout: string; stderr: string }

/** Runs a Python program to its end (killed after `timeoutMs`). */
export function runPy(python: string, file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<PyRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [file, ...args], { cwd: dirname(file), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The app's environment without tracing: the SDKs pointed at the stand-in. */
export function plainPyEnv(standinUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(GEMINI_TRACE_|MLFLOW_|OTEL_|ADK_|LANGSMITH_|LANGCHAIN_|OPENAI_|PYTHONPATH$|GOOGLE_GEMINI_BASE_URL$|GEMINI_API_KEY$|GOOGLE_API_KEY$)/.test(k)) env[k] = v;
  }
  return {
    ...env, GOOGLE_GEMINI_BASE_URL: standinUrl, GEMINI_API_KEY: 'test-key', OPENAI_BASE_URL: `${standinUrl}/v1`, OPENAI_API_KEY: 'test-key', PYTHONUNBUFFERED: '1', ...extra,
  };
}

export interface TracedPyOptions { trackingUri: string; experiment: string; runId: string; captureContent?: boolean; pythonPath?: string }

/** plainPyEnv plus what a launch config, terminal or `gemini-trace run` injects. */
export function tracedPyEnv(standinUrl: string, o: TracedPyOptions, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const vars = injectionVariables({
    settings: { trackingUri: o.trackingUri, experimentName: o.experiment, captureContent: o.captureContent ?? true, workspace: root, run: { id: o.runId, name: 'Python framework app (test)', startedAt: new Date() } },
    files: { ...injectionFiles(join(root, 'dist')), pythonDir: shimDir() },
    runtimes: ['python'],
    pythonPath: o.pythonPath,
  });
  return { ...plainPyEnv(standinUrl, extra), ...vars };
}

export interface PyAppRun {
  file: string;
  traced: PyRun;
  untraced: PyRun;
  calls: RecordedCall[];
  traces: TraceView[];
  runId: string;
  experiment: string;
}

/** Runs `python-frameworks/<file> [args]` untraced, then traced, and reads its `expected` traces back. */
export async function runPyApp(standin: Standin, python: string, o: { file: string; args?: string[]; expected: number; extra?: NodeJS.ProcessEnv; captureContent?: boolean; pythonPath?: string }): Promise<PyAppRun> {
  const file = join(pyApps, o.file);
  const args = o.args ?? [];
  const untraced = await runPy(python, file, args, plainPyEnv(standin.url, o.extra));
  assert.equal(untraced.code, 0, `untraced run failed: ${untraced.stderr}`);
  standin.reset();
  const experiment = uniqueName(`py-fw-${o.file.replace(/\W/g, '-')}`);
  const runId = randomUUID();
  const env = tracedPyEnv(standin.url, { trackingUri: await mlflowUrl(), experiment, runId, captureContent: o.captureContent, pythonPath: o.pythonPath }, o.extra);
  const traced = await runPy(python, file, args, env);
  assert.equal(traced.code, 0, `traced run failed: ${traced.stderr}`);
  const calls = [...standin.calls];
  const all = await traces(await experimentId(experiment), o.expected, 30_000, { settled: true });
  return { file, traced, untraced, calls, traces: all, runId, experiment };
}

/** The trace whose root was made at `# @call:<name>` in the app. */
export function traceAt(r: PyAppRun, name: string): TraceView {
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
 * - every span points at the app's file, the root at a `@call` line;
 * - usage on exactly one span per model call the stand-in answered (with its input tokens), on an
 *   LLM or CHAT_MODEL span, never gen_ai.usage.* on any span; MLflow's trace total equals the spans'.
 */
export function assertPyTraces(r: PyAppRun): void {
  for (const t of r.traces) {
    assert.equal(t.roots.length, 1, `one root in ${t.id}`);
    const root = t.roots[0];
    assert.equal(t.tags[TAG.runId], r.runId);
    assert.equal(t.tags[TAG.runtime], 'python');
    assert.equal(t.tags['mlflow.traceName'], root.name);
    for (const s of t.spans) {
      assert.equal(s.attrs['code.filepath'], r.file, `${s.name}: code.filepath`);
      assert.ok(Number.isInteger(s.attrs['code.lineno']), `${s.name}: code.lineno`);
      if (usageOf(s)) assert.ok(['LLM', 'CHAT_MODEL'].includes(String(s.attrs['mlflow.spanType'])), `usage on ${s.name} [${s.attrs['mlflow.spanType']}]`);
      assert.ok(!Object.keys(s.attrs).some((k) => k.startsWith('gen_ai.usage.')), `${s.name} carries gen_ai.usage.*, which MLflow would count again`);
    }
    const sum = t.spans.map(usageOf).filter((u) => u).reduce((n, u) => n + Number(u!.input_tokens), 0);
    const total = parsed(t.metadata['mlflow.trace.tokenUsage']) as Json | undefined;
    assert.equal(Number(total?.input_tokens ?? 0), sum, `MLflow's token total of ${root.name} counts each model call once`);
  }
  const spans = r.traces.flatMap((t) => t.spans).filter((s) => usageOf(s));
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
