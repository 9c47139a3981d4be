// The local-server command's warm-up (src/connection/warmUp.ts) against a real, freshly started
// MLflow, cold as a user's is: it must leave the store exactly as it was (no experiment, no trace,
// nothing in Default), and a real upload afterwards is stored as ever. How much it saves is
// bench/first-trace.mjs's to measure (no timed assertions here). The command's own environment (no
// remote price list) is what scripts/lib/mlflow.mjs gives every server. And that helper's start
// itself: a server that could not bind its port must not pass another server off as its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { MlflowServer } from '../../scripts/lib/mlflow.mjs';
import { warmUpMlflow } from '../../src/connection/warmUp';

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('Warming up a freshly started local MLflow', function () {
  this.timeout(180_000);
  let mlflow: MlflowServer;

  before(async () => {
    const { startMlflow } = await import('../../scripts/lib/mlflow.mjs');
    mlflow = await startMlflow({ unref: true, warm: false });
  });
  after(async () => mlflow?.stop());

  it('writes nothing, and the first real upload after it is stored', async () => {
    const t0 = performance.now();
    await warmUpMlflow(mlflow.url);
    const warmUpMs = performance.now() - t0;

    const experiments = await post(mlflow.url, '/api/2.0/mlflow/experiments/search', { max_results: 100, view_type: 'ALL' });
    assert.deepEqual((experiments.json.experiments as { name: string }[]).map((e) => e.name), ['Default'], 'no experiment was created, not even a deleted one');
    const search = { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '0' } }], max_results: 10 };
    assert.deepEqual((await post(mlflow.url, '/api/3.0/mlflow/traces/search', search)).json.traces ?? [], [], 'no trace in Default');

    // A model-call span with token usage: what made a cold server's first upload slow.
    const now = BigInt(Date.now()) * 1_000_000n;
    const attrs = { 'mlflow.spanType': 'LLM', 'mlflow.llm.model': 'gemini-2.5-flash', 'mlflow.llm.provider': 'gemini', 'mlflow.chat.tokenUsage': { input_tokens: 8, output_tokens: 4, total_tokens: 12 } };
    const span = {
      traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: 'after warm-up', kind: 1,
      startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n), status: { code: 1 },
      attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: JSON.stringify(v) } })),
    };
    const t1 = performance.now();
    const up = await post(mlflow.url, '/v1/traces', { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'test' }, spans: [span] }] }] }, { 'x-mlflow-experiment-id': '0' });
    const firstUploadMs = performance.now() - t1;
    assert.equal(up.status, 200);
    console.log(`      warm-up ${Math.round(warmUpMs)} ms; the first real upload after it ${Math.round(firstUploadMs)} ms`);
    const stored = (await post(mlflow.url, '/api/3.0/mlflow/traces/search', search)).json.traces as { trace_id: string }[];
    assert.deepEqual(stored.map((t) => t.trace_id), [`tr-${span.traceId}`]);
  });

  // Two starts handed the same free port: the loser's /health is answered by the winner, and its
  // tests fail with "fetch failed" once the winner's file ends and stops it (the likeliest reading
  // of three such failures in one CI run; that server's log was lost).
  it('a server started on a port another holds fails, saying so, instead of answering with the other', async () => {
    const { startMlflow } = await import('../../scripts/lib/mlflow.mjs');
    await assert.rejects(
      startMlflow({ unref: true, warm: false, port: mlflow.port }),
      (e: Error) => /could not listen at/.test(e.message) && /address already in use/.test(e.message),
    );
  });
});
