// Sessions, feedback and replay, the pure parts: which session a trace belongs to and how a run's
// list groups them, the MLflow filter clauses for sessions, users and thumbs, a session read as one
// transcript (history cut, signatures checked across traces), assessments read from TraceInfo, and
// a recorded call turned back into a REST request (both SDK spellings) and a replay trace.
import assert from 'node:assert/strict';
import { conversationLabel, groupConversations, isConversation } from '../../src/explorer/conversations';
import { compileFilter, describeFilter } from '../../src/explorer/filter';
import { parseAssessments, thumbsOf } from '../../src/model/assessments';
import { GEMINI_TAG, MLFLOW_META } from '../../src/shared/runTags';
import { sessionOf } from '../../src/model/sessions';
import type { TraceSummary } from '../../src/model/types';
import { sessionView } from '../../src/panel/sessionModel';
import { replayTrace, usageOf } from '../../src/replay/otlp';
import { parseReplayDocument, replayDocument, replayOrigin, restContents, restRequest, sseChunks, type ReplayOrigin } from '../../src/replay/request';
import { toTrace } from '../fixtures/surfaces/spec';

function t(id: string, ms: number, o: Partial<TraceSummary> = {}): TraceSummary {
  return { id, state: 'OK', requestTimeMs: ms, durationMs: 10, tags: {}, metadata: {}, models: [], ...o };
}

describe('sessions', () => {
  it('a trace belongs to MLflow\'s session first, then its chat, then its conversation', () => {
    assert.deepEqual(sessionOf({ tags: { [GEMINI_TAG.chat]: 'chat-1', [GEMINI_TAG.conversation]: 'i1' }, metadata: { [MLFLOW_META.session]: 's' } }), { kind: 'session', id: 's' });
    assert.deepEqual(sessionOf({ tags: { [GEMINI_TAG.chat]: 'chat-1', [GEMINI_TAG.conversation]: 'i1' }, metadata: {} }), { kind: 'chat', id: 'chat-1' });
    assert.equal(sessionOf({ tags: {}, metadata: {} }), undefined);
  });

  it('groups a run\'s two chats apart, keeps a one-trace MLflow session, not a one-turn chat', () => {
    const chat = (id: string, ms: number, c: string) => t(id, ms, { tags: { [GEMINI_TAG.chat]: c }, requestPreview: JSON.stringify({ message: `hi from ${c}` }) });
    const out = groupConversations([chat('b2', 40, 'chat-2'), chat('a2', 30, 'chat-1'), chat('b1', 20, 'chat-2'), chat('a1', 10, 'chat-1'), t('lone', 5, { tags: { [GEMINI_TAG.chat]: 'chat-3' } }), t('s', 1, { metadata: { [MLFLOW_META.session]: 'user-session' } })]);
    assert.equal(out.length, 4);
    const [c2, c1, lone, s] = out;
    assert.ok(isConversation(c2) && isConversation(c1) && isConversation(s) && !isConversation(lone));
    assert.deepEqual([c2.session, c2.conversationId, c2.traces.map((x) => x.id)], ['chat', 'chat-2', ['b1', 'b2']]);
    assert.deepEqual(c1.traces.map((x) => x.id), ['a1', 'a2']);
    assert.equal(conversationLabel(c1), 'hi from chat-1');
    assert.deepEqual([s.session, conversationLabel(s)], ['session', 'Session user-session']);
  });

  it('filters by session, user and thumbs with clauses MLflow 3.17 accepts', () => {
    assert.equal(compileFilter({ session: { kind: 'session', id: "o'k" } }), 'metadata.`mlflow.trace.session` = "o\'k"');
    assert.equal(compileFilter({ session: { kind: 'chat', id: 'chat-1' }, user: 'ada' }), "tags.`gemini_trace.chat` = 'chat-1' AND metadata.`mlflow.trace.user` = 'ada'");
    assert.equal(compileFilter({ feedback: 'down' }), "feedback.`user_feedback` = 'false'");
    assert.equal(compileFilter({ feedback: 'any' }), 'feedback.`user_feedback` IS NOT NULL');
    assert.equal(describeFilter({ feedback: 'up', user: 'ada' }), 'user ada · 👍');
  });
});

describe('a session as one transcript', () => {
  const gc = (key: string, contents: unknown, answer: Record<string, unknown>) => ({
    name: key, spans: [{ key, name: 'Models.generateContent', type: 'LLM', startMs: 0, endMs: 20, attributes: {
      'mlflow.message.format': 'gemini', 'mlflow.spanInputs': { model: 'gemini-3-flash-preview', contents }, 'mlflow.spanOutputs': { candidates: [{ content: { role: 'model', parts: [answer] } }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 } },
      'mlflow.chat.tokenUsage': { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
    } }],
  });
  const first = toTrace(gc('one', 'Plan a trip', { text: 'Lisbon.', thoughtSignature: 'c2ln' }), 1_796_000_000_000_000_000n);
  const second = toTrace(gc('two', [{ role: 'user', parts: [{ text: 'Plan a trip' }] }, { role: 'model', parts: [{ text: 'Lisbon.' }] }, { role: 'user', parts: [{ text: 'Budget?' }] }], { text: '€500.' }), 1_796_000_001_000_000_000n);

  it('shows each turn\'s new messages, sums tokens and latency, and names the dropped signature', () => {
    const v = sessionView({ kind: 'chat', id: 'chat-1' }, [first, second]);
    assert.equal(v.title, 'Chat chat-1');
    assert.deepEqual(v.turns.map((x) => x.requestOffset), [0, 2]);
    assert.deepEqual(v.turns[1].chat?.request.map((m) => m.parts.map((p) => (p as { text: string }).text)), [['Budget?']]);
    assert.deepEqual([v.totals.turns, v.totals.tokens, v.totals.durationMs], [2, 14, 40]);
    assert.deepEqual(v.turns[0].warnings, []);
    assert.match(v.turns[1].warnings[0], /^Turn 2 \(Models\.generateContent in trace 2\) sends back the model's text "Lisbon\." from turn 1/);
  });
});

describe('assessments', () => {
  it('reads feedback and expectations as MLflow returns them, and the newest thumbs', () => {
    const list = parseAssessments([
      { assessment_id: 'a-1', assessment_name: 'user_feedback', source: { source_type: 'HUMAN', source_id: 'ada' }, create_time: '2026-12-04T10:00:00.000Z', feedback: { value: true }, rationale: 'right', valid: true },
      { assessment_id: 'a-2', assessment_name: 'expected_response', span_id: 'ABCDEF0123456789', create_time: '2026-12-04T10:01:00.000Z', expectation: { serialized_value: { value: '{"city": "Paris"}' } } },
      { assessment_id: 'a-3', assessment_name: 'user_feedback', create_time: '2026-12-04T10:02:00.000Z', feedback: { value: false }, valid: true },
      { assessment_id: 'a-4', assessment_name: 'judge', feedback: { error: { error_code: 'TIMEOUT', error_message: 'judge timed out' } } },
      { nonsense: true }, 'x', null,
    ]);
    assert.deepEqual(list.map((a) => [a.id, a.kind]), [['a-4', 'feedback'], ['a-1', 'feedback'], ['a-2', 'expectation'], ['a-3', 'feedback']]);
    assert.deepEqual(list[2].value, { city: 'Paris' });
    assert.equal(list[2].spanId, 'abcdef0123456789');
    assert.equal(list[1].rationale, 'right');
    assert.equal(list[0].error, 'TIMEOUT: judge timed out');
    assert.equal(thumbsOf(list), 'down', 'the newest thumbs wins');
  });
});

describe('replay', () => {
  const span = (inputs: unknown, name = 'Models.generateContent', attrs: Record<string, unknown> = {}) =>
    toTrace({ name: 'x', spans: [{ key: 'a', name, type: 'LLM', startMs: 0, endMs: 1, attributes: { 'mlflow.message.format': 'gemini', 'mlflow.spanInputs': inputs, ...attrs } }] }).spans[0];

  it('opens the recorded request as a document and reads it back', () => {
    const s = span({ model: 'gemini-3-flash-preview', contents: 'hi', config: { temperature: 0.2, httpOptions: { headers: { k: 'v' } } } });
    const origin = replayOrigin(s, 'tr-1', '7') as ReplayOrigin;
    assert.equal(origin.api, 'generateContent');
    const doc = replayDocument(s, origin);
    assert.match(doc, /^\/\/ Replay of Models\.generateContent/);
    const back = parseReplayDocument(doc);
    assert.ok(back.ok);
    assert.deepEqual(back.request, { model: 'gemini-3-flash-preview', contents: 'hi', config: { temperature: 0.2, httpOptions: { headers: { k: 'v' } } } });
    assert.equal(parseReplayDocument('// x\n{ nope').ok, false);
    assert.match(String(replayOrigin(span({ message: 'hi' }, 'Chat.sendMessage', { 'mlflow.message.format': 'x' }), 'tr-1')), /cannot be replayed/);
  });

  it('builds the REST request from either SDK\'s spelling, at the endpoint the trace recorded', () => {
    const o: ReplayOrigin = { traceId: 'tr-1', spanId: 's', spanName: 'Models.generateContent', spanType: 'LLM', api: 'generateContent', stream: false, baseUrl: 'http://127.0.0.1:9/proxy/', apiVersion: 'v1' };
    const js = restRequest(o, { model: 'models/gemini-3-flash-preview', contents: ['a', { text: 'b' }], config: { temperature: 0.1, systemInstruction: 'Be brief.', tools: [{ googleSearch: {} }], thinkingConfig: { thinkingBudget: 0 }, httpOptions: {}, abortSignal: {} } }, 'http://fallback');
    assert.equal(js.url, 'http://127.0.0.1:9/proxy/v1/models/gemini-3-flash-preview:generateContent');
    assert.deepEqual(js.body, { contents: [{ role: 'user', parts: [{ text: 'a' }, { text: 'b' }] }], systemInstruction: { parts: [{ text: 'Be brief.' }] }, tools: [{ googleSearch: {} }], generationConfig: { temperature: 0.1, thinkingConfig: { thinkingBudget: 0 } } });
    const py = restRequest({ ...o, baseUrl: undefined, apiVersion: undefined, stream: true }, { model: 'gemini-3-flash-preview', contents: [{ role: 'user', parts: [{ text: 'x' }] }], config: { response_mime_type: 'application/json', system_instruction: 'S', safety_settings: [] } }, 'http://fallback/');
    assert.equal(py.url, 'http://fallback/v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse');
    assert.deepEqual(py.body, { contents: [{ role: 'user', parts: [{ text: 'x' }] }], system_instruction: { parts: [{ text: 'S' }] }, safety_settings: [], generationConfig: { response_mime_type: 'application/json' } });
    assert.deepEqual(restContents({ role: 'user', parts: [{ text: 'x' }] }), [{ role: 'user', parts: [{ text: 'x' }] }]);
    assert.deepEqual(sseChunks('data: {"a":1}\r\n\r\ndata: {"a":2}\n\n: keep-alive\n'), [{ a: 1 }, { a: 2 }]);
  });

  it('traces the replay as the tracer traces a call, in the replays run, pointing at the original', () => {
    const o: ReplayOrigin = { traceId: 'tr-1', spanId: 'abc', spanName: 'Models.generateContent', spanType: 'LLM', api: 'generateContent', stream: false };
    const outputs = { candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] } }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, thoughtsTokenCount: 2, totalTokenCount: 6 } };
    assert.deepEqual(usageOf(outputs), { input_tokens: 3, output_tokens: 3, total_tokens: 6 });
    const r = replayTrace({ origin: o, request: { model: 'm', contents: 'q' }, model: 'm', url: 'http://x/v1beta/models/m:generateContent', base: 'http://x', startMs: 1000, endMs: 1500, outputs });
    assert.match(r.traceId, /^tr-[0-9a-f]{32}$/);
    const span = (r.body as { resourceSpans: { scopeSpans: { spans: { name: string; attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[] }).resourceSpans[0].scopeSpans[0].spans[0];
    const a = Object.fromEntries(span.attributes.map((x) => [x.key, x.value.stringValue ?? x.value]));
    assert.equal(span.name, 'Models.generateContent');
    assert.equal(a['mlflow.traceTag.gemini_trace.run_name'], 'replays');
    assert.equal(a['mlflow.traceTag.gemini_trace.replay_of'], 'tr-1/abc');
    assert.equal(a['gemini.api.base_url'], 'http://x');
    assert.deepEqual(JSON.parse(a['mlflow.chat.tokenUsage'] as string), { input_tokens: 3, output_tokens: 3, total_tokens: 6 });
  });
});
