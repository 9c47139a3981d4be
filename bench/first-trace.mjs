#!/usr/bin/env node
// From a traced app's exit to its traces being readable over REST, against a freshly started
// MLflow with MLflow's own defaults (cold), one freshly started as the local-server command starts
// it (no remote price list: scripts/lib/mlflow.mjs SERVER_ENV; then its read-only warm-up,
// src/connection/warmUp.ts), and a warm one.
// The app: five generateContent calls against the Gemini stand-in, an ES module, traced as
// src/launch/env.ts injects it, writing to a new experiment by name (so the lookup and creation
// are part of what is measured).
//   node bench/first-trace.mjs [--warm-runs 12]
// Baseline, in the same run and against a server in the same state: the least any client pays,
// this process looking up and creating an experiment and POSTing five model-call spans as one
// OTLP request, then polling the same way. "Ours" is the app's figure minus that; the rest is MLflow's.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { require as tsRequire } from 'tsx/cjs/api';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { buildNodeInject } from '../scripts/lib/node-inject.mjs';
import { arg, percentile, report, root, startStandin, writeResult } from './lib.mjs';

const { warmUpMlflow } = tsRequire('../src/connection/warmUp.ts', import.meta.url);
const warmRuns = Number(arg('warm-runs', 12));
const CALLS = 5;
const APP = `import { GoogleGenAI } from '@google/genai';
const ai = new GoogleGenAI({ apiKey: 'test-key' });
for (let i = 0; i < ${CALLS}; i++) console.log((await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'first trace ' + i })).text.length);
`;

async function post(url, path, body, headers = {}) {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${path} → ${r.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

/** Resolves once `n` finished traces are readable in the experiment named `name`; the ms it took from `t0`. */
async function readable(url, name, n, t0) {
  for (;;) {
    const got = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
    if (got.ok) {
      const id = (await got.json()).experiment.experiment_id;
      const r = await post(url, '/api/3.0/mlflow/traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } }], max_results: 100 });
      if ((r.traces ?? []).filter((t) => t.state === 'OK').length >= n) return performance.now() - t0;
    } else await got.arrayBuffer();
    if (performance.now() - t0 > 120_000) throw new Error(`${name}: ${n} traces not readable after 120 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the traced app; resolves with ms from its exit to its traces readable, and its own run time. */
async function appRun(url, app, env) {
  const name = `first-trace-${randomUUID().slice(0, 8)}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [app], { cwd: root, env: { ...env, MLFLOW_TRACKING_URI: url, MLFLOW_EXPERIMENT_NAME: name }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`the app exited ${code}`);
  const exited = performance.now();
  return { exitToReadableMs: await readable(url, name, CALLS, exited), appMs: exited - t0 };
}

/** The least a client pays: lookup, create, one POST of five spans (OTLP/JSON), then the same poll. */
async function directRun(url) {
  const name = `first-trace-direct-${randomUUID().slice(0, 8)}`;
  const t0 = performance.now();
  await (await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`)).arrayBuffer();
  const { experiment_id: id } = await post(url, '/api/2.0/mlflow/experiments/create', { name });
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: CALLS }, (_, i) => ({
    traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: `direct ${i}`, kind: 1,
    startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n), status: { code: 1 },
    // What makes MLflow's first write slow is in the span (a model call with token usage: MLflow
    // then loads the provider's price list), so the direct spans carry it too.
    attributes: [
      ['mlflow.spanType', 'LLM'], ['mlflow.llm.model', 'gemini-2.5-flash'], ['mlflow.llm.provider', 'gemini'],
      ['mlflow.chat.tokenUsage', { input_tokens: 8, output_tokens: 4, total_tokens: 12 }],
    ].map(([key, v]) => ({ key, value: { stringValue: JSON.stringify(v) } })),
  }));
  await post(url, '/v1/traces', { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'direct' }, spans }] }] }, { 'x-mlflow-experiment-id': id });
  return readable(url, name, CALLS, t0);
}

/** MLflow's own default for the price list: remove the override every server here gets. */
const MLFLOW_DEFAULTS = { MLFLOW_MODEL_CATALOG_URI: undefined, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: undefined };

/** A fresh server for one measurement: MLflow's defaults, or ours and the command's warm-up. */
async function fresh(env, ready, f) {
  const server = await startMlflow({ warm: false, env });
  try {
    if (ready) await warmUpMlflow(server.url);
    return await f(server.url);
  } finally {
    await server.stop();
  }
}

const work = mkdtempSync(join(tmpdir(), 'gt-bench-first-'));
const appDir = mkdtempSync(join(root, 'bench', '.startup-'));
const standin = await startStandin();
try {
  const { nodeOptions } = await buildNodeInject(join(work, 'dist'));
  const app = join(appDir, 'five.mjs');
  writeFileSync(app, APP);
  const env = { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' };
  for (const k of Object.keys(env)) if (/^(NODE_OPTIONS|GEMINI_TRACE_|MLFLOW_)/.test(k)) delete env[k];
  Object.assign(env, { NODE_OPTIONS: nodeOptions, GEMINI_TRACE_ACTIVE: '1', GEMINI_TRACE_RUN_ID: randomUUID() });
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  const results = {};
  const modes = [
    ['cold', MLFLOW_DEFAULTS, false, 'cold MLflow, its defaults (just started)'],
    ['local', {}, true, 'MLflow as the local-server command starts and readies it'],
  ];
  for (const [mode, serverEnv, ready, label] of modes) {
    const direct = await fresh(serverEnv, ready, directRun);
    const traced = await fresh(serverEnv, ready, (url) => appRun(url, app, env));
    results[mode] = { direct, ...traced };
    report(`${label}: app exit → 5 traces readable`, {
      value: traced.exitToReadableMs, unit: 'ms', baseline: direct, baselineLabel: 'a direct lookup + create + POST from this process, same server state',
    });
    // Negative: MLflow's first-use work began while the app still ran (its first export).
    console.log(`  beyond the direct client: ${Math.round(traced.exitToReadableMs - direct)} ms; the app itself ran ${Math.round(traced.appMs)} ms`);
  }

  // Warm: one server, the app again and again; the direct POST between runs.
  const server = await startMlflow();
  try {
    await appRun(server.url, app, env); // its first trace write: not counted
    const runs = [];
    const direct = [];
    for (let i = 0; i < warmRuns; i++) {
      runs.push(await appRun(server.url, app, env));
      direct.push(await directRun(server.url));
    }
    const ms = runs.map((r) => r.exitToReadableMs);
    results.warm = { runs, direct, p50: percentile(ms, 50), max: Math.max(...ms), directP50: percentile(direct, 50) };
    report(`warm MLflow: app exit → 5 traces readable, p50 of ${warmRuns}`, { value: results.warm.p50, unit: 'ms', baseline: results.warm.directP50, baselineLabel: 'direct p50' });
    report(`warm MLflow: the slowest of ${warmRuns}`, { value: results.warm.max, unit: 'ms', baseline: Math.max(...direct), baselineLabel: 'slowest direct' });
    console.log(`  each run, ms: ${ms.map((x) => Math.round(x)).join(', ')}`);
  } finally {
    await server.stop();
  }
  for (const [mode, , , label] of modes) report(`${label} against warm`, { value: results[mode].exitToReadableMs, unit: 'ms', baseline: results.warm.p50, baselineLabel: 'warm p50' });
  const file = writeResult('first-trace', {
    summary: {
      coldMs: Math.round(results.cold.exitToReadableMs), coldDirectMs: Math.round(results.cold.direct),
      localMs: Math.round(results.local.exitToReadableMs), localDirectMs: Math.round(results.local.direct),
      warmP50Ms: Math.round(results.warm.p50), warmMaxMs: Math.round(results.warm.max), warmDirectP50Ms: Math.round(results.warm.directP50),
    },
    results,
    loadAverage: loadavg(),
  });
  console.log(`wrote ${file}`);
} finally {
  standin.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(appDir, { recursive: true, force: true });
}
