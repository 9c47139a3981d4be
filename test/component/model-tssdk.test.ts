// The TypeScript SDK's encoding: `mlflow-tracing` cannot be installed here, so the fixture
// reproduces its serializer (see test/fixtures/traces/tsSdkTrace.ts). The trace is logged the way
// that SDK logs it against a real MLflow server (StartTraceV3, then PUT traces.json to the artifact
// proxy) and read back through the product client.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { extractGemini } from '../../src/model/gemini';
import { MlflowClient } from '../../src/mlflow/client';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { TS_STACK, TS_TRACE_BASE_NS, tsSdkSpans, tsSdkTracesJson } from '../fixtures/traces/tsSdkTrace';
import { mlflowRest, mlflowUrl, uniqueName } from '../helpers/mlflow';

function norm(p: { info: unknown; spans: unknown }): Trace {
  const t = normalizeTrace(p);
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

function checkTree(t: Trace): void {
  assert.deepEqual(t.warnings, []);
  for (const s of tsSdkSpans()) {
    const got = t.byId.get(s.spanId);
    assert.ok(got, s.name);
    assert.equal(got.parentId, s.parentId, `${s.name}: '' parent means root`);
    assert.equal(got.startNs, s.startNs);
    assert.equal(got.endNs, s.endNs);
    assert.equal(got.type, s.type);
    assert.equal(got.status, s.status);
  }
  assert.deepEqual(t.roots.map((r) => r.name), ['handleRequest']);
  assert.deepEqual(t.roots[0].children.map((c) => c.name), ['models.generateContent', 'lookupStock']);
  const llm = t.byId.get('3333cccc4444dddd')!;
  // TS values arrive parsed: no JSON decoding may turn them into something else.
  assert.deepEqual(llm.inputs, {
    model: 'gemini-2.5-flash',
    contents: [{ role: 'user', parts: [{ text: 'Is the red mug in stock?' }] }],
    config: { systemInstruction: 'You run a shop.', temperature: 0.1, thinkingConfig: { thinkingBudget: 128 } },
  });
  // Gemini's candidates exclude thoughts (12 + 6 + 3 = 21): thinking is folded into output.
  assert.deepEqual(llm.usage, { input: 12, output: 9, total: 21, cached: 0, thinking: 3 });
  assert.deepEqual(llm.code, { filepath: '/home/dev/app/shop.ts', lineno: 9, function: 'handleRequest' });
  const tool = t.byId.get('5555eeee6666ffff')!;
  assert.deepEqual(tool.exceptions, [{ type: 'Error', message: 'out of stock', stacktrace: TS_STACK }]);
  assert.equal(tool.statusMessage, 'Error: out of stock');
  assert.equal(tool.events[0].timeNs, tsSdkSpans()[2].endNs - 5n);
  assert.deepEqual(t.usage, { input: 12, output: 9, total: 21, cached: 0, thinking: 3 });

  const g = extractGemini(llm);
  assert.ok(g);
  assert.equal(g.model, 'gemini-2.5-flash');
  assert.equal(g.promptText, 'Is the red mug in stock?');
  assert.deepEqual(g.systemInstruction, { role: 'system', parts: [{ kind: 'text', text: 'You run a shop.' }] });
  assert.deepEqual(g.config, { temperature: 0.1, thinkingConfig: { thinkingBudget: 128 } });
  assert.equal(g.thinking, 'Checking stock.');
  assert.equal(g.responseText, '');
  assert.deepEqual(g.functionCalls, [{ name: 'lookupStock', args: { item: 'red mug' } }]);
  assert.equal(g.candidates[0].finishReason, 'STOP');
  assert.deepEqual(g.candidates[0].safetyRatings, [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }]);
}

describe('trace model on the TypeScript SDK encoding', function () {
  this.timeout(120_000);

  it('decodes the serializer output as text (bare int64 times, base64 ids, parsed values)', () => {
    const id = `tr-${randomBytes(16).toString('hex')}`;
    const text = tsSdkTracesJson(id);
    assert.match(text, new RegExp(`"start_time_unix_nano":${TS_TRACE_BASE_NS}`), 'times are bare integers above 2^53');
    assert.match(text, /"parent_span_id":""/);
    const t = norm({ info: { trace_id: id, state: 'ERROR' }, spans: text });
    checkTree(t);
    assert.equal(t.summary.id, id);
    assert.ok(t.spans.every((s) => s.otelTraceId === id.slice(3)), 'the OTel trace id comes from mlflow.traceRequestId, not the garbled trace_id');
  });

  it('round-trips through a real MLflow server as the SDK logs it (StartTraceV3 + traces.json artifact)', async () => {
    const base = await mlflowUrl();
    const { experiment_id: exp } = await mlflowRest<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name: uniqueName('model-tssdk') });
    const traceId = `tr-${randomBytes(16).toString('hex')}`;
    const requestMs = Number(TS_TRACE_BASE_NS / 1_000_000n);
    // TraceInfo.toJson() of the TS SDK.
    const started = await mlflowRest<{ trace: { trace_info: { tags: Record<string, string> } } }>('/api/3.0/mlflow/traces', {
      trace: {
        trace_info: {
          trace_id: traceId,
          trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } },
          request_preview: '{"path":"/buy","qty":2}',
          request_time: new Date(requestMs).toISOString(),
          execution_duration: `${3000 / 1000}s`,
          state: 'ERROR',
          trace_metadata: { 'mlflow.trace_schema.version': '3', 'mlflow.trace.tokenUsage': '{"input_tokens":12,"output_tokens":6,"total_tokens":21}' },
          tags: { 'mlflow.traceName': 'handleRequest', 'gemini_trace.run_id': 'ts-run-1' },
          assessments: [],
        },
      },
    });
    const location = started.trace.trace_info.tags['mlflow.artifactLocation'];
    assert.match(location, /^mlflow-artifacts:/);
    const path = location.replace(/^mlflow-artifacts:\/*/, '');
    const put = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${path}/traces.json`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: tsSdkTracesJson(traceId),
    });
    assert.ok(put.ok, `PUT traces.json -> ${put.status}`);

    const full = await new MlflowClient({ trackingUri: base }).getTrace(traceId);
    assert.equal(full.source, 'artifact');
    const t = norm({ info: full.info, spans: full.data.spans });
    checkTree(t);
    assert.equal(t.summary.id, traceId);
    assert.equal(t.summary.state, 'ERROR');
    assert.equal(t.status, 'ERROR');
    assert.equal(t.summary.requestTimeMs, requestMs);
    assert.equal(t.summary.durationMs, 3000);
    assert.equal(t.summary.tags['gemini_trace.run_id'], 'ts-run-1');
    // MLflow's metadata total lacks thoughts; the spans' total includes them.
    assert.deepEqual(t.summary.usage, { input: 12, output: 6, total: 21, cached: 0, thinking: 0 });
  });
});
