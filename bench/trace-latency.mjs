#!/usr/bin/env node
// Time from a traced generateContent call returning in the app to its trace being readable through
// MLflow's REST API (traces/search lists it and traces/get returns its spans), with the preload's
// default settings. Baseline, measured in the same run against the same server: the same span
// posted straight to /v1/traces by hand, then polled the same way — the floor any exporter has.
//   node bench/trace-latency.mjs [--calls 20]
// Goal: ≤ 1 s.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { buildNodeInject } from '../scripts/lib/node-inject.mjs';
import { percentile, report, root, startStandin, writeResult } from './lib.mjs';

const self = fileURLToPath(import.meta.url);
const { values: opts } = parseArgs({ options: { calls: { type: 'string', default: '20' }, worker: { type: 'boolean', default: false } } });
const POLL_MS = 20;

if (opts.worker) {
  // The app: one call per line on stdin ("<tag>"), answering "<tag> <epoch ms when the call returned>".
  const { GoogleGenAI } = await import('@google/genai');
  const ai = new GoogleGenAI({ apiKey: 'test-key' });
  for await (const tag of createInterface({ input: process.stdin })) {
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: `latency probe ${tag}` });
    process.stdout.write(`${tag} ${performance.timeOrigin + performance.now()}\n`);
  }
} else {
  await main();
}

async function rest(url, path, body) {
  const r = await fetch(`${url}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : undefined);
  if (!r.ok) throw new Error(`${path} -> ${r.status}: ${await r.text()}`);
  return r.json();
}

/** Polls until a trace whose request preview holds `tag` is listed and its spans can be fetched. */
async function readableAt(url, experimentId, tag, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await rest(url, '/api/3.0/mlflow/traces/search', {
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }], max_results: 5, order_by: ['timestamp_ms DESC'],
    });
    const hit = (r.traces ?? []).find((t) => (t.request_preview ?? '').includes(tag));
    if (hit) {
      const full = await rest(url, `/api/3.0/mlflow/traces/get?trace_id=${hit.trace_id}`);
      if (full.trace?.spans?.length) return performance.timeOrigin + performance.now();
    }
    await new Promise((d) => setTimeout(d, POLL_MS));
  }
  throw new Error(`trace ${tag} not readable within ${timeoutMs} ms`);
}

/** The baseline: one equivalent span posted by hand (OTLP JSON), then polled the same way. */
async function directPost(url, experimentId, tag) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const str = (key, v) => ({ key, value: { stringValue: v } });
  const span = {
    traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: 'Models.generateContent', kind: 3,
    startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now), status: { code: 1 },
    attributes: [str('mlflow.spanType', 'LLM'), str('mlflow.spanInputs', JSON.stringify({ model: 'gemini-2.5-flash', contents: `latency probe ${tag}` })), str('mlflow.spanOutputs', '{}')],
  };
  const sent = performance.timeOrigin + performance.now();
  const r = await fetch(`${url}/v1/traces`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': experimentId },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'bench' }, spans: [span] }] }] }),
  });
  if (!r.ok) throw new Error(`/v1/traces -> ${r.status}: ${await r.text()}`);
  return (await readableAt(url, experimentId, tag)) - sent;
}


async function main() {
  const calls = Number(opts.calls);
  const work = mkdtempSync(join(tmpdir(), 'gt-bench-latency-'));
  const ownMlflow = process.env.GT_MLFLOW_URL ? undefined : await startMlflow();
  const url = process.env.GT_MLFLOW_URL ?? ownMlflow.url;
  const standin = await startStandin();
  let app;
  try {
    const { nodeOptions } = await buildNodeInject(join(work, 'dist'));
    const experiment = `bench-latency-${randomUUID().slice(0, 8)}`;
    const experimentId = (await rest(url, '/api/2.0/mlflow/experiments/create', { name: experiment })).experiment_id;
    const env = { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' };
    for (const k of Object.keys(env)) if (/^(NODE_OPTIONS|GEMINI_TRACE_|MLFLOW_|OTEL_)/.test(k)) delete env[k];
    Object.assign(env, {
      NODE_OPTIONS: nodeOptions,
      GEMINI_TRACE_ACTIVE: '1', MLFLOW_TRACKING_URI: url, MLFLOW_EXPERIMENT_NAME: experiment, GEMINI_TRACE_RUN_ID: randomUUID(),
    });
    app = spawn(process.execPath, [self, '--worker'], { cwd: root, env, stdio: ['pipe', 'pipe', 'inherit'] });
    const replies = createInterface({ input: app.stdout })[Symbol.asyncIterator]();
    const call = async (tag) => {
      app.stdin.write(`${tag}\n`);
      const { value } = await replies.next();
      const [got, returned] = value.split(' ');
      if (got !== tag) throw new Error(`app answered ${value} to ${tag}`);
      return Number(returned);
    };
    // Warm-up: the preload's experiment lookup, JIT, the first connection.
    await call('warmup');
    await readableAt(url, experimentId, 'warmup');

    const traced = [];
    const direct = [];
    for (let i = 0; i < calls; i++) {
      const tag = `t${i}-${randomUUID().slice(0, 6)}`;
      const returned = await call(tag);
      traced.push((await readableAt(url, experimentId, tag)) - returned);
      direct.push(await directPost(url, experimentId, `d${i}-${randomUUID().slice(0, 6)}`));
    }
    const p50 = percentile(traced, 50);
    const p95 = percentile(traced, 95);
    const base50 = percentile(direct, 50);
    console.log(`${calls} calls, each polled every ${POLL_MS} ms through traces/search + traces/get`);
    const ratio = report('call return → trace readable, p50', { value: p50, unit: 'ms', baseline: base50, baselineLabel: 'direct POST /v1/traces → readable p50', goal: '≤ 1000 ms', goalMet: p50 <= 1000 });
    report('call return → trace readable, p95', { value: p95, unit: 'ms', baseline: percentile(direct, 95), baselineLabel: 'direct p95', goal: '≤ 1000 ms', goalMet: p95 <= 1000 });
    report('call return → trace readable, max', { value: Math.max(...traced), unit: 'ms' });
    const file = writeResult('trace-latency', {
      summary: { p50Ms: Math.round(p50), p95Ms: Math.round(p95), maxMs: Math.round(Math.max(...traced)), directP50Ms: Math.round(base50), ratioP50: +ratio.toFixed(3), goalMs: 1000, goalMet: p95 <= 1000 },
      calls,
      pollMs: POLL_MS,
      tracedMs: traced.map(Math.round),
      directMs: direct.map(Math.round),
      loadAverage: (await import('node:os')).loadavg(),
    });
    console.log(`wrote ${file}`);
  } finally {
    app?.stdin.end();
    if (app) await new Promise((d) => app.once('close', d));
    standin.stop();
    await ownMlflow?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
