// The Interactions adapter on traces shaped as the Node preload writes them (test/fixtures/surfaces),
// and on malformed and unknown input. Pure: no MLflow, no browser.
import assert from 'node:assert/strict';
import { fromInteractions, inputMessages } from '../../src/model/adapters/interactions';
import { readModelCall } from '../../src/model/adapters/read';
import type { ModelCall, Part } from '../../src/model/call/types';
import { pairCalls } from '../../src/diff/pairing';
import { renderPrompt, renderResponse } from '../../src/diff/text';
import type { Span } from '../../src/model/types';
import { AGENT, MODEL, agentCancelled, agentRun, builtinTools, conversation, droppedSignature, failing, single, streamed } from '../fixtures/surfaces/interactions';
import { toTrace, type TraceSpec } from '../fixtures/surfaces/spec';

function callOf(spec: TraceSpec, name = 'Interactions.create'): { call: ModelCall; span: Span } {
  const t = toTrace(spec);
  const span = [...t.spans].reverse().find((s) => s.name === name)!;
  assert.ok(span, `a ${name} span`);
  const call = readModelCall(span);
  assert.ok(call, `${name} is read as a model call`);
  return { call, span };
}

const kinds = (parts: Part[]) => parts.map((p) => (p.kind === 'toolCall' || p.kind === 'toolResult' ? `${p.kind}:${p.tool}` : p.kind));

describe('model call: Interactions', () => {
  it('reads a single interaction: input, system instruction, config, thought with signature, answer, usage', () => {
    const { call } = callOf(single());
    assert.equal(call.api, 'gemini.interactions');
    assert.equal(call.provider, 'gemini');
    assert.equal(call.operation, 'create');
    assert.equal(call.model, MODEL);
    assert.equal(call.status, 'completed');
    assert.deepEqual(call.system, { role: 'system', parts: [{ kind: 'text', text: 'Answer briefly.' }] });
    assert.deepEqual(call.request, [{ role: 'user', parts: [{ kind: 'text', text: 'What is the capital of France?' }] }]);
    assert.deepEqual(call.config, { thinking_level: 'low', temperature: 0.2 });
    assert.equal(call.ordered, true);
    assert.deepEqual(call.response[0].message.parts, [
      { kind: 'thought', text: 'The user asks for a **capital**.', signature: true },
      { kind: 'text', text: 'Paris.' },
    ]);
    assert.equal(call.responseText, 'Paris.');
    assert.equal(call.promptText, 'What is the capital of France?');
    assert.equal(call.thinking, 'The user asks for a **capital**.');
    // Usage from mlflow.chat.tokenUsage: thoughts fold into output (12 + 3 + 20 = 35).
    assert.deepEqual(call.usage, { input: 12, output: 23, total: 35, cached: 0, thinking: 20 });
    assert.deepEqual(call.ids, { interaction: 'int_single_1' });
  });

  it('reads a streamed interaction the same way, stream flag in config, each step with the tokens its step_usage gave', () => {
    const { call } = callOf(streamed());
    assert.equal(call.config.stream, true);
    assert.equal(call.responseText, 'Paris.');
    assert.deepEqual(call.response[0].message.parts.map((p) => p.tokens), [20, 3], 'thought 20, answer 3 (the echoed input step had none)');
    assert.deepEqual(call.warnings, []);
  });

  it('keeps the echoed input out of the steps: user content, a function result, replayed model steps', () => {
    const [, t2] = conversation().map((spec) => callOf(spec).call);
    assert.deepEqual(kinds(t2.response[0].message.parts), ['text'], 'the function result it was sent is the request, not a step');
    assert.equal(t2.functionResponses.length, 1, 'counted once');
    const [, replay] = droppedSignature().map((spec) => callOf(spec).call);
    assert.deepEqual(replay.request.map((m) => [m.role, kinds(m.parts)]), [['user', ['text']], ['model', ['functionCall']], ['user', ['functionResponse']]]);
    assert.deepEqual(kinds(replay.response[0].message.parts), ['text'], 'the replayed call is not the model\'s work of this turn');
    assert.match(replay.warnings[0], /resends the model's function_call lookup_order \(id call_9\) from interaction int_sig_1 without the thought signature/);
    // A reply that does not echo its input reads the same.
    const bare = single();
    const out = bare.spans[0].attributes['mlflow.spanOutputs'] as { steps: { type: string }[] };
    out.steps = out.steps.filter((x) => x.type !== 'user_input');
    assert.deepEqual(kinds(callOf(bare).call.response[0].message.parts), ['thought', 'text']);
  });

  it('says what a stream that ended early, was handed on, or broke leaves out; a failed call shows its error', () => {
    const spec = (attrs: Record<string, unknown>, status?: 'ERROR', message?: string) => {
      const s = streamed();
      Object.assign(s.spans[0].attributes, attrs);
      s.spans[0].status = status;
      s.spans[0].statusMessage = message;
      return callOf(s).call;
    };
    assert.match(spec({ 'gemini_trace.stream_closed_early': true, 'gemini_trace.stream_events': 3 }).warnings[0], /^The app stopped reading this stream after 3 events/);
    assert.match(spec({ 'gemini_trace.stream_handed_on': true }).warnings[0], /handed this stream on \(tee, pipeTo or pipeThrough\)/);
    assert.match(spec({ 'gemini_trace.stream_unparsed': true }).warnings[0], /could not be read/);
    assert.deepEqual(spec({ 'error.type': 'INTERNAL' }, 'ERROR', 'The stream broke off.').errors, [{ code: 'INTERNAL', message: 'The stream broke off.' }]);
    const { call } = callOf(failing());
    assert.deepEqual(call.errors, [{ code: 'BadRequestError', message: '400 temperature must be between 0 and 2' }]);
  });

  it('reads the hops of an automatic continuation as one answer, their tokens summed', () => {
    const s = single();
    const a = s.spans[0].attributes;
    const out = a['mlflow.spanOutputs'] as { steps: unknown[]; continuation_ids?: string[] };
    out.steps = [out.steps[0], { type: 'model_output', content: [{ type: 'text', text: 'one ' }] }, { type: 'model_output', content: [{ type: 'text', text: 'two ' }] }, { type: 'model_output', content: [{ type: 'text', text: 'three' }] }];
    out.continuation_ids = ['h1', 'h2', 'h3'];
    a['gemini.interaction.step_usage'] = [null, { total_output_tokens: 1 }, { total_output_tokens: 1 }, { total_output_tokens: 1 }];
    assert.deepEqual(callOf(s).call.response[0].message.parts, [{ kind: 'text', text: 'one two three', tokens: 3 }]);
  });

  it('chains a conversation: function call, its result in the next input, previous ids', () => {
    const [t1, t2, t3] = conversation().map((s) => callOf(s).call);
    assert.equal(t1.status, 'requires_action');
    assert.deepEqual(kinds(t1.response[0].message.parts), ['thought', 'functionCall']);
    assert.deepEqual(t1.functionCalls, [{ name: 'get_weather', args: { city: 'Paris' }, id: 'call_1' }]);
    assert.deepEqual(t2.request, [{ role: 'user', parts: [{ kind: 'functionResponse', name: 'get_weather', response: '{"temp_c": 18, "sky": "cloudy"}', id: 'call_1' }] }]);
    assert.deepEqual(t2.ids, { interaction: 'int_conv_2', previous: 'int_conv_1' });
    assert.equal(t3.promptText, 'And tomorrow?');
    assert.ok(Array.isArray(t3.tools) && (t3.tools as { name?: string }[])[0].name === 'get_weather');
  });

  it('keeps every built-in tool step in order, pairs by id, keeps an unknown step as JSON', () => {
    const { call } = callOf(builtinTools());
    const parts = call.response[0].message.parts;
    assert.deepEqual(kinds(parts), [
      'toolCall:google_search', 'toolResult:google_search', 'toolCall:url_context', 'toolResult:url_context',
      'toolCall:code_execution', 'toolResult:code_execution', 'toolCall:mcp', 'toolResult:mcp',
      'toolCall:file_search', 'toolResult:file_search', 'other', 'text',
    ]);
    assert.deepEqual(parts[0], { kind: 'toolCall', tool: 'google_search', id: 's1', name: 'web_search', queries: ['tallest building in the world 2026'], signature: true });
    assert.match((parts[1] as { output: string }).output, /^<div class="chip">/, 'search suggestions kept as text');
    assert.deepEqual((parts[3] as { urls: unknown }).urls, [{ url: 'https://example.test/burj', status: 'success' }, { url: 'https://news.example.test/paywalled', status: 'paywall' }]);
    assert.deepEqual(parts[4], { kind: 'toolCall', tool: 'code_execution', id: 'x1', code: 'print(2**10)', language: 'python' });
    assert.deepEqual(parts[5], { kind: 'toolResult', tool: 'code_execution', id: 'x1', output: '1024\n', outcome: 'ok' });
    assert.deepEqual(parts[6], { kind: 'toolCall', tool: 'mcp', id: 'm1', name: 'search_docs', server: 'docs', args: { query: 'building heights' } });
    assert.equal((parts[7] as { output: string }).output, 'Found 2 pages about building heights.');
    assert.deepEqual(parts[10], { kind: 'other', type: 'hologram_projection_call', value: { type: 'hologram_projection_call', id: 'h1', arguments: { angle: 42 } } });
    assert.deepEqual((parts[11] as { citations: unknown }).citations, [{ url: 'https://example.test/burj', title: 'Burj Khalifa facts' }]);
    // Multimodal input: the image with its type, size and recorded base64 (the same string).
    assert.deepEqual(call.request[0].parts[1], { kind: 'media', mimeType: 'image/png', bytes: 70, data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' });
    assert.ok(call.responseSchema && (call.responseSchema as { mime_type: string }).mime_type === 'application/json');
    assert.equal(call.usage?.toolUse, 220);
    assert.equal(call.usage?.cached, 128);
  });

  it('reads a background agent: agent, status per poll, the final steps and usage on the last get', () => {
    const t = toTrace(agentRun());
    const calls = t.spans.map((s) => [s.name, readModelCall(s)] as const);
    const [root, create, get1, get2] = calls;
    assert.equal(root[1]?.agent, AGENT);
    assert.equal(create[1]?.operation, 'create');
    assert.equal(create[1]?.status, 'in_progress');
    assert.equal(create[1]?.config.background, true);
    assert.equal(get1[1]?.operation, 'get');
    assert.deepEqual(get1[1]?.request, [{ role: 'user', parts: [{ kind: 'text', text: 'Compare the three largest rivers of Europe.' }] }], 'a get shows the input its reply echoes');
    assert.deepEqual(get1[1]?.response[0].message.parts, [], 'and no step of the model yet');
    assert.equal(get2[1]?.status, 'completed');
    assert.equal(get2[1]?.usage?.input, 5200);
    assert.equal(get1[1]?.usage, undefined, 'an intermediate poll carries no usage');
    assert.match(get2[1]!.responseText, /Volga/);
  });

  it('reads a cancelled run and a failed call', () => {
    const cancel = callOf(agentCancelled(), 'Interactions.cancel').call;
    assert.equal(cancel.operation, 'cancel');
    assert.equal(cancel.status, 'cancelled');
    const { call, span } = callOf(failing());
    assert.equal(span.status, 'ERROR');
    assert.deepEqual(call.response, [], 'no interaction came back');
    assert.equal(call.config.temperature, 7);
  });

  it('renders an interaction for diffs as its input and its steps, in order', () => {
    const { call } = callOf(builtinTools());
    const prompt = renderPrompt(call);
    assert.match(prompt, /── user ──\nHow tall is the tallest building, and what is 2\*\*10\?\n\[inline data\] image\/png, 70 bytes/);
    const response = renderResponse(call);
    const order = ['[google_search call] web_search\nquery: tallest building', '[url_context result]\nurl: https://example.test/burj — success', '[code python]\nprint(2**10)', '[code result ok]\n1024', '[mcp call] search_docs on docs', '[part hologram_projection_call]', '{"height_m": 828'];
    let at = -1;
    for (const piece of order) {
      const i = response.indexOf(piece);
      assert.ok(i > at, `"${piece}" after the previous step in:\n${response}`);
      at = i;
    }
    assert.match(response, /── status ──\ncompleted/);
  });

  it('pairs interactions across two runs like any model call (Compare, diffs)', () => {
    const [pair] = pairCalls(toTrace(single()), toTrace(streamed()));
    assert.equal(pair.by, 'site');
    assert.equal(pair.promptChanged, false);
    assert.equal(pair.responseChanged, false);
    // The API mints new call ids each run: the same function call in two runs is no change.
    const again = conversation()[0];
    const out = again.spans[0].attributes['mlflow.spanOutputs'] as { steps: { id?: string }[] };
    out.steps[out.steps.length - 1].id = 'call_from_another_run';
    const [same] = pairCalls(toTrace(conversation()[0]), toTrace(again));
    assert.equal(same.responseChanged, false, 'a new call id alone is no change');
    const [changed] = pairCalls(toTrace(single()), toTrace(builtinTools()));
    assert.equal(changed.promptChanged, true);
    assert.equal(changed.tokenDelta.input, 410 - 12);
  });

  it('reads input as a string, a content block, content blocks, steps, or old {role, content} turns', () => {
    assert.deepEqual(inputMessages('hi'), [{ role: 'user', parts: [{ kind: 'text', text: 'hi' }] }]);
    assert.deepEqual(inputMessages({ type: 'text', text: 'hi' }), [{ role: 'user', parts: [{ kind: 'text', text: 'hi' }] }]);
    assert.deepEqual(inputMessages([{ type: 'user_input', content: [{ type: 'text', text: 'q' }] }, { type: 'thought', signature: 'x' }, { type: 'function_call', id: 'c', name: 'f', arguments: {} }, { type: 'function_result', call_id: 'c', result: 'r' }]), [
      { role: 'user', parts: [{ kind: 'text', text: 'q' }] },
      { role: 'model', parts: [{ kind: 'thought', text: '', signature: true }, { kind: 'functionCall', name: 'f', args: {}, id: 'c' }] },
      { role: 'user', parts: [{ kind: 'functionResponse', name: '', response: 'r', id: 'c' }] },
    ]);
    assert.deepEqual(inputMessages([{ role: 'user', content: [{ type: 'text', text: 'a' }] }, { role: 'model', content: 'b' }]), [
      { role: 'user', parts: [{ kind: 'text', text: 'a' }] },
      { role: 'model', parts: [{ kind: 'text', text: 'b' }] },
    ]);
  });

  it('survives malformed payloads: nothing is thrown, what can be read is read', () => {
    const span = (inputs: unknown, outputs: unknown): Span => toTrace({ name: 'x', spans: [{ key: 'a', name: 'Interactions.create', type: 'CHAT_MODEL', startMs: 0, endMs: 1, attributes: { 'mlflow.message.format': 'gemini.interactions', 'mlflow.spanInputs': inputs, 'mlflow.spanOutputs': outputs } }] }).spans[0];
    for (const [i, o] of [[null, null], ['just text', 42], [{ input: [null, 3, { type: 7 }] }, { steps: 'nope' }], [{ input: {} }, { steps: [null, { type: 'model_output', content: 'plain' }, { type: 'function_call' }, { type: 'url_context_result', result: [{ status: 'error' }, 5] }] }]] as const) {
      assert.doesNotThrow(() => fromInteractions(span(i, o)));
    }
    const c = fromInteractions(span({ input: [null, 3] }, { id: 'i', status: 'completed', steps: [null, { type: 'model_output', content: 'plain' }, { type: 'function_call' }] }));
    assert.deepEqual(c.request[0].parts, [{ kind: 'other', value: null }, { kind: 'other', value: 3 }]);
    assert.deepEqual(c.response[0].message.parts, [{ kind: 'other', value: null }, { kind: 'text', text: 'plain' }, { kind: 'functionCall', name: '', args: {} }]);
    const err = fromInteractions(span({ model: MODEL }, { id: 'i', status: 'failed', errors: [{ code: 'RESOURCE_EXHAUSTED', message: 'quota' }], steps: [{ type: 'model_output', error: { code: 13, message: 'internal' } }] }));
    assert.deepEqual(err.errors, [{ code: 'RESOURCE_EXHAUSTED', message: 'quota' }, { code: '13', message: 'internal' }]);
  });

  it('is recognised by shape when a span names no format', () => {
    const t = toTrace({ name: 'x', spans: [{ key: 'a', name: 'create', type: 'LLM', startMs: 0, endMs: 1, attributes: { 'mlflow.spanType': 'LLM', 'mlflow.spanInputs': { model: MODEL, input: 'hi' }, 'mlflow.spanOutputs': { id: 'i1', status: 'completed', steps: [{ type: 'model_output', content: [{ type: 'text', text: 'yo' }] }] } } }] });
    assert.equal(readModelCall(t.spans[0])?.api, 'gemini.interactions');
  });
});
