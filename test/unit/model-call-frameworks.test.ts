// The OpenAI chat, OTel GenAI and AI SDK adapters on spans shaped as those packages write them
// (test/fixtures/frameworks/spans.ts), and on malformed input. Pure.
import assert from 'node:assert/strict';
import { modelCalls } from '../../src/diff/pairing';
import { fromAiSdk } from '../../src/model/adapters/aiSdk';
import { fromOpenAiChat } from '../../src/model/adapters/openaiChat';
import { fromOtelGenAi } from '../../src/model/adapters/otelGenai';
import { readModelCall } from '../../src/model/adapters/read';
import type { Span } from '../../src/model/types';
import { aiSdkLegacy, aiSdkSemconv, openaiChat, openLlmetry, otelEvents } from '../fixtures/frameworks/spans';
import { toTrace } from '../fixtures/surfaces/spec';

const junk: unknown[] = [null, 7, 'text', '{not json', '[1,2', { role: 5, content: { a: 1 } }, [null, { parts: 'x' }], [{ role: 'user', content: [null, 3, { type: 'mystery', x: 1 }] }]];

function spanWith(attributes: Record<string, unknown>, events: { name: string; atMs: number; attributes: Record<string, unknown> }[] = []): Span {
  return toTrace({ name: 'x', spans: [{ key: 'a', name: 'x', type: 'UNKNOWN', startMs: 0, endMs: 1, attributes, events }] }).spans[0];
}

describe('model call: OpenAI chat completions', () => {
  const t = toTrace(openaiChat());
  const [, first, second] = t.spans;

  it('reads messages, tools, tool calls, settings and usage with cached tokens', () => {
    const c = readModelCall(first)!;
    assert.equal(c.api, 'openai.chat');
    assert.equal(c.provider, 'openai');
    assert.equal(c.model, 'gpt-4o-2024-08-06');
    assert.deepEqual(c.system, { role: 'system', parts: [{ kind: 'text', text: 'Be brief.' }] });
    assert.deepEqual(c.request[0].parts, [{ kind: 'text', text: 'Weather in Lima?' }, { kind: 'media', mimeType: 'image/png', bytes: 8, data: 'iVBORw0KGgo=' }]);
    assert.deepEqual(c.response[0].message.parts, [{ kind: 'functionCall', name: 'get_weather', args: { city: 'Lima' }, id: 'call_a' }]);
    assert.equal(c.response[0].finishReason, 'tool_calls');
    assert.deepEqual(c.config, { temperature: 0.2, tool_choice: 'auto' });
    assert.deepEqual(c.usage, { input: 40, output: 12, total: 52, cached: 16, thinking: 0 });
  });

  it('assembles a streamed answer; a tool message is the named function response', () => {
    const c = readModelCall(second)!;
    const tool = c.request.find((m) => m.role === 'tool')!;
    assert.deepEqual(tool.parts, [{ kind: 'functionResponse', name: 'get_weather', response: { temp_c: 22 }, id: 'call_a' }]);
    assert.equal(c.responseText, '{"summary": "22 °C and sunny"}');
    assert.equal(c.response[0].finishReason, 'stop');
    assert.equal(c.usage?.total, 79);
    assert.deepEqual(c.responseSchema, { name: 'w', schema: { type: 'object' } });
    assert.equal(c.config.stream_options, undefined, 'transport options are not settings');
  });

  it('pairs like any model call', () => {
    assert.equal(modelCalls(t).length, 2);
  });

  it('survives junk', () => {
    for (const j of junk) assert.doesNotThrow(() => fromOpenAiChat(spanWith({ 'mlflow.message.format': 'openai', 'mlflow.spanInputs': { messages: j }, 'mlflow.spanOutputs': j })));
  });
});

describe('model call: OpenTelemetry GenAI conventions', () => {
  it('reads gen_ai.input.messages / output.messages / system_instructions as the AI SDK writes them', () => {
    const c = readModelCall(toTrace(aiSdkSemconv()).spans[0])!;
    assert.equal(c.api, 'otel.genai');
    assert.equal(c.provider, 'gcp.gemini');
    assert.equal(c.operation, 'chat');
    assert.equal(c.model, 'gemini-2.5-flash');
    assert.deepEqual(c.system, { role: 'system', parts: [{ kind: 'text', text: 'You are terse.' }] });
    assert.deepEqual(c.request.map((m) => m.role), ['user', 'assistant', 'tool']);
    assert.deepEqual(c.request[0].parts[1], { kind: 'media', mimeType: 'image/png', uri: 'https://example.test/paris.png' });
    assert.deepEqual(c.request[1].parts, [{ kind: 'thought', text: 'Need the tool.' }, { kind: 'functionCall', name: 'weather', args: { city: 'Paris' }, id: 'call_1' }]);
    assert.deepEqual(c.request[2].parts, [{ kind: 'functionResponse', name: 'weather', response: { temp_c: 18 }, id: 'call_1' }]);
    assert.equal(c.responseText, 'It is 18 °C in Paris.');
    assert.equal(c.response[0].finishReason, 'stop');
    assert.deepEqual(c.config, { temperature: 0.3, max_tokens: 256 });
    assert.deepEqual(c.usage, { input: 35, output: 12, total: 47, cached: 10, thinking: 0 });
  });

  it('reads the older event form', () => {
    const c = readModelCall(toTrace(otelEvents()).spans[0])!;
    assert.equal(c.provider, 'openai');
    assert.deepEqual(c.system?.parts, [{ kind: 'text', text: 'Be brief.' }]);
    assert.deepEqual(c.request.map((m) => [m.role, m.parts.map((p) => p.kind)]), [['user', ['text']], ['assistant', ['functionCall']], ['tool', ['functionResponse']]]);
    assert.deepEqual(c.request[2].parts[0], { kind: 'functionResponse', name: 'get_time', response: '21:04', id: 'c1' });
    assert.equal(c.responseText, 'It is 21:04.');
    assert.equal(c.response[0].finishReason, 'stop');
  });

  it("reads OpenLLMetry's indexed attributes", () => {
    const c = readModelCall(toTrace(openLlmetry()).spans[0])!;
    assert.equal(c.promptText, 'Be brief.\n\nCapital of Peru?');
    assert.equal(c.responseText, 'Lima.');
  });

  it('keeps unknown part types and survives junk', () => {
    const c = fromOtelGenAi(spanWith({ 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'hologram', angle: 3 }] }]) }));
    assert.deepEqual(c.request[0].parts, [{ kind: 'other', type: 'hologram', value: { type: 'hologram', angle: 3 } }]);
    for (const j of junk) {
      assert.doesNotThrow(() => fromOtelGenAi(spanWith({ 'gen_ai.input.messages': j, 'gen_ai.output.messages': j, 'gen_ai.system_instructions': j })));
      assert.doesNotThrow(() => fromOtelGenAi(spanWith({}, [{ name: 'gen_ai.choice', atMs: 0, attributes: { message: j as string, tool_calls: j as string } }])));
    }
  });
});

describe('model call: AI SDK (ai.*)', () => {
  const t = toTrace(aiSdkLegacy());
  const [outer, step1, tool, step2] = t.spans;

  it('reads the outer generateText call from ai.prompt', () => {
    const c = readModelCall(outer)!;
    assert.equal(c.api, 'ai-sdk');
    assert.equal(c.provider, 'google.generative-ai');
    assert.equal(c.model, 'gemini-2.5-flash');
    assert.deepEqual(c.system?.parts, [{ kind: 'text', text: 'You are terse.' }]);
    assert.equal(c.promptText, 'Weather in Paris?');
    assert.equal(c.responseText, 'It is 18 °C in Paris.');
    assert.deepEqual(c.config, { maxRetries: 2, temperature: 0.3 });
    // ai.usage.* (this span has no gen_ai.* usage): reasoning already inside output tokens.
    assert.deepEqual(outer.usage, { input: 60, output: 20, total: 80, cached: 10, thinking: 6 });
  });

  it('reads each step from ai.prompt.messages: file, reasoning, tool call, tool result', () => {
    const a = readModelCall(step1)!;
    assert.deepEqual(a.request[0].parts, [{ kind: 'text', text: 'Weather in Paris?' }, { kind: 'media', mimeType: 'image/png', bytes: 8, data: 'iVBORw0KGgo=' }]);
    assert.deepEqual(a.response[0].message.parts, [{ kind: 'thought', text: 'Need the tool.' }, { kind: 'functionCall', name: 'weather', args: { city: 'Paris' }, id: 'call_1' }]);
    assert.equal(a.response[0].finishReason, 'tool-calls');
    assert.deepEqual((a.tools as { name: string }[]).map((x) => x.name), ['weather']);
    const b = readModelCall(step2)!;
    assert.deepEqual(b.request.map((m) => m.role), ['user', 'assistant', 'tool']);
    assert.deepEqual(b.request[2].parts, [{ kind: 'functionResponse', name: 'weather', response: { temp_c: 18 }, id: 'call_1' }]);
    assert.equal(readModelCall(tool), undefined, 'a tool span is not a model call');
  });

  it('pairs the steps (the innermost calls), not the outer call', () => {
    assert.deepEqual(modelCalls(t).map((c) => c.span), [step1, step2]);
  });

  it('reads v4 names (args, result, promptTokens) and survives junk', () => {
    const c = fromAiSdk(spanWith({ 'ai.operationId': 'ai.generateText.doGenerate', 'ai.prompt.messages': JSON.stringify([{ role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c', toolName: 'f', args: { a: 1 } }] }, { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', toolName: 'f', result: 'ok' }] }]), 'ai.response.toolCalls': JSON.stringify([{ toolCallType: 'function', toolCallId: 'd', toolName: 'g', args: '{"b":2}' }]), 'ai.usage.promptTokens': 3, 'ai.usage.completionTokens': 4 }));
    assert.deepEqual(c.request[1].parts, [{ kind: 'functionResponse', name: 'f', response: 'ok', id: 'c' }]);
    assert.deepEqual(c.response[0].message.parts, [{ kind: 'functionCall', name: 'g', args: { b: 2 }, id: 'd' }]);
    for (const j of junk) assert.doesNotThrow(() => fromAiSdk(spanWith({ 'ai.prompt': j, 'ai.prompt.messages': j, 'ai.response.toolCalls': j, 'ai.response.files': j })));
  });
});
