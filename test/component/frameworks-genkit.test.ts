// Genkit with its Google GenAI plugin: a flow whose generate call runs a tool that makes its own
// @google/genai call, a generate call outside any flow, and a streamed one, against the stand-in,
// read from a real MLflow. Genkit's own OpenTelemetry spans, mirrored by the preload.
import assert from 'node:assert/strict';
import { assertTraces, attr, outline, productTrace, reported, runApp, shape, traceAt, usageOf } from '../helpers/frameworkRun';
import type { AppRun } from '../helpers/frameworkRun';
import { preloadBed } from '../helpers/runApp';
import { markedLine } from '../helpers/traceView';

describe('Node preload: Genkit', function () {
  this.timeout(600_000);
  const bed = preloadBed('gt-fw-genkit-');
  let r: AppRun;
  before(async () => {
    r = await runApp(bed, { app: 'genkit', file: 'app.mjs', expected: 3 });
  });

  it('leaves the app as it was; one trace per flow or generate call, usage once per model call', () => {
    assert.equal(r.traced.stdout, r.untraced.stdout);
    assert.equal(r.traced.stderr, '');
    assertTraces(r);
  });

  it('writes Genkit\'s tree: flow › generate › model and tool (the tool\'s own Gemini call nested) › the tool loop\'s generate', () => {
    assert.deepEqual(shape(traceAt(r, 'flow')), [
      'weatherFlow [AGENT]',
      '  generate [CHAIN]',
      '    googleai/gemini-2.5-flash [CHAT_MODEL]',
      '    weather [TOOL]',
      '      Models.generateContent [LLM]',
      '    generate [CHAIN]',
      '      googleai/gemini-2.5-flash [CHAT_MODEL]',
    ]);
    assert.deepEqual(shape(traceAt(r, 'generate')), ['generate [CHAIN]', '  googleai/gemini-2.5-flash [CHAT_MODEL]']);
    assert.deepEqual(shape(traceAt(r, 'stream')), ['generate [CHAIN]', '  googleai/gemini-2.5-flash [CHAT_MODEL]']);
    // Inner spans point at the app's line that made them: the generate call inside the flow.
    const flow = traceAt(r, 'flow');
    const inner = markedLine(r.file, 'flowGenerate');
    for (const s of flow.spans) if (s !== flow.roots[0]) assert.equal(s.attrs['code.lineno'], inner, `${s.name} at the flow's generate call`);
    const tool = flow.spans.find((s) => s.name === 'weather')!;
    assert.deepEqual(attr(tool, 'mlflow.spanInputs'), { city: 'test' });
    assert.equal(flow.roots[0].attrs['gemini_trace.library'], 'genkit');
  });

  it('makes each model action a Gemini model call: the request translated, Gemini\'s response and usage', async () => {
    const flow = traceAt(r, 'flow');
    const models = flow.spans.filter((s) => s.name === 'googleai/gemini-2.5-flash').sort((a, b) => (a.start < b.start ? -1 : 1));
    const sent = r.calls.filter((c) => c.method === 'generateContent' && JSON.stringify(c.body).includes('What is the weather in Paris'));
    models.forEach((m, i) => {
      const u = reported(sent[i]);
      assert.deepEqual(usageOf(m), { input_tokens: u.promptTokenCount, output_tokens: u.candidatesTokenCount, total_tokens: u.totalTokenCount, thoughts_tokens: u.thoughtsTokenCount });
      assert.equal(m.attrs['mlflow.message.format'], 'gemini');
      assert.equal(m.attrs['mlflow.llm.model'], 'gemini-2.5-flash');
      assert.equal(m.attrs['gen_ai.request.temperature'], 0.3);
    });
    for (const s of flow.spans.filter((x) => x.name === 'generate')) assert.equal(usageOf(s), undefined, 'Genkit repeats usage on generate: not written there');
    const read = (await productTrace(flow.id)).filter((x) => x.call && x.span.name === 'googleai/gemini-2.5-flash');
    const second = read.map((x) => x.call!).find((c) => c.request.length === 3)!;
    assert.equal(second.api, 'gemini.generateContent');
    assert.deepEqual(outline(second), ['user:text', 'model:thought+functionCall', 'user:functionResponse']);
    assert.equal(second.system?.parts[0].kind, 'text');
    assert.ok(Array.isArray(second.tools) && second.tools.length === 1);
    const cached = (await productTrace(traceAt(r, 'generate').id)).find((x) => x.call)!.call!;
    assert.ok(cached.usage!.cached > 0);
  });
});
