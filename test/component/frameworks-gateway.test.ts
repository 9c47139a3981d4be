// A real MLflow AI Gateway in front of the stand-in: endpoints made in the test MLflow through its
// own REST API (test/helpers/gateway.ts), an app calling them with the openai SDK (OpenAI route) and
// @google/genai (Gemini route), traced by the Node preload. This file starts its own MLflow: the
// gateway needs server settings that allow a loopback provider.
import assert from 'node:assert/strict';
import { assertTraces, attr, productTrace, runApp, shape, traceAt, usageOf } from '../helpers/frameworkRun';
import type { AppRun } from '../helpers/frameworkRun';
import { createGatewayEndpoint, GATEWAY_SERVER_ENV } from '../helpers/gateway';
import { preloadBed } from '../helpers/runApp';
import { traces } from '../helpers/traceView';

describe('Node preload: apps calling Gemini through an MLflow AI Gateway', function () {
  this.timeout(600_000);
  let mlflow: { url: string; stop(): Promise<void> };
  before(async () => {
    Object.assign(process.env, GATEWAY_SERVER_ENV);
    const { startMlflow } = await import('../../scripts/lib/mlflow.mjs');
    mlflow = await startMlflow({ unref: true });
    process.env.GT_MLFLOW_URL = mlflow.url;
  });
  after(async () => {
    await mlflow?.stop();
  });
  const bed = preloadBed('gt-fw-gateway-');

  let r: AppRun;
  let gatewayExperiment: string;
  before(async () => {
    const res = await fetch(`${mlflow.url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `gateway-${Date.now()}` }) });
    gatewayExperiment = ((await res.json()) as { experiment_id: string }).experiment_id;
    await createGatewayEndpoint(mlflow.url, { name: 'gem-chat', provider: 'openai', apiBase: `${bed.standin.url}/v1`, model: 'gemini-2.5-flash', experimentId: gatewayExperiment });
    await createGatewayEndpoint(mlflow.url, { name: 'gem-native', provider: 'databricks', apiBase: bed.standin.url, model: 'gemini-2.5-flash', experimentId: gatewayExperiment });
    r = await runApp(bed, {
      app: 'sdks', file: 'gateway.mjs', expected: 4,
      extra: { OPENAI_BASE_URL: `${mlflow.url}/gateway/openai/v1`, GOOGLE_GEMINI_BASE_URL: `${mlflow.url}/gateway/gemini`, GATEWAY_CHAT_ENDPOINT: 'gem-chat', GATEWAY_GEMINI_ENDPOINT: 'gem-native' },
    });
  });

  it('the app\'s calls reach the stand-in through the gateway, unchanged by tracing', () => {
    assert.equal(r.traced.stdout, r.untraced.stdout);
    assert.equal(r.traced.stderr, '');
    const paths = new Set(r.calls.map((c) => c.path));
    assert.ok(paths.has('/v1/chat/completions'), [...paths].join(', '));
    assert.ok(paths.has('/serving-endpoints/gemini/v1beta/models/gemini-2.5-flash:generateContent'), [...paths].join(', '));
    assert.ok(paths.has('/serving-endpoints/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent'), [...paths].join(', '));
  });

  it('traces each call once in the app\'s experiment, usage as the model reported it', () => {
    assertTraces(r);
    for (const name of ['openai', 'openaiStream']) {
      const span = traceAt(r, name).roots[0];
      assert.deepEqual(shape(traceAt(r, name)), ['Completions.create [CHAT_MODEL]']);
      assert.equal(span.attrs['mlflow.llm.provider'], 'mlflow-gateway');
      assert.equal(span.attrs['server.address'], new URL(mlflow.url).host);
      assert.equal(attr(span, 'mlflow.spanInputs').model, 'gem-chat', 'the endpoint the app named');
    }
    assert.equal(usageOf(traceAt(r, 'openai').roots[0]).cache_read_input_tokens > 0, true);
    assert.deepEqual(shape(traceAt(r, 'gemini')), ['Models.generateContent [LLM]']);
    assert.deepEqual(shape(traceAt(r, 'geminiStream')), ['Models.generateContentStream [LLM]']);
    assert.ok(usageOf(traceAt(r, 'gemini').roots[0]).thoughts_tokens > 0);
  });

  it('reads as model calls in the product (OpenAI chat and Gemini)', async () => {
    const chat = (await productTrace(traceAt(r, 'openai').id))[0].call!;
    assert.equal(chat.api, 'openai.chat');
    assert.equal(chat.responseText, 'echo: Hello through the gateway');
    const gemini = (await productTrace(traceAt(r, 'gemini').id))[0].call!;
    assert.equal(gemini.api, 'gemini.generateContent');
    assert.ok(gemini.usage!.thinking > 0);
  });

  it('the gateway writes its own trace of each call into the endpoint\'s experiment, apart from the app\'s', async () => {
    // Both runs of the app (untraced, then traced) went through it: four calls each.
    const own = await traces(gatewayExperiment, 8, 30_000, { settled: true });
    assert.deepEqual(own.map((t) => t.roots[0].name).sort(), [...Array(4).fill('gateway/gem-chat'), ...Array(4).fill('gateway/gem-native')]);
  });

  it('the Gemini route answers only the v1beta API: the SDKs\' default v1 gets 404', async () => {
    const res = await fetch(`${mlflow.url}/gateway/gemini/v1/models/gem-native:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }) });
    assert.equal(res.status, 404);
  });
});
