// The Gemini stand-in's Interactions and Live APIs, driven by the real clients: `@google/genai`
// (JS) in this process and `google-genai` (Python) from the project venv, each pointed at it by
// its base URL, as an app would be.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { GoogleGenAI, Modality } from '@google/genai';
import type { LiveServerMessage } from '@google/genai';
import { interactionReply } from '../fixtures/gemini/interactionReplies';
import { LIVE_AUDIO_CHUNK } from '../fixtures/gemini/live';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { selfSignedCert } from '../fixtures/gemini/tls';

/* eslint-disable @typescript-eslint/no-explicit-any -- SDK events and replies are read loosely */
type Any = any;

const root = join(__dirname, '..', '..');
const MODEL = 'gemini-3-flash-preview';
const AGENT = 'deep-research-preview-04-2026';

async function collect(stream: AsyncIterable<unknown>): Promise<Any[]> {
  const out: Any[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

/** A Live session that records what arrives, with `until` deciding when a wait is over. */
async function liveSession(ai: GoogleGenAI, config: object) {
  const messages: LiveServerMessage[] = [];
  let waiter: { test: (m: LiveServerMessage) => boolean; done: () => void } | undefined;
  let closed: { code: number; reason: string } | undefined;
  const session = await ai.live.connect({
    model: 'gemini-live-2.5-flash',
    config,
    callbacks: {
      onmessage: (m) => {
        messages.push(m);
        if (waiter?.test(m)) waiter.done();
      },
      onclose: (e) => { closed = { code: e.code, reason: e.reason }; waiter?.done(); },
    },
  });
  const until = (test: (m: LiveServerMessage) => boolean) => new Promise<void>((done) => { waiter = { test, done }; });
  return { session, messages, until, closed: () => closed };
}

describe('Gemini stand-in: Interactions and Live', function () {
  this.timeout(60_000);
  let s: Standin;
  let ai: GoogleGenAI;

  before(async () => {
    s = await startStandin({ tls: selfSignedCert() });
    ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: s.url } });
  });
  after(() => s.close());
  beforeEach(() => s.reset());

  describe('with the real @google/genai', () => {
    it('creates a model interaction: echoed input, thought, built-in tool steps, usage', async () => {
      const body = { model: MODEL, input: 'Look this up [[think]]', tools: [{ type: 'google_search' as const }, { type: 'code_execution' as const }], system_instruction: 'Be brief.' };
      const r = await ai.interactions.create(body);
      const expected = interactionReply(body);
      assert.equal(r.status, 'completed');
      assert.deepEqual(r.steps, expected.steps);
      assert.deepEqual(r.steps.map((x) => x.type), ['user_input', 'thought', 'google_search_call', 'google_search_result', 'code_execution_call', 'code_execution_result', 'model_output']);
      assert.equal(r.output_text, 'echo: Look this up');
      assert.equal(r.usage?.total_input_tokens, 6);
      assert.equal(r.usage?.total_thought_tokens, 5);
      assert.equal(r.usage?.total_tool_use_tokens, 6);
      const c = s.calls[0];
      assert.deepEqual([c.method, c.apiVersion, c.apiKey, c.model, c.id], ['interactions.create', 'v1', 'test-key', MODEL, r.id]);
    });

    it('streams the events of an interaction, and resumes a stream after an event id', async () => {
      const events = await collect(await ai.interactions.create({ model: MODEL, input: 'stream me', stream: true }));
      const types = events.map((e) => e.event_type);
      assert.deepEqual(types.slice(0, 2), ['interaction.created', 'interaction.status_update']);
      assert.deepEqual(types.slice(-2), ['interaction.status_update', 'interaction.completed']);
      assert.ok(types.includes('step.start') && types.includes('step.delta') && types.includes('step.stop'));
      assert.equal(events.filter((e) => e.event_type === 'step.delta' && e.delta.type === 'text').map((e) => e.delta.text).join(''), 'echo: stream me');
      assert.deepEqual(events.map((e) => e.event_id), events.map((_, i) => `${events[0].interaction.id}:${i + 1}`));
      const after = events[4].event_id;
      const resumed = await collect(await ai.interactions.get(events[0].interaction.id, { stream: true, last_event_id: after }));
      assert.deepEqual(resumed, events.slice(5));
      assert.deepEqual(s.calls[1].query, { stream: 'true', last_event_id: after });
    });

    it('runs a background agent: in progress at once, a thought halfway, completed after its run time; get includes the input on request', async () => {
      const started = Date.now();
      const bg = await ai.interactions.create({ agent: AGENT, input: 'Research owls [[run:600]]', background: true });
      assert.equal(bg.status, 'in_progress');
      assert.deepEqual(bg.steps.map((x) => x.type), ['user_input']);
      await new Promise((d) => setTimeout(d, 400));
      const half = await ai.interactions.get(bg.id);
      assert.equal(half.status, 'in_progress');
      assert.deepEqual(half.steps.map((x) => x.type), ['user_input', 'thought']);
      const events = await collect(await ai.interactions.get(bg.id, { stream: true }));
      assert.equal(events[events.length - 1].event_type, 'interaction.completed');
      assert.ok(Date.now() - started >= 600);
      const done = await ai.interactions.get(bg.id, { include_input: true });
      assert.equal(done.status, 'completed');
      assert.equal(done.output_text, 'report: Research owls');
      assert.equal(done.input, 'Research owls [[run:600]]');
      assert.ok(done.usage?.total_tokens);
    });

    it('cancels a running background interaction, refuses to cancel a finished one, deletes', async () => {
      const bg = await ai.interactions.create({ agent: AGENT, input: 'Research bats', background: true });
      assert.equal((await ai.interactions.cancel(bg.id)).status, 'cancelled');
      await assert.rejects(ai.interactions.cancel(bg.id), (e: Any) => e.status === 400 && /only a background interaction still in progress/.test(e.message));
      await ai.interactions.delete(bg.id);
      await assert.rejects(ai.interactions.get(bg.id), (e: Any) => e.status === 404);
    });

    it('answers function calls, function results, structured output, failures and HTTP errors', async () => {
      const call = await ai.interactions.create({ model: MODEL, input: 'weather? [[call:get_weather {"city":"Oslo"}]]', tools: [{ type: 'function', name: 'get_weather' }] });
      assert.equal(call.status, 'requires_action');
      const fc = call.steps[call.steps.length - 1] as Any;
      assert.deepEqual([fc.type, fc.name, fc.arguments], ['function_call', 'get_weather', { city: 'Oslo' }]);
      const next = await ai.interactions.create({ model: MODEL, previous_interaction_id: call.id, input: [{ type: 'function_result', call_id: fc.id, name: 'get_weather', result: { t: 3 } }] });
      assert.equal(next.output_text, 'get_weather returned {"t":3}');
      const json = await ai.interactions.create({ model: MODEL, input: 'a city', response_format: { type: 'text', mime_type: 'application/json', schema: { type: 'object', properties: { name: { type: 'string' }, size: { type: 'number' } } } } });
      assert.deepEqual(JSON.parse(json.output_text!), { name: 'test', size: 1 });
      const failed = await ai.interactions.create({ model: MODEL, input: 'doomed [[fail]]' });
      assert.equal(failed.status, 'failed');
      assert.match((failed as Any).errors[0].message, /could not finish/);
      await assert.rejects(ai.interactions.create({ model: MODEL, input: 'bad [[400]]' }), (e: Any) => e.status === 400 && /invalid argument/.test(e.message));
    });

    it('cuts a long decode into continuation hops, which the SDK merges', async () => {
      const r = await ai.interactions.create({ model: MODEL, input: 'a b c d e f [[continue:2]]' });
      assert.equal(r.output_text, 'echo: a b c d e f');
      assert.equal(r.continuation_ids?.length, 3);
      const hops = s.calls.filter((c) => c.method === 'interactions.create');
      assert.deepEqual(hops.map((c) => c.response.status), ['requires_continuation', 'requires_continuation', 'completed']);
      assert.equal(hops[1].body.continuation_token, hops[0].response.continuation_token);
      assert.equal(hops[1].body.previous_interaction_id, hops[0].response.id);
    });

    it('serves a Live session: setup, a text turn with a tool call, usage', async () => {
      const live = await liveSession(ai, { responseModalities: [Modality.TEXT], tools: [{ functionDeclarations: [{ name: 'lookup' }] }] });
      assert.equal(live.messages[0].setupComplete?.sessionId, 'live-session-1');
      const toolCall = live.until((m) => !!m.toolCall);
      live.session.sendClientContent({ turns: 'find it [[call:lookup {"q":1}]]' });
      await toolCall;
      const fc = live.messages.find((m) => m.toolCall)!.toolCall!.functionCalls![0];
      assert.deepEqual([fc.name, fc.args], ['lookup', { q: 1 }]);
      const complete = live.until((m) => !!m.serverContent?.turnComplete);
      live.session.sendToolResponse({ functionResponses: [{ id: fc.id, name: 'lookup', response: { found: true } }] });
      await complete;
      assert.equal(live.messages.map((m) => m.text ?? '').join(''), 'lookup returned {"found":true}');
      assert.ok(live.messages.some((m) => m.serverContent?.generationComplete));
      assert.deepEqual(live.messages[live.messages.length - 1].usageMetadata, { promptTokenCount: 2, responseTokenCount: 3, totalTokenCount: 5, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2 }] });
      live.session.close();
      await new Promise((d) => setTimeout(d, 100));
      const c = s.calls.find((x) => x.method === 'live')!;
      assert.deepEqual([c.apiKey, c.apiVersion, c.model], ['test-key', 'v1', 'gemini-live-2.5-flash']);
    });

    it('serves Live audio with transcriptions, interruptions, goAway and error closes', async () => {
      const live = await liveSession(ai, { responseModalities: [Modality.AUDIO], inputAudioTranscription: {}, outputAudioTranscription: {} });
      const done = live.until((m) => !!m.serverContent?.turnComplete);
      live.session.sendRealtimeInput({ audio: { data: Buffer.alloc(1600).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
      live.session.sendRealtimeInput({ audioStreamEnd: true });
      await done;
      assert.equal(live.messages.find((m) => m.serverContent?.inputTranscription)!.serverContent!.inputTranscription!.text, 'heard 1600 bytes of audio');
      const audio = live.messages.filter((m) => m.serverContent?.modelTurn).map((m) => m.serverContent!.modelTurn!.parts![0].inlineData!);
      assert.ok(audio.length > 1 && audio.every((b) => b.mimeType === 'audio/pcm;rate=24000' && Buffer.from(b.data!, 'base64').length === LIVE_AUDIO_CHUNK));
      assert.equal(live.messages.map((m) => m.serverContent?.outputTranscription?.text ?? '').join(''), 'echo: heard 1600 bytes of audio');
      const interrupted = live.until((m) => !!m.serverContent?.turnComplete);
      live.session.sendRealtimeInput({ text: 'stop me [[interrupt]] and go [[goaway]]' });
      await interrupted;
      assert.ok(live.messages.some((m) => m.serverContent?.interrupted));
      await live.until(() => false); // the close ends it
      assert.deepEqual(live.closed(), { code: 1000, reason: 'session ended by the server' });
      assert.ok(live.messages.some((m) => m.goAway));
      const broken = await liveSession(ai, { responseModalities: [Modality.TEXT] });
      const closing = broken.until(() => false);
      broken.session.sendClientContent({ turns: 'x [[close:1011]]' });
      await closing;
      assert.equal(broken.closed()?.code, 1011);
    });
  });

  describe('with the real google-genai (Python)', () => {
    it('its Interactions and Live clients parse the same replies (Live over TLS on the same port)', async function () {
      const python = join(root, '.venv', 'bin', 'python');
      const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
        const child = spawn(python, [join(root, 'test/fixtures/gemini/interactions_probe.py')], {
          env: { ...process.env, GOOGLE_GEMINI_BASE_URL: s.url, GEMINI_API_KEY: 'py-key', SSL_CERT_FILE: s.caFile },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', fail);
        child.on('close', (code) => done({ code, stdout, stderr }));
      });
      assert.equal(res.code, 0, res.stderr);
      const out = JSON.parse(res.stdout);
      assert.deepEqual(out.create.steps, ['user_input', 'thought', 'google_search_call', 'google_search_result', 'model_output']);
      assert.equal(out.create.status, 'completed');
      assert.equal(out.streamText, 'echo: stream from python');
      assert.equal(out.stream[out.stream.length - 1], 'interaction.completed');
      assert.deepEqual([out.background, out.resumedLast, out.got.status, out.got.input], ['in_progress', 'interaction.completed', 'completed', 'research [[run:300]]']);
      assert.equal(out.cancel, 'cancelled');
      assert.equal(out.afterDelete, 404);
      assert.deepEqual(out.error, ['BadRequestError', 400]);
      assert.deepEqual([out.liveTool, out.liveText, out.liveUsage], ['lookup', 'lookup returned {"ok":1}', 4]);
      // Same paths, versions and key as the JS SDK; Live's key in a header instead of ?key=.
      const py = s.calls.filter((c) => c.apiKey === 'py-key');
      assert.ok(py.length >= 9 && py.every((c) => c.apiVersion === 'v1'));
      assert.deepEqual(py.find((c) => c.method === 'live')!.body.messages.slice(1).map((m: Any) => Object.keys(m)[0]), ['client_content', 'tool_response']);
    });
  });
});
