// The Node preload's pure pieces for the Interactions and Live APIs: assembling a stream's events
// into the Interaction the non-streamed call returns (checked against the stand-in's own replies
// and events), the stream wrapper the app reads, media as metadata, and what the spans record.
import assert from 'node:assert/strict';
import { createAttributes, createInputs, failure, interactionOutputs, interactionUsage } from '../../src/inject/node/interactionShape';
import { InteractionAssembler } from '../../src/inject/node/interactionStream';
import { watchStream } from '../../src/inject/node/streamTap';
import { appendMessage, camelTop, liveUsage, MAX_TURN_MESSAGES, parseFrame, recordedMessage } from '../../src/inject/node/liveShape';
import { base64Bytes, pcmDurationMs, withoutMedia } from '../../src/inject/node/mediaSummary';
import { interactionEvents } from '../fixtures/gemini/interactionEvents';
import { interactionReply } from '../fixtures/gemini/interactionReplies';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON fixtures */
type Any = any;

function assemble(events: Any[]): InteractionAssembler {
  const asm = new InteractionAssembler();
  for (const e of events) asm.add(structuredClone(e));
  return asm;
}

const finished = (body: Any, id = 'int-1') => {
  const r = interactionReply(body);
  return { id, object: 'interaction', status: r.status, model: body.model, agent: body.agent, steps: r.steps, usage: r.usage };
};

describe('Node preload: Interactions stream assembly', () => {
  const bodies: Array<[string, Any]> = [
    ['thought, search, code, URL context, MCP', { model: 'm', input: 'Look at https://a.test/x [[think]]', tools: [{ type: 'google_search' }, { type: 'url_context' }, { type: 'code_execution' }, { type: 'file_search' }, { type: 'mcp_server', name: 'srv' }] }],
    ['a function call', { model: 'm', input: 'call it [[call:f {"a":[1,2],"b":"x y"}]]', tools: [{ type: 'function', name: 'f' }] }],
    ['a function result in, structured text out', { model: 'm', input: [{ type: 'function_result', call_id: 'c1', name: 'f', result: { ok: true } }] }],
    ['an image and audio out', { model: 'm', input: [{ type: 'text', text: 'draw and say [[image]] [[audio]]' }] }],
    ['an agent run', { agent: 'deep-research', input: 'research this' }],
  ];
  for (const [label, body] of bodies) {
    it(`${label}: the same steps, status and usage as the non-streamed reply`, () => {
      const it0 = finished(body);
      const asm = assemble(interactionEvents(it0));
      const out = asm.result() as Any;
      assert.deepEqual(out.steps, it0.steps);
      assert.equal(out.status, it0.status);
      assert.deepEqual(out.usage, it0.usage);
      assert.equal(out.id, 'int-1');
      const last = it0.steps[it0.steps.length - 1];
      if (last.type === 'model_output') assert.equal(out.output_text, last.content[0].text);
    });
  }

  it('counts the first step delta once and per-step usage by step', () => {
    const events = interactionEvents(finished({ model: 'm', input: 'hi [[think]]' }));
    const asm = new InteractionAssembler();
    const firsts = events.map((e) => asm.add(e));
    assert.equal(firsts.filter(Boolean).length, 1);
    assert.equal(events[firsts.indexOf(true)].event_type, 'step.delta');
    assert.deepEqual(asm.perStepUsage(), [null, { total_thought_tokens: 3 }, { total_output_tokens: 2 }]);
  });

  it('a stream resumed mid-step (no step.start) still gathers its deltas; broken JSON arguments stay text', () => {
    const events = interactionEvents(finished({ model: 'm', input: 'hi' }));
    const start = events.findIndex((e: Any) => e.event_type === 'step.start' && e.step.type === 'model_output');
    const out = assemble(events.slice(start + 1)).result() as Any;
    assert.deepEqual(out.steps, [{ type: 'model_output', content: [{ type: 'text', text: 'echo: hi' }] }]);
    const asm = assemble([
      { event_type: 'step.start', index: 0, step: { type: 'function_call', id: 'c', name: 'f', arguments: {} } },
      { event_type: 'step.delta', index: 0, delta: { type: 'arguments_delta', arguments: '{"a": 1' } },
      { event_type: 'step.stop', index: 0 },
    ]);
    assert.equal((asm.result() as Any).steps[0].arguments, '{"a": 1');
  });

  it('keeps unknown step and delta types with their JSON, and reports an error event', () => {
    const asm = assemble([
      { event_type: 'interaction.created', interaction: { id: 'i', status: 'in_progress' } },
      { event_type: 'step.start', index: 0, step: { type: 'hologram_call', id: 'h', arguments: { x: 1 } } },
      { event_type: 'step.delta', index: 0, delta: { type: 'hologram_call', frames: [1], note: 'a' } },
      { event_type: 'step.delta', index: 0, delta: { type: 'hologram_call', frames: [2], note: 'b' } },
      { event_type: 'some.new_event', anything: true },
      { event_type: 'error', error: { code: 'UNAVAILABLE', message: 'gone' } },
    ]);
    assert.deepEqual(asm.result().steps, [{ type: 'hologram_call', id: 'h', arguments: { x: 1 }, frames: [1, 2], note: 'b' }]);
    assert.deepEqual(asm.error, { code: 'UNAVAILABLE', message: 'gone' });
    assert.equal(asm.events, 6);
  });

  it('merges continuation hops as the SDK merges unary hops', () => {
    const first = { ...finished({ model: 'm', input: 'a b' }, 'hop-1'), status: 'requires_continuation', continuation_token: 't1', usage: { total_input_tokens: 2, total_output_tokens: 1, total_tokens: 3 } };
    first.steps = [first.steps[0], { type: 'model_output', content: [{ type: 'text', text: 'echo: ' }] }];
    const second = { id: 'hop-2', object: 'interaction', status: 'completed', model: 'm', steps: [{ type: 'user_input', content: [{ type: 'text', text: 'a b' }] }, { type: 'model_output', content: [{ type: 'text', text: 'a b' }] }], usage: { total_input_tokens: 2, total_output_tokens: 2, total_tokens: 4 } };
    const out = assemble([...interactionEvents(first), ...interactionEvents(second)]).result() as Any;
    assert.equal(out.id, 'hop-2');
    assert.deepEqual(out.continuation_ids, ['hop-1', 'hop-2']);
    assert.deepEqual(out.steps.map((s: Any) => s.type), ['user_input', 'model_output', 'model_output']);
    assert.equal(out.output_text, 'echo: a b');
    assert.deepEqual(out.usage, { total_input_tokens: 4, total_output_tokens: 3, total_tokens: 7, initial_input_tokens: 2 });
  });
});

describe('Node preload: the stream the app reads', () => {
  class Stream extends ReadableStream<unknown> {
    async *[Symbol.asyncIterator](): AsyncGenerator<unknown> {
      // As the SDK's Stream: iteration through ReadableStream's own async iterator.
      yield* (ReadableStream.prototype as unknown as { [Symbol.asyncIterator](this: unknown): AsyncIterable<unknown> })[Symbol.asyncIterator].call(this);
    }
  }
  const source = (events: unknown[], fail?: Error) => {
    let i = 0;
    const s = new ReadableStream<unknown>({
      pull(c) {
        if (i < events.length) c.enqueue(events[i++]);
        else if (fail) c.error(fail);
        else c.close();
      },
    });
    Object.setPrototypeOf(s, Stream.prototype);
    return s as Stream;
  };
  const watch = () => {
    const seen: { first: number; end?: [string, unknown, unknown] } = { first: 0 };
    return { seen, w: { firstDelta: () => seen.first++, end: (asm: Any, how: string, err: unknown) => (seen.end = [how, asm?.result(), err]) } };
  };
  const events = () => interactionEvents(finished({ model: 'm', input: 'hi' }));

  it('the app keeps the SDK’s own stream and gets the very same event objects; the span sees them on their way', async () => {
    const evs = events();
    const { seen, w } = watch();
    const src = source(evs);
    assert.equal(watchStream(src, w), src, 'the same object');
    assert.deepEqual(Object.keys(src), [], 'no enumerable property added');
    const got: unknown[] = [];
    for await (const e of src as unknown as AsyncIterable<unknown>) got.push(e);
    assert.equal(got.length, evs.length);
    got.forEach((e, i) => assert.equal(e, evs[i], 'same object'));
    assert.equal(seen.first, 1);
    assert.equal(seen.end![0], 'done');
    assert.equal((seen.end![1] as Any).output_text, 'echo: hi');
  });

  it('getReader() is seen too; an early stop or cancel ends the span; a failure reaches the app as the same error', async () => {
    const evs = events();
    const r1 = watch();
    const reader = (watchStream(source(evs), r1.w) as Stream).getReader();
    for (let i = 0; i < evs.length; i++) assert.equal((await reader.read()).value, evs[i]);
    assert.equal((await reader.read()).done, true);
    assert.equal(r1.seen.end![0], 'done');
    const r2 = watch();
    let n = 0;
    for await (const _e of watchStream(source(evs), r2.w) as unknown as AsyncIterable<unknown>) if (++n === 2) break;
    assert.equal(r2.seen.end![0], 'early');
    const r3 = watch();
    await (watchStream(source(evs), r3.w) as Stream).cancel('not needed');
    assert.equal(r3.seen.end![0], 'early');
    const boom = new Error('connection reset');
    const r4 = watch();
    const failing = (watchStream(source(evs.slice(0, 2), boom), r4.w) as Stream).getReader();
    await failing.read();
    await failing.read();
    await assert.rejects(failing.read(), (e) => e === boom);
    assert.deepEqual([r4.seen.end![0], r4.seen.end![2]], ['error', boom]);
  });

  it('tee() and pipeThrough() read out of sight: the span ends there, marked handed on; the app still gets everything', async () => {
    const evs = events();
    const { seen, w } = watch();
    const [a, b] = (watchStream(source(evs), w) as Stream).tee();
    assert.equal(seen.end![0], 'handed-on');
    const got: unknown[] = [];
    for await (const e of a as unknown as AsyncIterable<unknown>) got.push(e);
    await b.cancel();
    assert.equal(got.length, evs.length);
  });

  it('an event it cannot read stops the assembly, not the stream; anything that is not a stream passes through', async () => {
    const hostile = new Proxy({}, { get() { throw new Error('no reading me'); } });
    const evs = [hostile, { event_type: 'step.delta', index: 0, delta: { type: 'text', text: 'x' } }];
    const { seen, w } = watch();
    const got: unknown[] = [];
    for await (const e of watchStream(source(evs), w) as unknown as AsyncIterable<unknown>) got.push(e);
    assert.equal(got[0], hostile);
    assert.equal(got.length, 2);
    assert.deepEqual(seen.end!.slice(0, 2), ['done', undefined]);
    const other = { not: 'a stream' };
    assert.equal(watchStream(other, w), other);
  });
});

describe('Node preload: media as metadata', () => {
  it('sizes base64 and times PCM without decoding', () => {
    for (const n of [0, 1, 2, 3, 4800]) assert.equal(base64Bytes(Buffer.alloc(n).toString('base64')), n);
    assert.equal(pcmDurationMs('audio/pcm;rate=16000', 3200), 100);
    assert.equal(pcmDurationMs('audio/pcm', 4800, 24000, 1), 100);
    assert.equal(pcmDurationMs('audio/mp3', 4800), undefined);
  });

  it('summarizes blobs copy-on-write and leaves everything else (and the original) alone', () => {
    const plain = { a: [{ type: 'text', text: 'x' }], b: { c: 1 } };
    assert.equal(withoutMedia(plain, { keepBelow: 0 }), plain);
    const audio = { type: 'audio', mime_type: 'audio/pcm;rate=24000', data: Buffer.alloc(4800).toString('base64') };
    const msg = { steps: [{ type: 'model_output', content: [{ type: 'text', text: 'x' }, audio] }], other: plain };
    const out = withoutMedia(msg, { keepBelow: 1000 });
    assert.deepEqual(out.steps[0].content[1], { type: 'audio', mime_type: 'audio/pcm;rate=24000', bytes: 4800, duration_ms: 100 });
    assert.equal(out.other, plain, 'untouched branches are shared');
    assert.equal(msg.steps[0].content[1], audio);
    assert.ok(audio.data.length > 0, 'the app’s object is unchanged');
    const small = { type: 'image', mime_type: 'image/png', data: 'iVBORw0K' };
    assert.equal(withoutMedia(small, { keepBelow: 1000 }), small, 'a small image stays');
    assert.deepEqual(withoutMedia({ inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } }, { keepBelow: 0 }), { inlineData: { mimeType: 'image/jpeg', bytes: 3 } });
  });
});

describe('Node preload: what an Interactions span records', () => {
  it('inputs: the REST body without SDK options, MCP headers masked, no content without capture', () => {
    const params = { model: 'm', input: 'secret', system_instruction: 'sys', api_version: 'v1beta', automatic_continuation: false, tools: [{ type: 'mcp_server', name: 's', headers: { Authorization: 'Bearer t' } }, { type: 'google_search' }] };
    assert.deepEqual(createInputs(params, true), { model: 'm', input: 'secret', system_instruction: 'sys', tools: [{ type: 'mcp_server', name: 's', headers: { Authorization: '[redacted]' } }, { type: 'google_search' }] });
    assert.deepEqual(createInputs(params, false), { model: 'm', tools: [{ type: 'mcp_server', name: 's', headers: { Authorization: '[redacted]' } }, { type: 'google_search' }] });
    assert.equal(params.tools[0].headers!.Authorization, 'Bearer t', 'the app’s params are unchanged');
  });

  it('outputs: the Interaction without sdkHttpResponse; without capture, metadata and step ids only', () => {
    const it0 = { id: 'i', status: 'completed', model: 'm', usage: { total_tokens: 3 }, output_text: 'hi', steps: [{ type: 'function_call', id: 'c', name: 'f', arguments: { q: 'secret' } }], sdkHttpResponse: { headers: { 'set-cookie': 'x' } } };
    const full = interactionOutputs(it0, true) as Any;
    assert.equal(full.sdkHttpResponse, undefined);
    assert.equal(full.output_text, 'hi');
    assert.deepEqual(interactionOutputs(it0, false), { id: 'i', status: 'completed', model: 'm', usage: { total_tokens: 3 }, steps: [{ type: 'function_call', id: 'c', name: 'f' }] });
  });

  it('usage in MLflow keys, request settings as attributes, a failure in the API’s words', () => {
    assert.deepEqual(interactionUsage({ total_input_tokens: 5, total_output_tokens: 3, total_tokens: 12, total_cached_tokens: 2, total_thought_tokens: 1, total_tool_use_tokens: 3 }), { input_tokens: 5, output_tokens: 3, total_tokens: 12, cache_read_input_tokens: 2, thoughts_tokens: 1, tool_use_prompt_tokens: 3 });
    assert.equal(interactionUsage({}), undefined);
    const attrs = createAttributes({ agent: 'a', generation_config: { temperature: 0.5, top_p: 0.9, max_output_tokens: 10, thinking_level: 'high', stop_sequences: ['x'] }, tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }, { type: 'google_search' }] });
    assert.deepEqual(attrs, { 'gemini.agent': 'a', 'gen_ai.request.temperature': 0.5, 'gen_ai.request.top_p': 0.9, 'gen_ai.request.max_tokens': 10, 'gemini.request.thinking_level': 'high', 'gen_ai.request.stop_sequences': ['x'], 'mlflow.chat.tools': '[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]', 'gemini.request.tools': ['function', 'google_search'] });
    assert.deepEqual(failure({ status: 'failed', errors: [{ message: 'quota' }] }), { name: 'InteractionFailed', message: 'Interaction failed: quota' });
    assert.deepEqual(failure({ status: 'cancelled' }), { name: 'InteractionCancelled', message: 'Interaction cancelled.' });
  });
});

describe('Node preload: what a Live turn records', () => {
  it('folds streamed audio chunks, caps a turn, keeps only kinds without capture', () => {
    const chunk = () => recordedMessage({ realtimeInput: { audio: { mimeType: 'audio/pcm;rate=16000', data: Buffer.alloc(3200).toString('base64') } } }, true);
    const list: Any[] = [];
    for (let i = 0; i < 3; i++) appendMessage(list, chunk());
    appendMessage(list, { realtimeInput: { text: 'hi' } });
    appendMessage(list, chunk());
    assert.deepEqual(list, [
      { realtimeInput: { audio: { mimeType: 'audio/pcm;rate=16000', bytes: 9600, durationMs: 300, chunks: 3 } } },
      { realtimeInput: { text: 'hi' } },
      { realtimeInput: { audio: { mimeType: 'audio/pcm;rate=16000', bytes: 3200, durationMs: 100 } } },
    ]);
    const full: Any[] = [];
    for (let i = 0; i < MAX_TURN_MESSAGES; i++) assert.ok(appendMessage(full, { serverContent: { n: i } }));
    assert.equal(appendMessage(full, { serverContent: {} }), false);
    assert.deepEqual(recordedMessage({ clientContent: { turns: [{ parts: [{ text: 'secret' }] }] }, usageMetadata: { totalTokenCount: 3 } }, false), { clientContent: {}, usageMetadata: { totalTokenCount: 3 } });
  });

  it('reads frames, names Python’s fields as the API does, maps Live usage', () => {
    assert.deepEqual(parseFrame(Buffer.from('{"a":1}')), { a: 1 });
    assert.deepEqual(parseFrame('{"a":1}'), { a: 1 });
    assert.equal(parseFrame('not json'), undefined);
    assert.equal(parseFrame(new Blob(['{}'])), undefined);
    assert.deepEqual(camelTop({ client_content: { turns: [] }, tool_response: {} }), { clientContent: { turns: [] }, toolResponse: {} });
    assert.deepEqual(liveUsage({ promptTokenCount: 4, responseTokenCount: 6, totalTokenCount: 10, thoughtsTokenCount: 1 }), { input_tokens: 4, output_tokens: 6, total_tokens: 10, thoughts_tokens: 1 });
  });
});
