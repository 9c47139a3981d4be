// Running a Node framework sample app traced (and untraced, to compare) against the stand-in; the
// checks its traces must pass are frameworkTraces.ts's, shared with the Python apps.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { RecordedCall } from '../fixtures/gemini/standin';
import { frameworkApp } from './frameworkApps';
import { uniqueName } from './mlflow';
import type { PreloadBed, RunResult } from './runApp';
import { plainEnv, run, tracedEnv } from './runApp';
import { assertFrameworkTraces } from './frameworkTraces';
import { experimentId, traces } from './traceView';
import type { TraceView } from './traceView';

export interface AppRun {
  file: string;
  traced: RunResult;
  untraced: RunResult;
  calls: RecordedCall[];
  traces: TraceView[];
  runId: string;
  experiment: string;
}

/** Runs `<app folder>/<file>` untraced, then traced, and reads its `expected` traces back. */
export async function runApp(bed: PreloadBed, o: { app: string; file: string; expected: number; node?: string; extra?: NodeJS.ProcessEnv }): Promise<AppRun> {
  const dir = await frameworkApp(o.app);
  const file = join(dir, o.file);
  const node = o.node ?? process.execPath;
  const base = { OPENAI_BASE_URL: `${bed.standin.url}/v1`, OPENAI_API_KEY: 'test-key', ...o.extra };
  const untraced = await run(node, [file], { ...plainEnv(bed.standin.url), ...base }, dir);
  assert.equal(untraced.code, 0, `untraced run failed: ${untraced.stderr}`);
  bed.standin.reset();
  const experiment = uniqueName(`fw-${o.app.replace(/\W/g, '-')}`);
  const runId = randomUUID();
  const env = await tracedEnv({ standinUrl: bed.standin.url, distDir: bed.distDir, experiment, runId, workspace: dir, extra: base });
  const traced = await run(node, [file], env, dir);
  assert.equal(traced.code, 0, `traced run failed: ${traced.stderr}`);
  const calls = [...bed.standin.calls];
  const all = await traces(await experimentId(experiment), o.expected, 30_000, { settled: true });
  return { file, traced, untraced, calls, traces: all, runId, experiment };
}

/** frameworkTraces.ts's checks for a Node app. */
export const assertTraces = (r: AppRun): void => assertFrameworkTraces(r, 'node');
export { attr, outline, productTrace, reported, shape, traceAt, usageOf } from './frameworkTraces';
