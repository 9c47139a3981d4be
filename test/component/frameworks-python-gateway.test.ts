// A real MLflow AI Gateway in front of the stand-in: endpoints made in the test MLflow through its
// own REST API (test/helpers/gateway.ts), Python apps calling them with the openai SDK (OpenAI
// route) and google-genai 3.x (Gemini route), traced by the Python tracer. This file starts its own
// MLflow: the gateway needs server settings that allow a loopback provider.
import assert from 'node:assert/strict';
import { createGatewayEndpoint, GATEWAY_SERVER_ENV } from '../helpers/gateway';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { assertPyTraces, attr, productTrace, runPyApp, shape, traceAt, usageOf } from '../helpers/pythonFrameworks';
import type { PyAppRun } from '../helpers/pythonFrameworks';
import { traces } from '../helpers/traceView';

describe('Python tracer: apps calling Gemini through an MLflow AI Gateway', function () {
  this.timeout(600_000);
  let mlflow: { url: string; stop(): Promise<void> };
  let standin: Standin;
  let gatewayExperiment: string;
  let chat: PyAppRun;
  let gemini: PyAppRun;
  before(async () => {
    Object.assign(process.env, GATEWAY_SERVER_ENV);
    const [{ startMlflow }, { ensureAppVenv }] = await Promise.all([import('../../scripts/lib/mlflow.mjs'), import('../../scripts/lib/python.mjs')]);
    mlflow = await startMlflow({ unref: true });
    process.env.GT_MLFLOW_URL = mlflow.url;
    standin = await startStandin();
    const res = await fetch(`${mlflow.url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `gateway-${Date.now()}` }) });
    gatewayExperiment = ((await res.json()) as { experiment_id: string }).experiment_id;
    await createGatewayEndpoint(mlflow.url, { name: 'gem-chat', provider: 'openai', apiBase: `${standin.url}/v1`, model: 'gemini-2.5-flash', experimentId: gatewayExperiment });
    await createGatewayEndpoint(mlflow.url, { name: 'gem-native', provider: 'databricks', apiBase: standin.url, model: 'gemini-2.5-flash', experimentId: gatewayExperiment });
    const extra = { OPENAI_BASE_URL: `${mlflow.url}/gateway/openai/v1`, GATEWAY_URL: `${mlflow.url}/gateway`, GATEWAY_CHAT_ENDPOINT: 'gem-chat', GATEWAY_GEMINI_ENDPOINT: 'gem-native' };
    chat = await runPyApp(standin, ensureAppVenv('frameworks'), { file: 'gateway_openai.py', expected: 2, extra });
    gemini = await runPyApp(standin, ensureAppVenv('genai'), { file: 'gateway_gemini.py', expected: 3, extra });
  });
  after(async () => {
    standin?.close();
    await mlflow?.stop();
  });

  it("the apps' calls reach the stand-in through the gateway, unchanged by tracing", () => {
    for (const r of [chat, gemini]) {
      assert.equal(r.traced.stdout, r.untraced.stdout);
      assert.equal(r.traced.stderr, r.untraced.stderr);
    }
    const paths = new Set([...chat.calls, ...gemini.calls].map((c) => c.path));
    assert.ok(paths.has('/v1/chat/completions'), [...paths].join(', '));
    assert.ok(paths.has('/serving-endpoints/gemini/v1beta/models/gemini-2.5-flash:generateContent'), [...paths].join(', '));
    assert.ok(paths.has('/serving-endpoints/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent'), [...paths].join(', '));
  });

  it("traces each call once in the app's experiment, usage as the model reported it", () => {
    assertPyTraces(chat);
    for (const name of ['openai', 'openaiStream']) {
      const span = traceAt(chat, name).roots[0];
      assert.deepEqual(shape(traceAt(chat, name)), ['Completions.create [CHAT_MODEL]']);
      assert.equal(span.attrs['mlflow.llm.provider'], 'mlflow-gateway');
      assert.equal(span.attrs['server.address'], new URL(mlflow.url).host);
      assert.equal(attr(span, 'mlflow.spanInputs').model, 'gem-chat', 'the endpoint the app named');
    }
    assert.ok(usageOf(traceAt(chat, 'openai').roots[0]).cache_read_input_tokens > 0);
    assertPyTraces(gemini);
    assert.deepEqual(shape(traceAt(gemini, 'gemini')), ['Models.generateContent [LLM]']);
    assert.deepEqual(shape(traceAt(gemini, 'geminiStream')), ['Models.generateContentStream [LLM]']);
    assert.ok(usageOf(traceAt(gemini, 'gemini').roots[0]).thoughts_tokens > 0);
  });

  it("the Gemini route answers only the v1beta API: the documented setup (google-genai's default v1) gets 404, traced as that error", () => {
    assert.match(gemini.traced.stdout, /^documented setup: 404$/m);
    const failed = traceAt(gemini, 'documented');
    assert.equal(failed.state, 'ERROR');
    assert.equal(failed.roots[0].attrs['http.response.status_code'], 404);
  });

  it('reads as model calls in the product (OpenAI chat and Gemini)', async () => {
    const c = (await productTrace(traceAt(chat, 'openai').id))[0].call!;
    assert.equal(c.api, 'openai.chat');
    assert.equal(c.responseText, 'echo: Hello through the gateway');
    const g = (await productTrace(traceAt(gemini, 'gemini').id))[0].call!;
    assert.equal(g.api, 'gemini.generateContent');
    assert.ok(g.usage!.thinking > 0);
  });

  it("the gateway writes its own trace of each call into the endpoint's experiment, apart from the app's", async () => {
    // Both runs of each app (untraced, then traced) went through it: two chat calls and two Gemini
    // calls each (the documented setup's call never reached an endpoint).
    const own = await traces(gatewayExperiment, 8, 30_000, { settled: true });
    assert.deepEqual(own.map((t) => t.roots[0].name).sort(), [...Array(4).fill('gateway/gem-chat'), ...Array(4).fill('gateway/gem-native')]);
  });
});
