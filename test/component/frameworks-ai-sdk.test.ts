// The Vercel AI SDK, both majors a Gemini app meets: AI SDK 6 (what npm installs on Node 20; traced
// through its own OpenTelemetry on our tracer), as an ES module and through require(), and AI SDK 7
// (Node >= 22, run on the pinned Node 22 from scripts/lib/node-versions.mjs; traced through its
// telemetry integrations). The same app (test/fixtures/framework-apps/ai-sdk/app.mjs) against the
// stand-in, its traces read from a real MLflow: the same span tree and shapes for both majors.
import assert from 'node:assert/strict';
import { assertTraces, attr, outline, productTrace, reported, runApp, shape, traceAt, usageOf } from '../helpers/frameworkRun';
import type { AppRun } from '../helpers/frameworkRun';
import { preloadBed } from '../helpers/runApp';

const AGENT = ['ai.generateText [AGENT]', '  ai.generateText.doGenerate [CHAT_MODEL]', '  ai.toolCall [TOOL]', '    Models.generateContent [LLM]', '  ai.generateText.doGenerate [CHAT_MODEL]'];
/** Node's warnings carry the process id. */
const sameStderr = (a: string, b: string) => assert.equal(a.replace(/\(node:\d+\)/g, ''), b.replace(/\(node:\d+\)/g, ''));

describe('Node preload: the Vercel AI SDK', function () {
  this.timeout(600_000);
  const bed = preloadBed('gt-fw-ai-sdk-');

  const majors: Array<{ label: string; app: string; node?: () => Promise<string> }> = [
    { label: 'ai 6.0.333 (Node 20)', app: 'ai-sdk/v6' },
    {
      label: 'ai 7.0.173 (Node 22)',
      app: 'ai-sdk/v7',
      node: async () => {
        const { ensureNode } = await import('../../scripts/lib/node-versions.mjs');
        return (await ensureNode(22)).bin;
      },
    },
  ];

  for (const major of majors) {
    describe(major.label, () => {
      let r: AppRun;
      before(async () => {
        r = await runApp(bed, { app: major.app, file: 'app.mjs', expected: 4, node: await major.node?.() });
      });

      it('leaves the app as it was; one trace per call, at its line, usage once per model call', () => {
        assert.equal(r.traced.stdout, r.untraced.stdout);
        sameStderr(r.traced.stderr, r.untraced.stderr);
        assertTraces(r);
      });

      it('writes the SDK\'s own tree: the run › its model calls and tools, the tool\'s own Gemini call nested', () => {
        assert.deepEqual(shape(traceAt(r, 'agent')), AGENT);
        assert.deepEqual(shape(traceAt(r, 'toolLoop')), AGENT);
        assert.deepEqual(shape(traceAt(r, 'stream')), ['ai.streamText [CHAIN]', '  ai.streamText.doStream [CHAT_MODEL]']);
        assert.deepEqual(shape(traceAt(r, 'object')), ['ai.generateObject [CHAIN]', '  ai.generateObject.doGenerate [CHAT_MODEL]']);
        const agent = traceAt(r, 'agent');
        for (const s of agent.spans) assert.equal(s.attrs['code.lineno'], agent.roots[0].attrs['code.lineno'], `${s.name} points at the app's call`);
        const tool = agent.spans.find((s) => s.name === 'ai.toolCall')!;
        assert.equal(tool.attrs['ai.toolCall.name'], 'weather');
        assert.deepEqual(attr(tool, 'mlflow.spanInputs'), { city: 'test' });
        assert.equal(attr(tool, 'mlflow.spanOutputs').forecast, 'echo: One word for the weather in test');
        assert.equal(agent.roots[0].attrs['mlflow.llm.model'], 'gemini-2.5-flash');
        assert.equal(agent.roots[0].attrs['gemini_trace.library'], 'ai');
      });

      it('gives each model call Gemini\'s own usage (thinking, cached) and the conversation as the product reads it', async () => {
        const agent = traceAt(r, 'agent');
        const models = agent.spans.filter((s) => s.name === 'ai.generateText.doGenerate').sort((a, b) => (a.start < b.start ? -1 : 1));
        const sent = r.calls.filter((c) => c.method === 'generateContent' && JSON.stringify(c.body).includes('What is the weather in Paris'));
        assert.equal(sent.length, 2);
        models.forEach((m, i) => {
          const u = reported(sent[i]);
          assert.deepEqual(usageOf(m), { input_tokens: u.promptTokenCount, output_tokens: u.candidatesTokenCount, total_tokens: u.totalTokenCount, cache_read_input_tokens: u.cachedContentTokenCount, thoughts_tokens: u.thoughtsTokenCount });
        });
        const read = await productTrace(agent.id);
        const second = read.filter((x) => x.span.name === 'ai.generateText.doGenerate')[1].call!;
        assert.equal(second.api, 'ai-sdk');
        assert.equal(second.system?.parts[0].kind, 'text');
        assert.deepEqual(outline(second), ['user:text', 'assistant:thought+functionCall', 'tool:functionResponse']);
        assert.ok(Array.isArray(second.tools) && second.tools.length === 1, 'the tool offered');
        assert.equal(second.config.temperature, 0.3);
        assert.ok(second.usage!.thinking > 0 && second.usage!.cached > 0, JSON.stringify(second.usage));
        const stream = (await productTrace(traceAt(r, 'stream').id)).find((x) => x.span.name === 'ai.streamText.doStream')!.call!;
        assert.equal(stream.responseText, 'echo: Stream a short answer please');
      });
    });
  }

  it('ai 6 through require(): the same tree from the CommonJS build', async () => {
    const r = await runApp(bed, { app: 'ai-sdk/v6', file: 'app.cjs', expected: 1 });
    assert.equal(r.traced.stdout, r.untraced.stdout);
    assertTraces(r);
    assert.deepEqual(shape(traceAt(r, 'agent')), ['ai.generateText [AGENT]', '  ai.generateText.doGenerate [CHAT_MODEL]', '  ai.toolCall [TOOL]', '  ai.generateText.doGenerate [CHAT_MODEL]']);
  });
});
