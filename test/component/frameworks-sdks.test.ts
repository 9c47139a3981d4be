// The legacy Gemini SDK (@google/generative-ai) and the openai SDK (an OpenAI-compatible
// chat-completions endpoint), driven by their real packages (test/fixtures/framework-apps/sdks,
// installed on first use) against the stand-in, traced by the Node preload into a real MLflow.
import assert from 'node:assert/strict';
import { assertTraces, attr, outline, productTrace, reported, runApp, shape, traceAt, usageOf } from '../helpers/frameworkRun';
import type { AppRun } from '../helpers/frameworkRun';
import { preloadBed } from '../helpers/runApp';

describe('Node preload: the legacy Gemini SDK and the openai SDK', function () {
  this.timeout(300_000);
  const bed = preloadBed('gt-fw-sdks-');

  // Node 24 hooks ES modules in the app's own thread, where import-in-the-middle's part is loaded
  // only when the app first imports a module it hooks (src/inject/node/esmSyncHooks.ts): the
  // legacy SDK is one.
  it('@google/generative-ai in an ES module app on Node 24 (in-thread hooks): traced the same', async () => {
    const { ensureNode } = await import('../../scripts/lib/node-versions.mjs');
    const r = await runApp(bed, { app: 'sdks', file: 'legacy.mjs', expected: 9, node: (await ensureNode(24)).bin });
    assert.equal(r.traced.stdout, r.untraced.stdout);
    assert.equal(r.traced.stderr, '');
    assertTraces(r);
    assert.deepEqual(shape(traceAt(r, 'chat')), ['Chat.sendMessage [CHAT_MODEL]', '  Models.generateContent [LLM]']);
  });

  describe('@google/generative-ai 0.24.1 (ES module app)', () => {
    let r: AppRun;
    before(async () => {
      r = await runApp(bed, { app: 'sdks', file: 'legacy.mjs', expected: 9 });
    });

    it('leaves the app as it was and traces each call once, at its line, usage once per model call', () => {
      assert.equal(r.traced.stdout, r.untraced.stdout);
      assert.equal(r.traced.stderr, '');
      assertTraces(r);
    });

    it('writes @google/genai\'s span shapes: generate, stream, chat turns over their round trip, embeddings, token counts', () => {
      assert.deepEqual(shape(traceAt(r, 'generate')), ['Models.generateContent [LLM]']);
      assert.deepEqual(shape(traceAt(r, 'stream')), ['Models.generateContentStream [LLM]']);
      assert.deepEqual(shape(traceAt(r, 'chat')), ['Chat.sendMessage [CHAT_MODEL]', '  Models.generateContent [LLM]']);
      assert.deepEqual(shape(traceAt(r, 'chatStream')), ['Chat.sendMessageStream [CHAT_MODEL]', '  Models.generateContentStream [LLM]']);
      assert.deepEqual(shape(traceAt(r, 'embed')), ['Models.embedContent [EMBEDDING]']);
      assert.deepEqual(shape(traceAt(r, 'batchEmbed')), ['Models.embedContent [EMBEDDING]']);
      assert.deepEqual(shape(traceAt(r, 'count')), ['Models.countTokens [LLM]']);
      for (const t of r.traces) for (const s of t.spans) assert.equal(s.attrs['gemini_trace.library'], '@google/generative-ai');

      const gen = traceAt(r, 'generate').roots[0];
      const inputs = attr(gen, 'mlflow.spanInputs');
      assert.equal(inputs.model, 'gemini-2.5-flash');
      assert.deepEqual(inputs.contents, [{ role: 'user', parts: [{ text: 'Say hello to the legacy SDK [[think]] [[cached]]' }] }]);
      assert.equal(inputs.config.temperature, 0.3);
      assert.deepEqual(inputs.config.systemInstruction, { role: 'system', parts: [{ text: 'Answer briefly.' }] });
      assert.equal(gen.attrs['gen_ai.request.temperature'], 0.3);
      assert.equal(gen.attrs['mlflow.message.format'], 'gemini');
      const call = r.calls.find((c) => JSON.stringify(c.body).includes('legacy SDK'))!;
      const usage = usageOf(gen)!;
      assert.equal(usage.thoughts_tokens, reported(call).thoughtsTokenCount);
      assert.equal(usage.cache_read_input_tokens, reported(call).cachedContentTokenCount);

      const stream = traceAt(r, 'stream').roots[0];
      assert.ok(Number(stream.attrs['gemini_trace.time_to_first_chunk_ms']) > 0);
      assert.equal(attr(stream, 'mlflow.spanOutputs').candidates[0].content.parts[0].text, 'echo: Stream a short answer please');

      const batch = attr(traceAt(r, 'batchEmbed').roots[0], 'mlflow.spanInputs');
      assert.equal(batch.contents.length, 2);
      assert.equal(attr(traceAt(r, 'embed').roots[0], 'mlflow.spanOutputs').embeddings[0].values.length, 8);

      const fail = traceAt(r, 'fail').roots[0];
      assert.equal(fail.status, 'STATUS_CODE_ERROR');
    });

    it('reads as Gemini model calls in the product: the chat turn answering a function call, thinking and cached tokens', async () => {
      // The chat turn's round trip (the turn's own span reads as a model call of the new message).
      const answer = (await productTrace(traceAt(r, 'chatAnswer').id)).find((x) => x.span.name === 'Models.generateContent')!;
      assert.equal(answer.call!.api, 'gemini.generateContent');
      assert.deepEqual(outline(answer.call!), ['user:text', 'model:functionCall', 'function:functionResponse']);
      assert.ok(answer.call!.tools, 'the function declarations offered');
      const gen = (await productTrace(traceAt(r, 'generate').id)).find((x) => x.call)!;
      assert.equal(gen.call!.system?.parts[0].kind, 'text');
      assert.ok(gen.call!.usage!.thinking > 0 && gen.call!.usage!.cached > 0, JSON.stringify(gen.call!.usage));
    });
  });

  describe('openai 6.49.0 against an OpenAI-compatible endpoint', () => {
    let r: AppRun;
    before(async () => {
      r = await runApp(bed, { app: 'sdks', file: 'openai.mjs', expected: 5 });
    });

    it('leaves the app as it was and traces each completion once, with the reply\'s usage', () => {
      assert.equal(r.traced.stdout, r.untraced.stdout);
      assert.equal(r.traced.stderr, '');
      assertTraces(r);
      for (const name of ['ask', 'answer', 'stream', 'streamNoUsage', 'fail']) assert.deepEqual(shape(traceAt(r, name)), ['Completions.create [CHAT_MODEL]']);
      const ask = traceAt(r, 'ask').roots[0];
      assert.equal(ask.attrs['mlflow.message.format'], 'openai.chat');
      assert.equal(ask.attrs['mlflow.llm.model'], 'gemini-2.5-flash');
      assert.equal(ask.attrs['mlflow.llm.provider'], 'openai');
      assert.equal(ask.attrs['gemini_trace.library'], 'openai');
      assert.equal(ask.attrs['gen_ai.request.temperature'], 0.2);
      const usage = usageOf(ask)!;
      const sent = reported(r.calls.find((c) => c.method === 'chat.completions' && JSON.stringify(c.body).includes('Paris') && c.body.messages.length === 2)!);
      assert.deepEqual(usage, { input_tokens: sent.prompt_tokens, output_tokens: sent.completion_tokens, total_tokens: sent.total_tokens, cache_read_input_tokens: sent.prompt_tokens_details.cached_tokens, thoughts_tokens: sent.completion_tokens_details.reasoning_tokens });
      assert.equal(usageOf(traceAt(r, 'streamNoUsage').roots[0]), undefined, 'a stream reports usage only when asked');
      assert.equal(traceAt(r, 'fail').roots[0].status, 'STATUS_CODE_ERROR');
    });

    it('reads as OpenAI chat model calls in the product, streams assembled', async () => {
      const answer = (await productTrace(traceAt(r, 'answer').id))[0].call!;
      assert.equal(answer.api, 'openai.chat');
      assert.deepEqual(outline(answer), ['user:text', 'assistant:functionCall', 'tool:functionResponse']);
      assert.equal(answer.system?.parts[0].kind, 'text');
      const stream = (await productTrace(traceAt(r, 'stream').id))[0].call!;
      assert.equal(stream.responseText, 'echo: Stream a short answer please');
      assert.ok(stream.usage && stream.usage.total > 0);
    });
  });
});
