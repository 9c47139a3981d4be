// LangChain.js and LangGraph.js with @langchain/google-genai (the legacy @google/generative-ai
// underneath): an agent, a hand-built graph and a streamed model call (ES module app) and an agent
// through require(), against the stand-in, read from a real MLflow. Then the same app with
// @langchain/core claiming a version the preload does not know: bare model-call spans, same output.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { frameworkApp } from '../helpers/frameworkApps';
import { assertTraces, attr, outline, productTrace, reported, runApp, shape, traceAt, usageOf } from '../helpers/frameworkRun';
import type { AppRun } from '../helpers/frameworkRun';
import { plainEnv, preloadBed, run, tracedEnv } from '../helpers/runApp';
import { experimentId, traces } from '../helpers/traceView';
import { uniqueName } from '../helpers/mlflow';

const root = resolve(__dirname, '../..');

/** One model turn of a graph node: the chat model's span over the SDK's, then LangGraph's router. */
const turn = (node: string) => [`  ${node} [CHAIN]`, '    ChatGoogleGenerativeAI [CHAT_MODEL]', '      Models.generateContent [LLM]', '    RunnableLambda [CHAIN]'];
const withTool = (node: string, nested: boolean) => [
  'LangGraph [AGENT]', ...turn(node), '  tools [CHAIN]', '    weather [TOOL]', ...(nested ? ['      Models.generateContent [LLM]'] : []), ...turn(node),
];

describe('Node preload: LangChain.js and LangGraph.js', function () {
  this.timeout(600_000);
  const bed = preloadBed('gt-fw-langchain-');

  describe('ES module app (createAgent, a StateGraph, a stream)', () => {
    let r: AppRun;
    before(async () => {
      r = await runApp(bed, { app: 'langchain', file: 'app.mjs', expected: 3 });
    });

    it('leaves the app as it was; one trace per invocation, at its line, usage once per model call', () => {
      assert.equal(r.traced.stdout, r.untraced.stdout);
      assert.equal(r.traced.stderr, '');
      assertTraces(r);
    });

    it('writes the graph › node › chat model › SDK call and tool › the tool\'s own Gemini call', () => {
      assert.deepEqual(shape(traceAt(r, 'agent')), withTool('model_request', true));
      assert.deepEqual(shape(traceAt(r, 'graph')), withTool('model', true));
      assert.deepEqual(shape(traceAt(r, 'stream')), ['ChatGoogleGenerativeAI [CHAT_MODEL]', '  Models.generateContentStream [LLM]']);
      const agent = traceAt(r, 'agent');
      for (const s of agent.spans) assert.equal(s.attrs['code.lineno'], agent.roots[0].attrs['code.lineno'], `${s.name} points at the app's call`);
      const chat = agent.spans.find((s) => s.name === 'ChatGoogleGenerativeAI')!;
      assert.equal(chat.attrs['gemini_trace.model_call_below'], true);
      assert.equal(usageOf(chat), undefined, 'the chat model\'s span leaves the usage to the SDK call under it');
      assert.equal(chat.attrs['mlflow.llm.model'], 'gemini-2.5-flash');
      assert.equal(chat.attrs['gemini_trace.library'], 'langchain');
      assert.deepEqual(attr(chat, 'mlflow.spanInputs').messages.map((m: { role: string }) => m.role), ['system', 'user']);
      const tool = agent.spans.find((s) => s.name === 'weather')!;
      assert.equal(tool.attrs['gen_ai.tool.name'], 'weather');
      assert.deepEqual(attr(tool, 'mlflow.spanInputs'), { city: 'test' });
      assert.equal(attr(tool, 'mlflow.spanOutputs'), 'test: echo: One word for the weather in test');
    });

    it('the SDK span under the chat model is the model call: Gemini request, tools, thinking tokens', async () => {
      const agent = traceAt(r, 'agent');
      const first = r.calls.find((c) => c.method === 'generateContent' && c.body.contents.length === 1 && JSON.stringify(c.body).includes('Paris'))!;
      const sdk = agent.spans.find((s) => s.name === 'Models.generateContent' && s.parent === agent.spans.find((p) => p.name === 'ChatGoogleGenerativeAI')!.id)!;
      assert.equal(usageOf(sdk).thoughts_tokens, reported(first).thoughtsTokenCount);
      const read = (await productTrace(agent.id)).filter((x) => x.call && x.span.name === 'Models.generateContent');
      assert.equal(read.length, 3, 'two model turns and the tool\'s own call');
      const second = read.find((x) => x.call!.request.length === 3)!.call!;
      assert.deepEqual(outline(second), ['user:text', 'model:thought+functionCall', 'user:functionResponse']);
      assert.equal(second.system?.parts[0].kind, 'text');
      assert.ok(Array.isArray(second.tools) && second.tools.length === 1);
    });
  });

  it('CommonJS app: the same tree from LangChain\'s CommonJS build; a chat model with no traced SDK under it is the model call itself', async () => {
    const r = await runApp(bed, { app: 'langchain', file: 'app.cjs', expected: 2 });
    assert.equal(r.traced.stdout, r.untraced.stdout);
    assertTraces(r);
    assert.deepEqual(shape(traceAt(r, 'agent')), withTool('model_request', false));
    const canned = traceAt(r, 'canned');
    assert.deepEqual(shape(canned), ['FakeListChatModel [CHAT_MODEL]']);
    assert.equal(canned.roots[0].attrs['gemini_trace.model_call_below'], undefined);
    const call = (await productTrace(canned.id))[0].call!;
    assert.equal(call.api, 'otel.genai');
    assert.equal(call.system?.parts[0].kind, 'text');
    assert.deepEqual(outline(call), ['user:text']);
    assert.equal(call.responseText, 'A canned answer.');
  });

  it('a @langchain/core version it does not know: bare model-call spans, the app unchanged', async () => {
    // A private copy of the app whose @langchain/core claims 9.0.0 (in the repository's .cache, so
    // its @google/genai still resolves to the repository's, as the fixture's does).
    mkdirSync(join(root, '.cache'), { recursive: true });
    const dir = mkdtempSync(join(root, '.cache', 'gt-lc-unknown-'));
    try {
      cpSync(await frameworkApp('langchain'), dir, { recursive: true });
      const pkg = join(dir, 'node_modules/@langchain/core/package.json');
      writeFileSync(pkg, readFileSync(pkg, 'utf8').replace(/"version": "[^"]+"/, '"version": "9.0.0"'));
      const file = join(dir, 'app.mjs');
      const untraced = await run(process.execPath, [file], plainEnv(bed.standin.url), dir);
      bed.standin.reset();
      const experiment = uniqueName('fw-lc-unknown');
      const traced = await run(process.execPath, [file], await tracedEnv({ standinUrl: bed.standin.url, distDir: bed.distDir, experiment, runId: 'unknown', workspace: dir }), dir);
      assert.equal(traced.code, 0, traced.stderr);
      assert.equal(traced.stdout, untraced.stdout);
      assert.equal(traced.stderr, '');
      const model = bed.standin.calls.filter((c) => c.method === 'generateContent' || c.method === 'streamGenerateContent');
      const all = await traces(await experimentId(experiment), model.length, 30_000, { settled: true });
      assert.deepEqual(new Set(all.map((t) => shape(t).join('|'))), new Set(['Models.generateContent [LLM]', 'Models.generateContentStream [LLM]']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
