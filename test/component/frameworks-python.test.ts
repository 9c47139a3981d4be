// Python apps built on frameworks, traced for real: Google's ADK, LangChain/LangGraph with
// langchain-google-genai, and the openai SDK at an OpenAI-compatible endpoint, each a sample app
// (test/fixtures/apps/python-frameworks) run untraced and traced in the frameworks venv
// (.venvs/frameworks: the pinned packages, no mlflow) against the Gemini stand-in, its traces read
// back from a real MLflow. Also: framework versions the tracer does not know (bare model-call spans,
// the app unchanged), an app that sets its own OpenTelemetry provider before or after ADK loads,
// content capture off, and a plain google-genai app loading none of the framework support.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { uniqueName } from '../helpers/mlflow';
import {
  assertPyTraces, attr, outline, productTrace, pyApps, reported, runPy, runPyApp, shape, traceAt, tracedPyEnv, usageOf,
} from '../helpers/pythonFrameworks';
import type { PyAppRun } from '../helpers/pythonFrameworks';
import { mlflowUrl } from '../helpers/mlflow';
import { experimentId, traces } from '../helpers/traceView';
import type { SpanView, TraceView } from '../helpers/traceView';

/** ADK's model call: its generate_content span over the Gemini SDK span that is the model call. */
const adkModel = (depth: number) => [`${'  '.repeat(depth)}generate_content gemini-2.5-flash [CHAT_MODEL]`, `${'  '.repeat(depth + 1)}Models.generateContent [LLM]`];
const adkWeather = [
  'invoke_workflow root_agent [CHAIN]', '  invoke_agent root_agent [AGENT]', ...adkModel(2),
  '    execute_tool weather [TOOL]', '      Models.generateContent [LLM]', ...adkModel(2),
];
/** One model turn of a LangGraph node: the chat model's span over the SDK's. */
const lcTurn = (router: boolean) => ['  model [CHAIN]', '    ChatGoogleGenerativeAI [CHAT_MODEL]', '      Models.generateContent [LLM]', ...(router ? ['    RunnableCallable [CHAIN]'] : [])];
const lcAgent = (router: boolean) => ['LangGraph [AGENT]', ...lcTurn(router), '  tools [CHAIN]', '    weather [TOOL]', '      Models.generateContent [LLM]', ...lcTurn(router)];

const byName = (t: TraceView, name: string): SpanView[] => t.spans.filter((s) => s.name === name);

describe('Python tracer: apps on frameworks (ADK, LangChain/LangGraph, openai)', function () {
  this.timeout(600_000);
  let standin: Standin;
  let python: string;
  before(async () => {
    const { ensureAppVenv } = await import('../../scripts/lib/python.mjs');
    python = ensureAppVenv('frameworks');
    standin = await startStandin();
    await mlflowUrl();
  });
  after(() => standin?.close());
  beforeEach(() => standin.reset());

  describe("Google's ADK: Runner.run_async with a tool call, then a hand-over to a sub-agent", () => {
    let r: PyAppRun;
    before(async () => {
      r = await runPyApp(standin, python, { file: 'adk_app.py', expected: 2 });
    });

    it('leaves the app as it was; one trace per agent run, at its line, usage once per model call', () => {
      assert.equal(r.traced.stdout, r.untraced.stdout);
      assert.equal(r.traced.stderr, r.untraced.stderr);
      assertPyTraces(r);
    });

    it("writes ADK's own tree: workflow › agent › model call › SDK call, tool › the tool's own Gemini call", () => {
      assert.deepEqual(shape(traceAt(r, 'agent')), adkWeather);
      assert.deepEqual(shape(traceAt(r, 'handover')), [
        'invoke_workflow root_agent [CHAIN]', '  invoke_agent root_agent [AGENT]', ...adkModel(2), '    execute_tool transfer_to_agent [TOOL]',
        '  invoke_agent helper [AGENT]', ...adkModel(2),
      ]);
      const t = traceAt(r, 'agent');
      for (const s of t.spans) assert.equal(s.attrs['code.lineno'], t.roots[0].attrs['code.lineno'], `${s.name} points at the run's line`);
      for (const s of t.spans.filter((x) => !x.name.startsWith('Models.'))) assert.equal(s.attrs['gemini_trace.library'], 'google-adk', s.name);
      const wrapper = byName(t, 'generate_content gemini-2.5-flash')[0];
      assert.equal(wrapper.attrs['gemini_trace.model_call_below'], true);
      assert.equal(usageOf(wrapper), undefined, "ADK's model-call span leaves the usage to the SDK call under it");
      assert.equal(wrapper.attrs['gen_ai.input.messages'], undefined, 'and the messages: the SDK call holds them');
      assert.equal(wrapper.attrs['mlflow.llm.model'], 'gemini-2.5-flash');
      const tool = byName(t, 'execute_tool weather')[0];
      assert.equal(tool.attrs['gen_ai.tool.name'], 'weather');
      assert.deepEqual(attr(tool, 'mlflow.spanInputs'), { city: 'test' });
      assert.deepEqual(attr(tool, 'mlflow.spanOutputs'), { city: 'test', sky: 'echo: One word for the weather in test' });
      const agent = byName(t, 'invoke_agent root_agent')[0];
      assert.equal(attr(agent, 'mlflow.spanInputs'), 'Weather in Paris? [[call:weather]] [[think]]');
      assert.match(String(attr(t.roots[0], 'mlflow.spanOutputs')), /weather returned \{"city":"test"/, "the run's answer");
    });

    it('the SDK span under ADK\'s is the model call: Gemini request, tools, thinking tokens', async () => {
      const t = traceAt(r, 'agent');
      const first = r.calls.find((c) => c.method === 'generateContent' && c.body.contents.length === 1 && JSON.stringify(c.body).includes('Paris'))!;
      const wrapper = byName(t, 'generate_content gemini-2.5-flash')[0];
      const sdk = t.spans.find((s) => s.parent === wrapper.id)!;
      assert.equal(usageOf(sdk).thoughts_tokens, reported(first).thoughtsTokenCount);
      const read = await productTrace(t.id);
      assert.deepEqual(read.filter((x) => x.call).map((x) => x.span.name), ['Models.generateContent', 'Models.generateContent', 'Models.generateContent'], 'only the SDK spans read as model calls');
      const second = read.find((x) => x.call && x.call.request.length === 3)!.call!;
      assert.deepEqual(outline(second), ['user:text', 'model:thought+functionCall', 'user:functionResponse']);
      assert.equal(second.system?.parts[0].kind, 'text');
      assert.ok(Array.isArray(second.tools) && second.tools.length >= 1);
    });
  });

  it('ADK through the synchronous Runner.run (its own thread): the caller\'s line, the same tree', async () => {
    const r = await runPyApp(standin, python, { file: 'adk_app.py', args: ['sync'], expected: 1 });
    assert.equal(r.traced.stdout, r.untraced.stdout);
    assertPyTraces(r);
    assert.deepEqual(shape(traceAt(r, 'sync')), adkWeather);
  });

  for (const when of ['before', 'after'] as const) {
    it(`ADK in an app that sets its own OpenTelemetry provider ${when} ADK loads: the app's exporter gets ADK's spans, MLflow the trace`, async () => {
      const r = await runPyApp(standin, python, { file: 'adk_provider_app.py', args: [when], expected: 1 });
      assert.equal(r.traced.stdout, r.untraced.stdout, 'the app sees its own provider and spans as untraced');
      assert.match(r.traced.stdout, /^the app's provider: True$/m);
      assert.match(r.traced.stdout, /^the app's exporter saw: .*invoke_agent root_agent/m);
      assert.equal(r.traced.stderr, r.untraced.stderr);
      assertPyTraces(r);
      assert.deepEqual(shape(traceAt(r, 'run')), adkWeather);
    });
  }

  it('ADK with content capture off: no prompts, tool arguments or answers; the tree and tokens stay', async () => {
    const experiment = uniqueName('py-fw-adk-nocontent');
    const file = join(pyApps, 'adk_app.py');
    const res = await runPy(python, file, ['sync'], tracedPyEnv(standin.url, { trackingUri: await mlflowUrl(), experiment, runId: 'nocontent', captureContent: false }));
    assert.equal(res.code, 0, res.stderr);
    const [t] = await traces(await experimentId(experiment), 1, 30_000, { settled: true });
    assert.deepEqual(shape(t), adkWeather);
    const text = JSON.stringify(t.spans.map((s) => s.attrs));
    for (const secret of ['Weather in Lima', 'echo:', 'One word for']) assert.ok(!text.includes(secret), `"${secret}" kept out`);
    assert.deepEqual(attr(byName(t, 'execute_tool weather')[0], 'mlflow.spanInputs'), {});
    assert.ok(t.spans.some((s) => usageOf(s)?.input_tokens > 0));
  });

  describe('LangChain and LangGraph: an agent, a graph, a stream, an async agent', () => {
    let r: PyAppRun;
    before(async () => {
      r = await runPyApp(standin, python, { file: 'langchain_app.py', expected: 4 });
    });

    it('leaves the app as it was; one trace per invocation, at its line, usage once per model call', () => {
      assert.equal(r.traced.stdout, r.untraced.stdout);
      assert.equal(r.traced.stderr, r.untraced.stderr);
      assertPyTraces(r);
    });

    it("writes the graph › node › chat model › SDK call and tool › the tool's own Gemini call", () => {
      assert.deepEqual(shape(traceAt(r, 'agent')), lcAgent(false));
      assert.deepEqual(shape(traceAt(r, 'async')), lcAgent(false));
      assert.deepEqual(shape(traceAt(r, 'graph')), lcAgent(true));
      assert.deepEqual(shape(traceAt(r, 'stream')), ['ChatGoogleGenerativeAI [CHAT_MODEL]', '  Models.generateContentStream [LLM]']);
      const agent = traceAt(r, 'agent');
      for (const s of agent.spans) assert.equal(s.attrs['code.lineno'], agent.roots[0].attrs['code.lineno'], `${s.name} points at the app's call`);
      const chat = byName(agent, 'ChatGoogleGenerativeAI')[0];
      assert.equal(chat.attrs['gemini_trace.model_call_below'], true);
      assert.equal(usageOf(chat), undefined, "the chat model's span leaves the usage to the SDK call under it");
      assert.equal(chat.attrs['mlflow.llm.model'], 'gemini-2.5-flash');
      assert.equal(chat.attrs['mlflow.llm.provider'], 'gemini');
      assert.equal(chat.attrs['gemini_trace.library'], 'langchain');
      assert.deepEqual(attr(chat, 'mlflow.spanInputs').messages.map((m: { role: string }) => m.role), ['system', 'user']);
      const tool = byName(agent, 'weather')[0];
      assert.equal(tool.attrs['gen_ai.tool.name'], 'weather');
      assert.deepEqual(attr(tool, 'mlflow.spanInputs'), { city: 'test' });
      assert.equal(attr(tool, 'mlflow.spanOutputs'), 'test: echo: One word for the weather in test');
    });

    it('the SDK span under the chat model is the model call: Gemini request, tools, thinking tokens', async () => {
      const agent = traceAt(r, 'agent');
      const first = r.calls.find((c) => c.method === 'generateContent' && c.body.contents.length === 1 && JSON.stringify(c.body).includes('Paris'))!;
      const chat = byName(agent, 'ChatGoogleGenerativeAI')[0];
      const sdk = agent.spans.find((s) => s.parent === chat.id)!;
      assert.equal(usageOf(sdk).thoughts_tokens, reported(first).thoughtsTokenCount);
      const read = (await productTrace(agent.id)).filter((x) => x.call);
      assert.deepEqual(read.map((x) => x.span.name), ['Models.generateContent', 'Models.generateContent', 'Models.generateContent'], 'two model turns and the tool\'s own call; no wrapper reads as a second one');
      const second = read.find((x) => x.call!.request.length === 3)!.call!;
      assert.deepEqual(outline(second), ['user:text', 'model:thought+functionCall', 'user:functionResponse']);
      assert.equal(second.system?.parts[0].kind, 'text');
      assert.ok(Array.isArray(second.tools) && second.tools.length === 1);
    });
  });

  describe('openai at an OpenAI-compatible endpoint', () => {
    let r: PyAppRun;
    before(async () => {
      r = await runPyApp(standin, python, { file: 'openai_app.py', expected: 5 });
    });

    it('leaves the app as it was; one span per call at its line, usage as the endpoint reported it', () => {
      assert.equal(r.traced.stdout, r.untraced.stdout);
      assert.equal(r.traced.stderr, r.untraced.stderr);
      assertPyTraces(r);
      for (const name of ['ask', 'answer', 'stream', 'streamNoUsage', 'fail']) assert.deepEqual(shape(traceAt(r, name)), ['Completions.create [CHAT_MODEL]']);
      const ask = traceAt(r, 'ask').roots[0];
      assert.deepEqual(usageOf(ask), { input_tokens: 11, output_tokens: 9, total_tokens: 20, cache_read_input_tokens: 5, thoughts_tokens: 8 });
      assert.equal(ask.attrs['mlflow.message.format'], 'openai.chat');
      assert.equal(ask.attrs['mlflow.llm.provider'], 'openai');
      assert.equal(ask.attrs['gen_ai.request.temperature'], 0.2);
      assert.equal(ask.attrs['gemini_trace.library'], 'openai');
      assert.equal(usageOf(traceAt(r, 'streamNoUsage').roots[0]), undefined, 'a stream without include_usage reports none');
      const streamed = r.calls.find((c) => c.method === 'chat.completions' && c.body.stream && c.body.stream_options)!;
      assert.equal(traceAt(r, 'stream').roots[0].attrs['gemini_trace.stream_chunks'], streamed.response.length, 'every chunk the endpoint sent');
      const fail = traceAt(r, 'fail');
      assert.equal(fail.state, 'ERROR');
      assert.equal(fail.roots[0].attrs['http.response.status_code'], 400);
    });

    it('reads as OpenAI chat model calls in the product: tool call, tool result, streamed answer', async () => {
      const answer = (await productTrace(traceAt(r, 'answer').id))[0].call!;
      assert.equal(answer.api, 'openai.chat');
      assert.deepEqual(outline(answer), ['user:text', 'assistant:functionCall', 'tool:functionResponse']);
      assert.equal(answer.system?.parts[0].kind, 'text');
      assert.equal(answer.responseText, 'get_weather returned {"city": "test", "forecast": "sunny"}');
      const stream = (await productTrace(traceAt(r, 'stream').id))[0].call!;
      assert.equal(stream.responseText, 'echo: Stream a short answer please');
      const quiet = (await productTrace(traceAt(r, 'streamNoUsage').id))[0].call!;
      assert.equal(quiet.responseText, 'echo: Stream without usage');
    });
  });

  describe('framework versions the tracer does not know: bare model-call spans, the app unchanged', () => {
    let shadow: string;
    before(() => {
      // Copies of ADK and langchain-core claiming a version we do not know, first on the app's path:
      // every entry a link to the installed package but its version module. Under a `site-packages`
      // folder, so their frames count as library code, as installed packages' do.
      shadow = join(mkdtempSync(join(tmpdir(), 'gt-fw-unknown-')), 'site-packages');
      const site = join(python, '..', '..', 'lib', readdirSync(join(python, '..', '..', 'lib')).find((d) => d.startsWith('python'))!, 'site-packages');
      const fake = (pkg: string, versionFile: string, text: string) => {
        const dir = join(shadow, pkg);
        mkdirSync(dir, { recursive: true });
        for (const e of readdirSync(join(site, pkg))) if (e !== versionFile && e !== '__pycache__') symlinkSync(join(site, pkg, e), join(dir, e));
        writeFileSync(join(dir, versionFile), text);
      };
      fake('google/adk', 'version.py', '__version__ = "9.0.0"\n');
      fake('langchain_core', 'version.py', 'VERSION = "9.0.0"\n');
    });
    after(() => rmSync(join(shadow, '..'), { recursive: true, force: true }));

    for (const [file, expected] of [['adk_app.py', 5], ['langchain_app.py', 10]] as const) {
      it(file, async () => {
        const r = await runPyApp(standin, python, { file, expected, extra: { PYTHONPATH: shadow }, pythonPath: shadow });
        assert.equal(r.traced.stdout, r.untraced.stdout);
        assert.equal(r.traced.stderr, r.untraced.stderr);
        assert.deepEqual(new Set(r.traces.map((t) => shape(t).join('|'))), new Set(file === 'adk_app.py' ? ['Models.generateContent [LLM]'] : ['Models.generateContent [LLM]', 'Models.generateContentStream [LLM]']));
        assert.equal(r.traces.length, r.calls.filter((c) => c.method === 'generateContent' || c.method === 'streamGenerateContent').length);
      });
    }
  });

  it('a google-genai app that uses no framework loads none of their support, nor OpenTelemetry', async () => {
    const experiment = uniqueName('py-fw-none');
    const res = await runPy(python, join(pyApps, 'no_framework_app.py'), [], tracedPyEnv(standin.url, { trackingUri: await mlflowUrl(), experiment, runId: 'none' }));
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^loaded: \[\]$/m);
    assert.equal((await traces(await experimentId(experiment), 1, 30_000)).length, 1);
  });
});
