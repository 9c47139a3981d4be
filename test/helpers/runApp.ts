// Running a fixture app as a child process, traced by the Node preload (the environment
// src/launch/env.ts builds, on a clean base with no inherited tracing) or untraced, against the
// Gemini stand-in. Shared by the preload's end-to-end tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectionFiles, injectionVariables } from '../../src/launch/env';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { mlflowUrl } from './mlflow';

export interface PreloadBed {
  /** A temp folder of the file's own, removed after its tests. */
  work: string;
  /** The preload built privately into it (a concurrent `npm run build` cannot pull it away). */
  distDir: string;
  standin: Standin;
}

/** Registers a describe block's hooks: builds the preload, starts the stand-in and the test MLflow
 *  before its tests, and cleans up after them. The fields are set once `before` has run. */
export function preloadBed(prefix: string): PreloadBed {
  const bed = {} as PreloadBed;
  before(async () => {
    bed.work = mkdtempSync(join(tmpdir(), prefix));
    bed.distDir = join(bed.work, 'dist');
    const { buildNodeInject } = await import('../../scripts/lib/node-inject.mjs');
    await buildNodeInject(bed.distDir);
    bed.standin = await startStandin();
    await mlflowUrl();
  });
  after(async () => {
    await bed.standin?.close();
    if (bed.work) rmSync(bed.work, { recursive: true, force: true });
  });
  return bed;
}

export interface RunResult { code: number | null; stdout: string; stderr: string; ms: number }

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<RunResult> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** This process's environment without any tracing variables, pointed at the stand-in. */
export function plainEnv(standinUrl: string): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(NODE_OPTIONS|GEMINI_TRACE_|MLFLOW_|GT_)/.test(k)) base[k] = v;
  return { ...base, GOOGLE_GEMINI_BASE_URL: standinUrl, GEMINI_API_KEY: 'test-key' };
}

export interface TracedEnvOptions {
  standinUrl: string;
  /** The private build of the preload (scripts/lib/node-inject.mjs buildNodeInject). */
  distDir: string;
  experiment: string;
  runId: string;
  workspace: string;
  runName?: string;
  trackingUri?: string;
  capture?: boolean;
  extra?: NodeJS.ProcessEnv;
}

/** The app's environment with the injector's variables. */
export async function tracedEnv(o: TracedEnvOptions): Promise<NodeJS.ProcessEnv> {
  const vars = injectionVariables({
    settings: { trackingUri: o.trackingUri ?? (await mlflowUrl()), experimentName: o.experiment, captureContent: o.capture ?? true, workspace: o.workspace, run: { id: o.runId, name: o.runName ?? 'inject-node test', startedAt: new Date('2026-01-02T03:04:05Z') } },
    files: injectionFiles(o.distDir),
    runtimes: ['node'],
  });
  return { ...plainEnv(o.standinUrl), ...vars, ...o.extra };
}
