// The model-call layer itself: the generateContent adapter maps today's extraction without changing
// a character of what views derive from it, the format is picked by attribute then by shape, and
// thought signatures dropped between turns are found. Pure.
import assert from 'node:assert/strict';
import { renderPrompt, renderResponse } from '../../src/diff/text';
import { readModelCall } from '../../src/model/adapters/read';
import { signatureWarnings } from '../../src/model/call/signatures';
import { extractGemini } from '../../src/model/gemini';
import type { Span } from '../../src/model/types';
import { TraceSession } from '../../src/panel/session';
import { droppedSignature } from '../fixtures/surfaces/interactions';
import { toTrace, type SpanSpec } from '../fixtures/surfaces/spec';

function gc(key: string, inputs: unknown, outputs: unknown, extra: Partial<SpanSpec> = {}): SpanSpec {
  return { key, name: 'models.generateContent', type: 'LLM', startMs: 0, endMs: 10, ...extra, attributes: { 'mlflow.spanType': 'LLM', 'mlflow.message.format': 'gemini', 'mlflow.spanInputs': inputs, 'mlflow.spanOutputs': outputs } };
}

const oneSpan = (s: SpanSpec): Span => toTrace({ name: 'x', spans: [s] }).spans[0];

describe('model call: generateContent adapter', () => {
  const span = oneSpan(gc('a', {
    model: 'models/gemini-2.5-flash',
    contents: [
      { role: 'user', parts: [{ text: 'Plot <b>it</b>' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }, { fileData: { fileUri: 'gs://b/x.pdf', mimeType: 'application/pdf' } }] },
      { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 1 } }, thoughtSignature: 'c2ln' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { r: 2 } } }] },
    ],
    config: { temperature: 0.1, systemInstruction: 'Be exact.', responseSchema: { type: 'OBJECT' }, httpOptions: { headers: { k: 'secret' } } },
  }, {
    candidates: [{
      content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { executableCode: { code: 'print(1)', language: 'PYTHON' } }, { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '1' } }, { text: 'Done', thoughtSignature: 'c2ln' }, { mystery: 1 }] },
      finishReason: 'STOP',
      groundingMetadata: { webSearchQueries: ['plots'], groundingChunks: [{ web: { uri: 'https://example.test/p', title: 'P' } }] },
      urlContextMetadata: { urlMetadata: [{ retrievedUrl: 'https://example.test/u', urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS' }] },
    }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 20, thoughtsTokenCount: 2, toolUsePromptTokenCount: 3 },
  }));

  it('keeps the texts exactly as the Gemini extraction derives them', () => {
    const g = extractGemini(span)!;
    const c = readModelCall(span)!;
    assert.equal(c.api, 'gemini.generateContent');
    assert.equal(c.promptText, g.promptText);
    assert.equal(c.responseText, g.responseText);
    assert.equal(c.thinking, g.thinking);
    assert.deepEqual(c.functionCalls, g.functionCalls);
    assert.deepEqual(c.functionResponses, g.functionResponses);
    assert.deepEqual(c.config, g.config);
    assert.equal(c.model, 'gemini-2.5-flash');
  });

  it('maps every Gemini part kind, and adds signatures, grounding, the schema and tool-use tokens', () => {
    const c = readModelCall(span)!;
    assert.deepEqual(c.request[0].parts, [
      { kind: 'text', text: 'Plot <b>it</b>' },
      { kind: 'media', mimeType: 'image/png', bytes: 8, data: 'iVBORw0KGgo=' },
      { kind: 'media', uri: 'gs://b/x.pdf', mimeType: 'application/pdf' },
    ]);
    assert.deepEqual(c.request[1].parts, [{ kind: 'functionCall', name: 'lookup', args: { q: 1 }, signature: true }]);
    assert.deepEqual(c.response[0].message.parts, [
      { kind: 'thought', text: 'thinking…' },
      { kind: 'toolCall', tool: 'code_execution', code: 'print(1)', language: 'PYTHON' },
      { kind: 'toolResult', tool: 'code_execution', output: '1', outcome: 'OUTCOME_OK' },
      { kind: 'text', text: 'Done', signature: true },
      { kind: 'other', value: { mystery: 1 } },
    ]);
    assert.deepEqual(c.response[0].grounding, { queries: ['plots'], links: [{ url: 'https://example.test/p', title: 'P' }], urls: [{ url: 'https://example.test/u', status: 'URL_RETRIEVAL_STATUS_SUCCESS' }] });
    assert.deepEqual(c.responseSchema, { type: 'OBJECT' });
    assert.equal(c.usage?.toolUse, 3);
    assert.equal(c.ordered, false);
  });

  it('renders the same diff text as before the layer existed', () => {
    const c = readModelCall(span)!;
    // Written out from the renderers as they were at a2ad581 (GeminiCall in, same sections out).
    assert.equal(renderPrompt(c), [
      '── system instruction ──', 'Be exact.', '',
      '── user ──', 'Plot <b>it</b>', '[inline data] image/png, 8 bytes', '[file] gs://b/x.pdf (application/pdf)', '',
      '── model ──', '[function call] lookup', '{\n  "q": 1\n}', '',
      '── user ──', '[function response] lookup', '{\n  "r": 2\n}', '',
    ].join('\n').trimEnd() + '\n');
    assert.equal(renderResponse(c), ['── thinking ──', 'thinking…', '', '── text ──', 'print(1)1Done[{"mystery":1}]', '', '── finish reason ──', 'STOP', ''].join('\n'));
  });
});

describe('model call: which adapter', () => {
  const read = (attributes: Record<string, unknown>) => readModelCall(oneSpan({ key: 'a', name: 'span', type: 'LLM', startMs: 0, endMs: 1, attributes }));

  it('follows mlflow.message.format first, then attributes, then shape', () => {
    assert.equal(read({ 'mlflow.message.format': 'gemini.interactions', 'mlflow.spanInputs': { input: 'x' } })?.api, 'gemini.interactions');
    assert.equal(read({ 'mlflow.message.format': 'gemini.live', 'mlflow.spanInputs': { messages: [] } })?.api, 'gemini.live');
    assert.equal(read({ 'mlflow.message.format': 'openai.chat', 'mlflow.spanInputs': { messages: [] } })?.api, 'openai.chat');
    assert.equal(read({ 'gen_ai.system': 'gemini', 'gen_ai.input.messages': '[]' })?.api, 'otel.genai', 'semconv messages win over a Gemini marker');
    assert.equal(read({ 'ai.operationId': 'ai.generateText', 'ai.prompt': '{"prompt":"hi"}' })?.api, 'ai-sdk');
    assert.equal(read({ 'mlflow.spanInputs': { messages: [{ role: 'user', content: 'hi' }] }, 'mlflow.spanOutputs': { choices: [] } })?.api, 'openai.chat');
    assert.equal(read({ 'mlflow.spanInputs': { contents: 'hi' }, 'mlflow.spanOutputs': { candidates: [] } })?.api, 'gemini.generateContent');
    assert.equal(read({ 'mlflow.spanType': 'TOOL', 'mlflow.spanInputs': { q: 1 } }), undefined);
  });

  it('never throws at a view, whatever the payload', () => {
    const bomb: Record<string, unknown> = {};
    let cur = bomb;
    for (let i = 0; i < 5000; i++) cur = (cur.contents = { parts: [{}] }) as Record<string, unknown>;
    const base = oneSpan({ key: 'a', name: 'models.generateContent', type: 'LLM', startMs: 0, endMs: 1, attributes: {} });
    for (const v of [null, 1, 'x', [], bomb, { contents: bomb }, { input: bomb, model: 'm' }, { messages: [bomb] }]) {
      for (const format of [undefined, 'gemini', 'gemini.interactions', 'gemini.live', 'openai.chat']) {
        const attributes = { 'mlflow.message.format': format, 'gen_ai.input.messages': v, 'ai.prompt': v };
        assert.doesNotThrow(() => readModelCall({ ...base, attributes, inputs: v, outputs: v }));
      }
    }
  });
});

describe('model call: thought signatures dropped between turns', () => {
  const fc = (sig: boolean) => ({ functionCall: { name: 'lookup', args: { q: 1 } }, ...(sig ? { thoughtSignature: 'c2ln' } : {}) });
  const turns = (resend: boolean) =>
    toTrace({
      name: 'chat',
      spans: [
        { key: 'root', name: 'chat', type: 'CHAIN', startMs: 0, endMs: 30, attributes: { 'mlflow.spanType': 'CHAIN' } },
        gc('t1', { contents: 'Find it' }, { candidates: [{ content: { role: 'model', parts: [fc(true)] } }] }, { parent: 'root', startMs: 1, endMs: 10 }),
        gc('t2', { contents: [{ role: 'user', parts: [{ text: 'Find it' }] }, { role: 'model', parts: [fc(resend)] }, { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: {} } }] }] }, { candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] } }] }, { parent: 'root', startMs: 11, endMs: 20 }),
      ],
    });

  it('warns on the later turn of a generateContent chat, naming both turns', () => {
    const t = turns(false);
    const s = new TraceSession(t);
    const d = s.details(t.spans[2].id);
    assert.equal(d.chat?.warnings.length, 1);
    assert.match(String(d.chat?.warnings[0]), /^Turn 2 \(models\.generateContent\) sends back the model's function call lookup from turn 1 \(models\.generateContent\) without the thought signature/);
    assert.deepEqual(s.details(t.spans[1].id).chat?.warnings, [], 'the first turn is fine');
    const signed = turns(true);
    assert.deepEqual(new TraceSession(signed).details(signed.spans[2].id).chat?.warnings, [], 'the signature was sent back');
  });

  it('warns on an interaction whose replayed input lost the signed thought (the preload saw both replies)', () => {
    const [first, second] = droppedSignature().map((spec) => toTrace(spec));
    assert.deepEqual(new TraceSession(first).details(first.spans[0].id).chat?.warnings, []);
    const d = new TraceSession(second).details(second.spans[0].id);
    assert.equal(d.chat?.warnings.length, 1, 'named once, by the preload; the trace alone holds no earlier turn');
    assert.match(String(d.chat?.warnings[0]), /resends the model's function_call lookup_order \(id call_9\) from interaction int_sig_1 without the thought signature/);
  });

  it('is quiet when nothing was signed, and each dropped part is named once', () => {
    const a = readModelCall(oneSpan(gc('a', { contents: 'q' }, { candidates: [{ content: { role: 'model', parts: [{ text: 'plain' }] } }] })))!;
    const b = readModelCall(oneSpan(gc('b', { contents: [{ role: 'model', parts: [{ text: 'plain' }] }] }, {})))!;
    assert.deepEqual(signatureWarnings([{ label: 'a', call: a }, { label: 'b', call: b }]), [[], []]);
  });
});
