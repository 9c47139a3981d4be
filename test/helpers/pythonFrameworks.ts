// Running the Python framework sample apps (test/fixtures/apps/python-frameworks) untraced, then
// traced with the environment src/launch/env.ts builds, against the Gemini stand-in, and the checks
// every framework's traces must pass in a real MLflow: one trace per top-level unit of work with the
// run's tags, the app's line on every span, usage on exactly one span per model call (the
// stand-in's own counts, each once, and MLflow's trace total agreeing), and the model calls as the
// product's model-call layer reads them: frameworkTraces.ts's checks, shared with the Node apps.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { injectionFiles, injectionVariables } from '../../src/launch/env';
import { shimDir } from '../fixtures/apps/faults/harness';
import type { RecordedCall, Standin } from '../fixtures/gemini/standin';
import { mlflowUrl, uniqueName } from './mlflow';
import { assertFrameworkTraces } from './frameworkTraces';
import { experimentId, traces } from './traceView';
import type { TraceView } from './traceView';

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

/** frameworkTraces.ts's checks for a Python app. */
export const assertPyTraces = (r: PyAppRun): void => assertFrameworkTraces(r, 'python');
export { attr, outline, productTrace, reported, shape, traceAt, usageOf } from './frameworkTraces';
