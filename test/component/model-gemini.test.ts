// Gemini extraction on what the two SDKs really record:
//  - Python: mlflow.gemini.autolog() spans written by the real SDK through the Gemini stand-in
//    into a real MLflow, read back over REST (snake_case model_dump outputs);
//  - Node: the real @google/genai client's params and GenerateContentResponse JSON (camelCase), as
//    the preload records them, carried through the TypeScript-SDK encoding.
import assert from 'node:assert/strict';
import { GoogleGenAI } from '@google/genai';
import type { GenerateContentParameters } from '@google/genai';
import { MlflowClient } from '../../src/mlflow/client';
import { extractGemini } from '../../src/model/gemini';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { GeminiCall, Span, Trace } from '../../src/model/types';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { sharedSeed } from '../helpers/seed';
import type { SharedSeed } from '../helpers/seed';

const MODEL = 'gemini-2.5-flash';

async function load(seed: SharedSeed, traceId: string): Promise<Trace> {
  const full = await new MlflowClient({ trackingUri: seed.mlflowUrl }).getTrace(traceId);
  const t = normalizeTrace({ info: full.info, spans: full.data.spans });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  assert.deepEqual(t.warnings, []);
  return t;
}

function gem(s: Span | undefined): GeminiCall {
  assert.ok(s, 'span');
  const g = extractGemini(s);
  assert.ok(g, `${s.name} is a Gemini call`);
  return g;
}

/** A span as the Node preload records a call (TypeScript-SDK encoding: values already parsed). */
function nodeSpan(name: string, inputs: unknown, outputs: unknown, extra: Record<string, unknown> = {}): Span {
  const t = normalizeTrace({
    info: { trace_id: 'tr-0123456789abcdef0123456789abcdef' },
    spans: [{
      trace_id: 'ASNFZ4mrze8BI0VniavN7w==', span_id: 'ESIzRFVmd4g=', parent_span_id: '', name,
      start_time_unix_nano: 1795200000000000000n, end_time_unix_nano: 1795200000500000000n,
      status: { code: 'STATUS_CODE_OK', message: '' },
      attributes: { 'mlflow.spanType': 'LLM', 'mlflow.spanInputs': inputs, 'mlflow.spanOutputs': JSON.parse(JSON.stringify(outputs)), ...extra },
      events: [], links: [],
    }],
  });
  assert.ok(!isTraceError(t));
  return t.roots[0];
}

describe('Gemini extraction', function () {
  this.timeout(300_000);

  describe('from mlflow.gemini.autolog() traces (real Python SDK → real MLflow)', () => {
    let seed: SharedSeed;
    before(async () => {
      seed = await sharedSeed();
    });

    it('generate_content: prompt, system instruction, config, thinking, response, usage with thoughts and cache', async () => {
      const t = await load(seed, seed.store.traces.gemini_generate!.trace_id);
      assert.deepEqual(t.spans.map((s) => [s.name, s.type, s.depth]), [['Models.generate_content', 'LLM', 0], ['Models._generate_content', 'LLM', 1]]);
      const s = t.roots[0];
      const g = gem(s);
      assert.equal(g.model, MODEL);
      assert.equal(g.promptText, 'Name three rivers [[think]] [[cached]]');
      assert.deepEqual(g.contents, [{ role: 'user', parts: [{ kind: 'text', text: 'Name three rivers [[think]] [[cached]]' }] }]);
      assert.deepEqual(g.systemInstruction, { role: 'system', parts: [{ kind: 'text', text: 'Answer briefly' }] });
      assert.deepEqual(g.config, { temperature: 0.2 }, 'nulls and plumbing (http_options) dropped');
      assert.equal(g.responseText, 'echo: Name three rivers');
      assert.match(g.thinking, /Name three rivers/);
      assert.equal(g.candidates[0].finishReason, 'STOP');
      // Usage against the response's own usage_metadata in the span.
      const meta = (s.outputs as { usage_metadata: Record<string, number> }).usage_metadata;
      assert.ok(meta.thoughts_token_count > 0 && meta.cached_content_token_count > 0);
      const want = {
        input: meta.prompt_token_count,
        output: meta.candidates_token_count + meta.thoughts_token_count,
        total: meta.total_token_count,
        cached: meta.cached_content_token_count,
        thinking: meta.thoughts_token_count,
      };
      assert.deepEqual(s.usage, want);
      assert.deepEqual(g.usage, want);
      assert.deepEqual(t.usage, want, 'parent and child record the same call: counted once');
      assert.ok(s.cost && s.cost.total > 0, 'MLflow priced the call');
    });

    it('chat: the Chat.send_message span and the history its model call carries', async () => {
      const seeded = seed.store.traces.gemini_chat!;
      const t = await load(seed, seeded.trace_id);
      assert.deepEqual(t.spans.map((s) => s.name), ['Chat.send_message', 'Models.generate_content', 'Models._generate_content']);
      const chat = gem(t.roots[0]);
      assert.equal(t.roots[0].type, 'CHAT_MODEL');
      assert.equal(chat.model, MODEL, 'from mlflow.llm.model: a chat span has no model input');
      assert.equal(chat.promptText, 'And again');
      assert.equal(chat.responseText, 'echo: And again');
      const inner = gem(t.spans[2]);
      assert.deepEqual(inner.contents.map((c) => [c.role, c.parts.map((p) => (p.kind === 'text' ? p.text : p.kind))]), [
        ['user', ['Hello chat']], ['model', ['echo: Hello chat']], ['user', ['And again']],
      ]);
      assert.equal(inner.promptText, 'Hello chat\n\necho: Hello chat\n\nAnd again');
      const first = await load(seed, seeded.first_turn!.trace_id);
      assert.equal(gem(first.roots[0]).responseText, 'echo: Hello chat');
    });

    it('function calling (automatic): tool declarations, the call, its response, and usage of both rounds', async () => {
      const t = await load(seed, seed.store.traces.gemini_function!.trace_id);
      const [root, round1, round2] = t.spans;
      assert.deepEqual([root.depth, round1.depth, round2.depth], [0, 1, 1]);
      const g = gem(root);
      assert.equal(g.functionCalls.length, 1);
      assert.equal(g.functionCalls[0].name, 'get_weather');
      assert.deepEqual(g.functionResponses, [{ name: 'get_weather', response: { result: `sunny in ${(g.functionCalls[0].args as { city: string }).city}` } }]);
      const tools = g.tools as { function: { name: string; description: string } }[];
      assert.equal(tools[0].function.name, 'get_weather', 'declarations from mlflow.chat.tools, not "<function …>"');
      assert.equal(tools[0].function.description, 'Returns the weather in a city.');
      const r1 = gem(round1);
      assert.equal(r1.responseText, '');
      assert.deepEqual(r1.functionCalls.map((c) => c.name), ['get_weather']);
      const r2 = gem(round2);
      assert.deepEqual(r2.contents.map((c) => c.role), ['user', 'model', 'user']);
      assert.deepEqual(r2.functionResponses.map((c) => c.name), ['get_weather']);
      assert.equal(r2.responseText, g.responseText);
      // The parent records only the last round; both rounds were spent.
      assert.equal(t.usage.total, round1.usage!.total + round2.usage!.total);
      assert.ok(t.usage.total > root.usage!.total);
    });

    it('inline data: mime type, byte size and where the bytes went (MLflow moved them to an attachment)', async () => {
      const seeded = seed.store.traces.gemini_inline!;
      const t = await load(seed, seeded.trace_id);
      const g = gem(t.roots[0]);
      const image = g.contents[0].parts[0] as { attachment?: string };
      assert.match(image.attachment ?? '', new RegExp(`^mlflow-attachment://[0-9a-f-]{36}\\?content_type=image%2Fpng&trace_id=${seeded.trace_id}&size=${seeded.inline_bytes}$`));
      assert.deepEqual(g.contents[0].parts, [{ kind: 'inlineData', mimeType: 'image/png', bytes: seeded.inline_bytes, attachment: image.attachment }, { kind: 'text', text: 'Describe it' }]);
      assert.equal(g.promptText, `[image/png, ${seeded.inline_bytes} bytes]\nDescribe it`);
    });
  });

  describe('from @google/genai shapes (real JS client against the stand-in)', () => {
    let s: Standin;
    let ai: GoogleGenAI;
    before(async () => {
      s = await startStandin();
      ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: s.url } });
    });
    after(() => s.close());

    async function call(params: GenerateContentParameters): Promise<GeminiCall> {
      const r = await ai.models.generateContent(params);
      return gem(nodeSpan('models.generateContent', params, r));
    }

    it('contents as a string, a list of strings, a Content, a list of Contents, parts', async () => {
      const shapes: [GenerateContentParameters['contents'], string][] = [
        ['plain string', 'plain string'],
        [['first', 'second'], 'first\nsecond'],
        [{ role: 'user', parts: [{ text: 'one content' }] }, 'one content'],
        [[{ role: 'user', parts: [{ text: 'turn 1' }] }, { role: 'model', parts: [{ text: 'reply 1' }] }, { role: 'user', parts: [{ text: 'turn 2' }] }], 'turn 1\n\nreply 1\n\nturn 2'],
        [[{ text: 'part a' }, { text: 'part b' }], 'part a\npart b'],
      ];
      for (const [contents, promptText] of shapes) {
        const g = await call({ model: MODEL, contents });
        assert.equal(g.promptText, promptText, JSON.stringify(contents));
        assert.ok(g.responseText.startsWith('echo: '), g.responseText);
        assert.equal(g.model, MODEL);
        assert.ok(g.usage && g.usage.total > 0, 'usage from usageMetadata when no MLflow attribute');
      }
    });

    it('thinking, system instruction, config, function calls, inline data', async () => {
      const g = await call({
        model: MODEL,
        contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/jpeg', data: Buffer.alloc(300).toString('base64') } }, { text: 'look [[call:find_item]]' }] }],
        config: {
          systemInstruction: { parts: [{ text: 'sys' }] },
          thinkingConfig: { thinkingBudget: 64, includeThoughts: true },
          tools: [{ functionDeclarations: [{ name: 'find_item', parameters: { type: 'OBJECT' as never, properties: { q: { type: 'STRING' as never } } } }] }],
        },
      });
      assert.deepEqual(g.contents[0].parts[0], { kind: 'inlineData', mimeType: 'image/jpeg', bytes: 300, data: Buffer.alloc(300).toString('base64') });
      assert.deepEqual(g.systemInstruction, { role: 'system', parts: [{ kind: 'text', text: 'sys' }] });
      assert.deepEqual(g.config, { thinkingConfig: { thinkingBudget: 64, includeThoughts: true } });
      assert.equal((g.tools as { functionDeclarations: { name: string }[] }[])[0].functionDeclarations[0].name, 'find_item');
      assert.deepEqual(g.functionCalls.map((c) => c.name), ['find_item']);
      assert.ok(g.thinking.length > 0, 'a thought part');
      assert.ok(g.usage && g.usage.thinking > 0 && g.usage.output >= g.usage.thinking);
      assert.equal(g.usage.total, g.usage.input + g.usage.output);
    });

    it('a function response sent back', async () => {
      const g = await call({
        model: MODEL,
        contents: [
          { role: 'user', parts: [{ text: 'weather? [[call:w]]' }] },
          { role: 'model', parts: [{ functionCall: { name: 'w', args: { city: 'Oslo' }, id: 'c1' } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'w', response: { temp: 3 }, id: 'c1' } }] },
        ],
      });
      assert.deepEqual(g.functionResponses, [{ name: 'w', response: { temp: 3 }, id: 'c1' }]);
      assert.deepEqual(g.functionCalls, [], 'calls in the request history are not this response\'s calls');
      assert.match(g.promptText, /\[function call w\(\{"city":"Oslo"\}\)\]\n\n\[function response w: \{"temp":3\}\]/);
    });

    it('a stream recorded as its chunks is merged into one response', async () => {
      const chunks: unknown[] = [];
      for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: 'stream these words please' })) chunks.push(c);
      assert.ok(chunks.length >= 3);
      const g = gem(nodeSpan('models.generateContentStream', { model: MODEL, contents: 'stream these words please' }, chunks));
      assert.equal(g.responseText, 'echo: stream these words please');
      assert.equal(g.candidates.length, 1);
      assert.equal(g.candidates[0].finishReason, 'STOP');
      assert.ok(g.usage && g.usage.total > 0);
    });

    it('chat.sendMessage({message})', async () => {
      const chat = ai.chats.create({ model: MODEL });
      const r = await chat.sendMessage({ message: 'hi from chat' });
      const g = gem(nodeSpan('chats.sendMessage', { message: 'hi from chat' }, r, { 'mlflow.llm.model': MODEL, 'mlflow.message.format': 'gemini' }));
      assert.equal(g.promptText, 'hi from chat');
      assert.equal(g.responseText, 'echo: hi from chat');
      assert.equal(g.model, MODEL);
    });

    it('is undefined for spans that are not Gemini calls', () => {
      assert.equal(extractGemini(nodeSpan('lookup', { q: 1 }, { ok: true })), undefined);
    });
  });
});
