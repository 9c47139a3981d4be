#!/usr/bin/env node
// What the Python tracer's framework support costs, each figure against a baseline measured in the
// same run, against the Gemini stand-in (in its own process) and a real MLflow:
//   1. an ADK agent run (bench/lib/py_adk.py, in .venvs/frameworks): added time per agent step
//      (one model call, and its tool), p50 over every run, runs alternating tracing on and off in
//      one process (goal ≤ 0.3 ms, wall and calling thread CPU). "On" is everything tracing turns on:
//      the OpenTelemetry SDK recording ADK's spans (a no-op untraced), ADK's content capture, our
//      mirrors and google-genai spans, and the exporter sending them to MLflow from its thread.
//   2. an app that uses no framework (bench/lib/py_apps.py in .venvs/genai): the tracer of this
//      change against the tracer before it (src/inject/python at --base), same run: the five-call
//      program's wall time (best run of each side, goal ≤ 1.02×) and CPU time, and the traced
//      call's p50 over --calls calls.
//   node bench/python-frameworks.mjs [--runs 3] [--agent-runs 200] [--calls 1000] [--base d40ac61] [--only adk,none]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { ensureAppVenv } from '../scripts/lib/python.mjs';
import { arg, percentile, report, root, startStandin, writeResult } from './lib.mjs';

const runs = Number(arg('runs', '3'));
const agentRuns = Number(arg('agent-runs', '200'));
const calls = Number(arg('calls', '1000'));
const base = arg('base', 'd40ac61');
const only = arg('only', 'adk,none').split(',');
const tracer = join(root, 'src/inject/python');
const median = (xs) => percentile(xs, 50);

const standin = await startStandin();
const own = process.env.GT_MLFLOW_URL ? undefined : await startMlflow();
const mlflow = process.env.GT_MLFLOW_URL ?? own.url;
const result = { base };

const plain = () => {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GEMINI_TRACE_|MLFLOW_|PYTHONPATH$|OTEL_|ADK_|PYTHONDONTWRITEBYTECODE$)/.test(k)) env[k] = v;
  return { ...env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key', PYTHONUNBUFFERED: '1' };
};
const traced = (dir) => ({
  ...plain(), PYTHONPATH: dir, GEMINI_TRACE_ACTIVE: '1', MLFLOW_TRACKING_URI: mlflow, MLFLOW_EXPERIMENT_NAME: `bench-python-frameworks-${Date.now()}`, GEMINI_TRACE_RUN_ID: 'bench',
});
const json = (python, args, env) => {
  const r = spawnSync(python, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};

/** The tracer as it was at `base`, in a folder of its own. */
function tracerAt(commit) {
  const dir = mkdtempSync(join(tmpdir(), 'gt-tracer-before-'));
  const files = spawnSync('git', ['ls-tree', '-r', '--name-only', commit, 'src/inject/python'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter((f) => f.endsWith('.py'));
  for (const f of files) {
    const to = join(dir, f.slice('src/inject/python/'.length));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, spawnSync('git', ['show', `${commit}:${f}`], { cwd: root, encoding: 'utf8' }).stdout);
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

try {
  if (only.includes('adk')) {
    // Traced processes whose runs alternate tracing on and off in place (py_adk.py says how).
    const python = ensureAppVenv('frameworks');
    const app = join(root, 'bench/lib/py_adk.py');
    const got = { traced: [], own: [], cpu_traced: [], cpu_own: [] };
    let steps = 2;
    for (let i = 0; i < runs; i++) {
      const r = json(python, [app, String(agentRuns)], traced(tracer));
      for (const k of Object.keys(got)) got[k].push(...r[k]);
      steps = r.steps;
    }
    const per = (xs) => median(xs) / steps / 1000;
    const added = per(got.traced) - per(got.own);
    const addedCpu = per(got.cpu_traced) - per(got.cpu_own);
    report(`ADK agent step, wall p50 over ${got.traced.length} runs of ${steps} steps`, { value: per(got.traced), unit: 'ms', baseline: per(got.own), baselineLabel: 'tracing off, same process' });
    report('ADK agent step, added wall p50', { value: added, unit: 'ms', goal: '≤ 0.3 ms', goalMet: added <= 0.3 });
    report('ADK agent step, calling thread CPU p50', { value: per(got.cpu_traced), unit: 'ms', baseline: per(got.cpu_own), baselineLabel: 'tracing off, same process' });
    report('ADK agent step, added calling thread CPU p50', { value: addedCpu, unit: 'ms', goal: '≤ 0.3 ms', goalMet: addedCpu <= 0.3 });
    result.adk = { runs: got.traced.length, steps, stepMs: { traced: per(got.traced), own: per(got.own) }, addedMs: added, cpuStepMs: { traced: per(got.cpu_traced), own: per(got.cpu_own) }, addedCpuMs: addedCpu };
  }

  if (only.includes('none')) {
    const python = ensureAppVenv('genai');
    const apps = join(root, 'bench/lib/py_apps.py');
    const before = tracerAt(base);
    const sides = { before: () => traced(before), now: () => traced(tracer) };
    const five = { before: [], now: [] };
    for (const env of Object.values(sides)) json(python, ['-E', '-S', apps, 'measure', python, apps, 'five'], env()); // warm up, write bytecode
    for (let i = 0; i < Math.max(runs * 2, 9); i++) {
      for (const [k, env] of i % 2 ? Object.entries(sides).reverse() : Object.entries(sides)) five[k].push(json(python, ['-E', '-S', apps, 'measure', python, apps, 'five'], env()));
    }
    const best = (xs) => Math.min(...xs.map((x) => x.wall * 1000));
    const cpu = (xs) => median(xs.map((x) => x.cpu * 1000));
    const ratio = report('no framework, five calls, wall (best run)', { value: best(five.now), unit: 'ms', baseline: best(five.before), baselineLabel: `the tracer at ${base}`, goal: '≤ 1.02×', goalMet: best(five.now) <= best(five.before) * 1.02 });
    report('no framework, five calls, CPU (median)', { value: cpu(five.now), unit: 'ms', baseline: cpu(five.before), baselineLabel: `the tracer at ${base}` });
    const per = { before: [], now: [] };
    for (const [k, env] of Object.entries(sides)) per[k] = json(python, [apps, 'percall', String(calls)], env()).traced;
    const p50 = { before: median(per.before), now: median(per.now) };
    report(`no framework, traced call p50 over ${calls}`, { value: p50.now, unit: 'µs', baseline: p50.before, baselineLabel: `the tracer at ${base}` });
    result.none = { fiveBestMs: { before: best(five.before), now: best(five.now) }, ratio, fiveCpuMs: { before: cpu(five.before), now: cpu(five.now) }, callP50Us: p50 };
  }
  console.log(`results: ${writeResult('python-frameworks', result)}`);
} finally {
  standin.stop();
  await own?.stop();
}
