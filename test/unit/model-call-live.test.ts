// The Live adapter on a session shaped as the Node preload writes it (test/fixtures/surfaces/live.ts),
// and on malformed input. Pure.
import assert from 'node:assert/strict';
import { renderResponse } from '../../src/diff/text';
import { fromLive } from '../../src/model/adapters/live';
import { readModelCall } from '../../src/model/adapters/read';
import { LIVE_MODEL, liveSession } from '../fixtures/surfaces/live';
import { toTrace } from '../fixtures/surfaces/spec';

describe('model call: Live', () => {
  const t = toTrace(liveSession());
  const [session, turn1, tool, turn2] = t.spans;

  it('reads turns, not the session root', () => {
    assert.deepEqual([session.name, turn1.name, tool.name, turn2.name], ['Live.session', 'Live.turn', 'get_time', 'Live.turn']);
    assert.equal(readModelCall(session), undefined, 'the session holds turns, not messages');
    assert.equal(readModelCall(tool), undefined);
  });

  it('turn 1: the audio as metadata (its chunks folded), what was heard, the tool call beside its response, the spoken answer', () => {
    const c = readModelCall(turn1)!;
    assert.equal(c.api, 'gemini.live');
    assert.equal(c.model, LIVE_MODEL);
    assert.deepEqual(c.request, [{ role: 'user', parts: [
      { kind: 'media', mimeType: 'audio/pcm;rate=16000', bytes: 64000, durationMs: 2000, chunks: 20 },
      { kind: 'event', name: 'audio stream end' },
      { kind: 'transcription', of: 'input', text: 'What time is it in Tokyo?' },
    ] }], 'the tool response is not part of what the user said');
    assert.deepEqual(c.response[0].message.parts, [
      { kind: 'functionCall', name: 'get_time', args: { city: 'Tokyo' }, id: 'fc_1' },
      { kind: 'functionResponse', name: 'get_time', response: { time: '21:04' }, id: 'fc_1' },
      { kind: 'media', mimeType: 'audio/pcm;rate=24000', bytes: 96000, durationMs: 2000, chunks: 20 },
      { kind: 'transcription', of: 'output', text: "It's 21:04 in Tokyo." },
    ]);
    assert.equal(c.ordered, true);
    assert.equal(c.status, 'complete');
    assert.deepEqual(c.ids, { session: 'live-session-7' }, 'a turn names its session');
    assert.equal(c.responseText, "It's 21:04 in Tokyo.", 'a spoken answer reads as its transcription');
    assert.deepEqual(c.usage, { input: 140, output: 60, total: 200, cached: 0, thinking: 0 });
    assert.equal(c.promptText, '[audio/pcm;rate=16000, 64000 bytes, 2.0 s, 20 chunks]\n[audio stream end]\nWhat time is it in Tokyo?');
    assert.equal(renderResponse(c), '── model ──\n[function call] get_time\n{\n  "city": "Tokyo"\n}\n[function response] get_time\n{\n  "time": "21:04"\n}\n[inline data] audio/pcm;rate=24000, 96000 bytes, 2.0 s, 20 chunks\n[spoken] It\'s 21:04 in Tokyo.\n\n── status ──\ncomplete\n');
  });

  it('turn 2: typed text, the spoken start of an answer, the interruption', () => {
    const c = readModelCall(turn2)!;
    assert.deepEqual(c.request, [{ role: 'user', parts: [{ kind: 'text', text: 'And in Paris?' }] }]);
    const parts = c.response[0].message.parts;
    assert.deepEqual(parts.slice(0, 2), [
      { kind: 'media', mimeType: 'audio/pcm;rate=24000', bytes: 9600, durationMs: 200, chunks: 2 },
      { kind: 'transcription', of: 'output', text: 'In Paris it is ' },
    ]);
    assert.equal(parts[2].kind, 'event');
    assert.equal(c.status, 'interrupted');
    assert.match(renderResponse(c), /\[spoken\] In Paris it is \n\[interrupted\]/);
  });

  it('says when no message of the app began a turn', () => {
    const span = toTrace({ name: 'x', spans: [{ key: 'a', name: 'Live.turn', type: 'CHAT_MODEL', startMs: 0, endMs: 1, attributes: { 'mlflow.message.format': 'gemini.live', 'gemini_trace.turn_opened_by': 'server', 'mlflow.spanInputs': { messages: [] }, 'mlflow.spanOutputs': { messages: [{ serverContent: { modelTurn: { parts: [{ text: 'Hello?' }] } } }], turn_complete: false } } }] }).spans[0];
    assert.deepEqual(fromLive(span).response[0].message.parts, [{ kind: 'event', name: 'opened by the server', detail: 'no message of the app began this turn' }, { kind: 'text', text: 'Hello?' }]);
  });

  it('a tool response with no call in its turn stays on the user side; dropped messages are said', () => {
    const span = toTrace({ name: 'x', spans: [{ key: 'a', name: 'Live.turn', type: 'CHAT_MODEL', startMs: 0, endMs: 1, attributes: { 'mlflow.message.format': 'gemini.live', 'mlflow.spanInputs': { messages: [{ toolResponse: { functionResponses: [{ id: 'old', name: 'f', response: {} }] } }] }, 'mlflow.spanOutputs': { messages: [], turn_complete: true, messages_dropped: 12 } } }] }).spans[0];
    const c = fromLive(span);
    assert.deepEqual(c.request, [{ role: 'user', parts: [{ kind: 'functionResponse', name: 'f', response: {}, id: 'old' }] }]);
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0], /^12 messages of this turn were not recorded/);
  });

  it('falls back on what the tracer gathered when the messages are missing', () => {
    const bare = toTrace({ name: 'x', spans: [{ key: 'a', name: 'Live.turn', type: 'CHAT_MODEL', startMs: 0, endMs: 1, attributes: { 'mlflow.message.format': 'gemini.live', 'mlflow.spanInputs': { messages: [] }, 'mlflow.spanOutputs': { messages: [], text: 'Hello there', input_transcription: 'hi', turn_complete: true } } }] }).spans[0];
    const c = fromLive(bare);
    assert.deepEqual(c.request, [{ role: 'user', parts: [{ kind: 'transcription', of: 'input', text: 'hi' }] }]);
    assert.equal(c.responseText, 'Hello there');
    assert.equal(c.status, 'complete');
  });

  it('reads client content turns (camelCase or snake_case) and survives junk', () => {
    const span = (inputs: unknown, outputs: unknown) => toTrace({ name: 'x', spans: [{ key: 'a', name: 'Live.turn', type: 'CHAT_MODEL', startMs: 0, endMs: 1, attributes: { 'mlflow.message.format': 'gemini.live', 'mlflow.spanInputs': inputs, 'mlflow.spanOutputs': outputs } }] }).spans[0];
    const c = fromLive(span({ messages: [{ client_content: { turns: [{ role: 'user', parts: [{ text: 'typed' }] }], turn_complete: true } }] }, { messages: [{ server_content: { model_turn: { parts: [{ text: 'a' }, { text: 'b' }] }, turn_complete: true } }, { tool_call_cancellation: { ids: ['x'] } }] }));
    assert.deepEqual(c.request, [{ role: 'user', parts: [{ kind: 'text', text: 'typed' }] }]);
    assert.deepEqual(c.response[0].message.parts, [{ kind: 'text', text: 'ab' }, { kind: 'event', name: 'tool call cancelled', detail: 'x' }]);
    for (const [i, o] of [[null, null], [{ messages: 'x' }, { messages: [null, 1, { serverContent: 'no' }] }], [{ messages: [{ realtimeInput: { audio: 'raw' } }] }, 7]] as const) {
      assert.doesNotThrow(() => fromLive(span(i, o)));
    }
  });
});
