// The preload's framework hooks in isolation, against what a framework version we never saw could
// hand them: exports without the expected classes, events of other shapes, spans of another SDK.
// Nothing may throw or change what the app gets. And the pure mappings they use (Genkit's request as
// Gemini's, LangChain's messages as plain and GenAI messages, the AI SDK's usage).
import assert from 'node:assert/strict';
import type { Attributes } from '@opentelemetry/api';
import { setRuntime } from '../../src/inject/node/calls';
import { readConfig } from '../../src/inject/node/config';
import { aiSdk6Definition } from '../../src/inject/node/frameworks/aiSdk6';
import { integration } from '../../src/inject/node/frameworks/aiSdk7';
import { modelUsage, roleOf, spanTypeOf } from '../../src/inject/node/frameworks/aiSdkShape';
import { genkitDefinition, wrapGenkitProvider } from '../../src/inject/node/frameworks/genkit';
import { installAiSdkIntegration, watchGenkit } from '../../src/inject/node/frameworks/globalHooks';
import { geminiRequest, modelCall } from '../../src/inject/node/frameworks/genkitShape';
import { langchainDefinitions } from '../../src/inject/node/frameworks/langchain';
import { handler } from '../../src/inject/node/frameworks/langchainRuns';
import { genAiMessages, messageDict, plain } from '../../src/inject/node/frameworks/langchainValues';
import { legacySdkDefinition } from '../../src/inject/node/legacy';
import { openaiDefinition } from '../../src/inject/node/openai';

type Patch = (exports: unknown, version?: string) => unknown;
type Defn = { patch?: Patch; files: Array<{ patch: Patch }> };

describe('Node preload framework hooks: what an unknown version could hand them', () => {
  before(() => {
    // Tracing on, exporting nowhere (an unusable URI fails every export at once, quietly here).
    setRuntime({ cfg: readConfig({ MLFLOW_TRACKING_URI: 'file:///nowhere' }), warn: () => undefined });
  });

  it('module patches return exports they cannot use unchanged, and never throw', () => {
    const defs = [legacySdkDefinition(), openaiDefinition(), aiSdk6Definition(), genkitDefinition(), ...langchainDefinitions()] as unknown as Defn[];
    const odd: unknown[] = [{}, { GenerativeModel: 5, ChatSession: null }, { OpenAI: { Chat: { Completions: 'x' } } }, { default: Object.freeze({}) }, { Genkit: class {} }, { CallbackManager: {} }, { ChatGoogleGenerativeAI: 1 }, { generateText: 'not a function' }];
    for (const d of defs) {
      for (const patch of [d.patch, ...d.files.map((f) => f.patch)]) {
        if (!patch) continue;
        for (const exports of odd) assert.equal(patch(exports, '0.0.1'), exports);
      }
    }
  });

  it('AI SDK 7 integration: on the global list once, not enumerable; odd events are ignored; execute wrappers pass values and errors through', async () => {
    installAiSdkIntegration(() => integration);
    installAiSdkIntegration(() => integration);
    const list = (globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: Array<Record<string, (e: unknown) => unknown>> }).AI_SDK_TELEMETRY_INTEGRATIONS!;
    assert.equal(list.length, 1);
    assert.ok(!Object.keys(globalThis).includes('AI_SDK_TELEMETRY_INTEGRATIONS'));
    const i = list[0];
    for (const key of Object.keys(i)) {
      if (key.startsWith('execute')) continue;
      for (const e of [undefined, null, 5, {}, { callId: 7 }, { callId: 'c', operationId: {} }, { callId: 'nope', content: 'x', usage: 'y', toolOutput: 3 }]) assert.doesNotThrow(() => i[key](e), key);
    }
    // A v6-shaped start event (no call id) is AI SDK 6's: left to its own hook.
    assert.doesNotThrow(() => i.onStart({ model: { provider: 'google', modelId: 'm' }, prompt: 'hi' }));
    // A whole call with odd payloads still ends cleanly.
    i.onStart({ callId: 'c1', operationId: 'ai.generateText', tools: { t: {} }, messages: 'not a list' });
    i.onLanguageModelCallStart({ callId: 'c1', messages: [{ role: 'user', content: 5 }], tools: 'x' });
    assert.equal(await i.executeLanguageModelCall({ callId: 'c1', execute: async () => 'model result' }), 'model result');
    i.onLanguageModelCallEnd({ callId: 'c1', content: [{ type: 'strange' }], usage: { raw: 'not usage' } });
    i.onToolExecutionStart({ callId: 'c1', toolCall: { toolCallId: 't1', toolName: 'x' } });
    const boom = new Error('tool failed');
    await assert.rejects(Promise.resolve(i.executeTool({ callId: 'c1', toolCallId: 't1', execute: async () => { throw boom; } })), (e) => e === boom);
    i.onToolExecutionEnd({ callId: 'c1', toolOutput: { type: 'tool-error', toolCallId: 't1', error: boom } });
    i.onEnd({ callId: 'c1', content: null });
    assert.equal(await i.executeTool({ callId: 'gone', execute: async () => 42 }), 42);
  });

  it('Genkit: our processor joins the provider Genkit stores, and ignores spans that are not Genkit\'s', async () => {
    watchGenkit(() => wrapGenkitProvider);
    const g = globalThis as { __GENKIT_TELEMETRY_PROVIDER?: { enableTelemetry(c: unknown): Promise<unknown> } };
    let config: { spanProcessors?: Array<{ onStart(s: unknown): void; onEnd(s: unknown): void }> } | undefined;
    g.__GENKIT_TELEMETRY_PROVIDER = { enableTelemetry: async (c: unknown) => (config = c as typeof config) };
    const own = { onStart() {}, onEnd() {} };
    await g.__GENKIT_TELEMETRY_PROVIDER!.enableTelemetry(Promise.resolve({ spanProcessors: [own] }));
    assert.equal(config!.spanProcessors![0], own, 'the app\'s processors first, as given');
    const ours = config!.spanProcessors![1];
    for (const span of [undefined, {}, { name: 'x', attributes: {}, spanContext: () => ({ spanId: 'a' }), instrumentationScope: { name: 'other' } }]) {
      assert.doesNotThrow(() => ours.onStart(span));
      assert.doesNotThrow(() => ours.onEnd(span));
    }
  });

  it('LangChain: the handler takes any arguments without throwing', () => {
    for (const [k, f] of Object.entries(handler)) {
      if (typeof f !== 'function' || !k.startsWith('handle')) continue;
      assert.doesNotThrow(() => (f as (...a: unknown[]) => void)(undefined, null, 'run-1', 5, {}, [], null, {}));
      assert.doesNotThrow(() => (f as (...a: unknown[]) => void)());
    }
  });
});

describe('framework span mappings', () => {
  it('Genkit request → Gemini {model, contents, config}, as the Google plugin sends it', () => {
    const req = geminiRequest('gemini-2.5-flash', {
      messages: [
        { role: 'system', content: [{ text: 'Be brief.' }] },
        { role: 'user', content: [{ text: 'Weather?' }, { media: { url: 'data:image/png;base64,iVBO', contentType: 'image/png' } }, { media: { url: 'gs://b/a.pdf', contentType: 'application/pdf' } }] },
        { role: 'model', content: [{ reasoning: 'need tool' }, { toolRequest: { name: 'w', input: { c: 1 }, ref: 'r1' } }] },
        { role: 'tool', content: [{ toolResponse: { name: 'w', output: 'sunny', ref: 'r1' } }] },
      ],
      config: { temperature: 0.2, apiKey: 'secret', version: 'v1' },
      tools: [{ name: 'w', description: 'weather', inputSchema: { type: 'object' } }],
      output: { format: 'json', schema: { type: 'object' } },
    });
    assert.deepEqual(req, {
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBO' } }, { fileData: { mimeType: 'application/pdf', fileUri: 'gs://b/a.pdf' } }] },
        { role: 'model', parts: [{ text: 'need tool', thought: true }, { functionCall: { name: 'w', args: { c: 1 }, id: 'r1' } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'w', response: { name: 'w', content: 'sunny' }, id: 'r1' } }] },
      ],
      config: {
        temperature: 0.2, systemInstruction: { parts: [{ text: 'Be brief.' }] },
        tools: [{ functionDeclarations: [{ name: 'w', description: 'weather', parametersJsonSchema: { type: 'object' } }] }],
        responseMimeType: 'application/json', responseJsonSchema: { type: 'object' },
      },
    });
  });

  it('a Genkit model span without Gemini\'s raw response keeps Genkit\'s values and usage', () => {
    const a: Attributes = { 'genkit:name': 'ollama/llama', 'genkit:input': JSON.stringify({ messages: [] }), 'genkit:output': JSON.stringify({ usage: { inputTokens: 3, outputTokens: 4, thoughtsTokens: 1 } }) };
    const c = modelCall(a, true);
    assert.equal(c.attrs['mlflow.message.format'], undefined);
    assert.equal(c.attrs['mlflow.llm.provider'], 'ollama');
    assert.deepEqual(JSON.parse(String(c.attrs['mlflow.chat.tokenUsage'])), { input_tokens: 3, output_tokens: 4, total_tokens: 7, thoughts_tokens: 1 });
  });

  it('LangChain values: messages as plain dicts and as GenAI parts; bounded depth', () => {
    const msg = (type: string, extra: object) => ({ getType: () => type, ...extra });
    const ai = msg('ai', { content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'Calling.' }], tool_calls: [{ id: 'c1', name: 'w', args: { c: 1 } }] });
    assert.deepEqual(messageDict(ai), { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'Calling.' }], tool_calls: [{ id: 'c1', name: 'w', args: { c: 1 } }] });
    const g = genAiMessages([messageDict(msg('system', { content: 'Be brief.' }))!, messageDict(msg('human', { content: 'Hi' }))!, messageDict(msg('tool', { content: 'sunny', tool_call_id: 'c1' }))!], messageDict(ai), 'STOP');
    assert.deepEqual(g.system, [{ type: 'text', content: 'Be brief.' }]);
    assert.deepEqual(g.input, [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }, { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'sunny' }] }]);
    assert.deepEqual(g.output, [{ role: 'assistant', finish_reason: 'STOP', parts: [{ type: 'reasoning', content: 'hmm' }, { type: 'text', content: 'Calling.' }, { type: 'tool_call', id: 'c1', name: 'w', arguments: { c: 1 } }] }]);
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 20; i++) at = (at.next = {}) as Record<string, unknown>;
    assert.ok(JSON.stringify(plain(deep)).includes('…'), 'depth is bounded');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.doesNotThrow(() => JSON.stringify(plain(cyclic)));
    assert.equal(plain(new (class Thing {})()), '[Thing]');
  });

  it('AI SDK: span roles and types, a model call\'s usage from Gemini\'s metadata else the SDK\'s counts', () => {
    assert.deepEqual(['ai.generateText', 'ai.streamText.doStream', 'ai.toolCall', 'ai.embedMany', 'ai.embed.doEmbed', 'ai.rerank'].map(roleOf), ['operation', 'model', 'tool', 'embed', 'embedCall', 'other']);
    assert.equal(spanTypeOf('operation', true), 'AGENT');
    assert.equal(spanTypeOf('operation', false), 'CHAIN');
    const meta = JSON.stringify({ google: { usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2, thoughtsTokenCount: 5, cachedContentTokenCount: 4, totalTokenCount: 17 } } });
    assert.deepEqual(JSON.parse(modelUsage({ 'ai.response.providerMetadata': meta })!), { input_tokens: 10, output_tokens: 2, total_tokens: 17, cache_read_input_tokens: 4, thoughts_tokens: 5 });
    assert.deepEqual(JSON.parse(modelUsage({ 'ai.usage.inputTokens': 10, 'ai.usage.outputTokens': 7, 'ai.usage.totalTokens': 17, 'ai.usage.reasoningTokens': 5 })!), { input_tokens: 10, output_tokens: 7, total_tokens: 17, thoughts_tokens: 5 });
    assert.equal(modelUsage({}), undefined);
  });
});
