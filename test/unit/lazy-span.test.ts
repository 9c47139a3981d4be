// Python's traces.json spans keep their inputs and outputs as JSON text until something reads them
// (src/model/lazySpan.ts). Everything the panel shows must be what decoding them up front gave:
// the TypeScript encoding of the same generated trace, whose values arrive decoded, is the
// reference. And opening a trace (table, header, history check) must leave the payloads undecoded.
import assert from 'node:assert/strict';
import { generateTrace } from '../../bench/gen-trace.mjs';
import { readModelCall, requestMayHoldAnswers } from '../../src/model/adapters/read';
import { LazySpan } from '../../src/model/lazySpan';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Span, Trace } from '../../src/model/types';
import { TraceSession } from '../../src/panel/session';
import { topLevelFields } from '../../src/shared/jsonFields';
import { tryParseJson } from '../../src/shared/json';
import { loopTurns } from '../helpers/loopTurns';

function read(opts: Parameters<typeof generateTrace>[0]): Trace {
  const g = generateTrace(opts);
  const t = normalizeTrace({ info: g.info, spans: g.spansJson });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

const pending = (s: Span): boolean => s instanceof LazySpan && s.pendingInputs !== undefined;

describe('model: payloads decoded when read', () => {
  for (const variant of [{}, { hostile: true }, { inProgress: true }]) {
    it(`gives what decoding up front gives: spans, model calls, details, search (${JSON.stringify(variant)})`, () => {
      const opts = { spans: 600, seed: 5, startMs: 1_700_000_000_000, ...variant };
      const lazy = read({ ...opts, encoding: 'python' });
      const eager = read({ ...opts, encoding: 'typescript' });
      assert.ok(lazy.spans.filter(pending).length > 500, 'the python spans start with their payload undecoded');
      assert.ok(!eager.spans.some(pending), 'the typescript spans arrive decoded');
      // What the table and header are built from, read before any payload is decoded.
      assert.deepEqual(lazy.usage, eager.usage);
      assert.deepEqual(lazy.models, eager.models);
      const ls = new TraceSession(lazy);
      const es = new TraceSession(eager);
      // A running trace's header says "now" (Date.now()): the two reads may straddle a millisecond.
      const before = Date.now();
      const [lh, eh] = [ls.header(), es.header()];
      assert.ok(Math.abs(lh.nowMs - eh.nowMs) <= Date.now() - before, `nowMs ${lh.nowMs} vs ${eh.nowMs}`);
      assert.deepEqual({ ...lh, nowMs: 0 }, { ...eh, nowMs: 0 });
      assert.deepEqual(ls.table, es.table);
      for (const q of ['paris', 'type:tool timed', 'gemini answer', '"onerror=alert(1)"', 'status:error']) {
        assert.deepEqual(ls.search(q), es.search(q), `search "${q}"`);
      }
      for (const [i, s] of lazy.spans.entries()) {
        const e = eager.byId.get(s.id);
        assert.ok(e, `span ${s.id} is in both`);
        for (const k of ['inputs', 'outputs', 'attributes', 'usage', 'model', 'code', 'exceptions', 'status'] as const) {
          assert.deepEqual(s[k], e[k], `span #${i} ${s.name}: ${k}`);
        }
        assert.deepEqual(readModelCall(s), readModelCall(e), `span #${i} ${s.name}: model call`);
        assert.deepEqual(ls.details(s.id), es.details(s.id), `span #${i} ${s.name}: details`);
      }
    });
  }

  it('opens a trace (table, header, history check) without decoding a payload', async () => {
    const t = read({ spans: 2_000, seed: 3, encoding: 'python', startMs: 1_700_000_000_000 });
    const before = t.spans.filter(pending).length;
    const s = await TraceSession.sliced(t, undefined);
    s.payload(1);
    assert.equal(await s.resendsHistory(), false);
    assert.equal(t.spans.filter(pending).length, before, 'no span was decoded');
    assert.ok(before > 1_000, `${before} spans with inputs pending`);
    // Asking for one span decodes that span alone.
    const call = t.spans.find((x) => x.type === 'CHAT_MODEL')!;
    s.details(call.id);
    assert.equal(t.spans.filter(pending).length, before - 1);
  });

  it('searches in slices, with the answer of a search in one go', async () => {
    const t = read({ spans: 5_000, seed: 9, encoding: 'python', startMs: 1_700_000_000_000 });
    const s = new TraceSession(t);
    const { value, turns } = await loopTurns(() => s.searchSliced('paris', { sliceMs: 1 }));
    assert.ok(turns > 2, `the search gave the event loop ${turns} turns`);
    assert.ok(value.indices.length > 100);
    assert.deepEqual(value, new TraceSession(read({ spans: 5_000, seed: 9, encoding: 'python', startMs: 1_700_000_000_000 })).search('paris'));
  });

  it('decodes a span whose request may resend an answer, and only such spans, for the history check', () => {
    const span = (inputs: unknown, attrs: Record<string, unknown> = {}): Span => {
      const g = { span_id: 'AAAAAAAAAAE=', trace_id: 'AAAAAAAAAAAAAAAAAAAAAQ==', name: 'Models.generate_content', start_time_unix_nano: 1, end_time_unix_nano: 2, status: { code: 'STATUS_CODE_OK' } };
      const attributes = Object.fromEntries(Object.entries({ 'mlflow.spanType': 'CHAT_MODEL', 'mlflow.message.format': 'gemini', ...attrs, 'mlflow.spanInputs': inputs }).map(([k, v]) => [k, JSON.stringify(v)]));
      const t = normalizeTrace({ info: {}, spans: [{ ...g, attributes }] });
      assert.ok(!isTraceError(t));
      return t.spans[0];
    };
    const resends = (s: Span) => !!readModelCall(s)?.request.some((m) => m.role === 'model' || m.role === 'assistant');
    const user = { role: 'user', parts: [{ text: 'hi "role": "model" in a prompt is text, not a turn' }] };
    const cases: [string, Span, boolean][] = [
      ['one user turn', span({ model: 'gemini-2.5-flash', contents: [user] }), false],
      ['a model turn', span({ contents: [user, { role: 'model', parts: [{ text: 'hello' }] }, user] }), true],
      ['a function call without a role', span({ contents: [user, { function_call: { name: 'f', args: {} } }] }), true],
      ['an OpenAI assistant message', span({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }, { 'mlflow.message.format': 'openai.chat' }), true],
      ['JSON nested in a string', span(JSON.stringify({ contents: [user, { role: 'model', parts: [{ text: 'x' }] }] })), true],
    ];
    for (const [what, s, expected] of cases) {
      assert.equal(requestMayHoldAnswers(s), expected, `${what}: told from the text`);
      assert.equal(resends(s), expected, `${what}: the model call as read`);
    }
    // Decoded spans, or spans whose messages live in attributes, are always read.
    const genai = span({ a: 1 }, { 'gen_ai.input.messages': [{ role: 'assistant' }] });
    assert.equal(requestMayHoldAnswers(genai), true);
    const decoded = cases[0][1];
    void decoded.inputs;
    assert.equal(requestMayHoldAnswers(decoded), true);
  });
});

describe('json: one top-level field read without the rest', () => {
  const got = (text: string, ...keys: string[]) => {
    const m = topLevelFields(text, keys);
    return m && Object.fromEntries(m);
  };

  it('finds top-level keys only, the last of duplicates, as JSON.parse reads them', () => {
    assert.deepEqual(got('{"a": {"u": 1}, "u": {"x": [1, {"u": 2}]}, "b": "\\"u\\": 3"}', 'u'), { u: { x: [1, { u: 2 }] } });
    assert.deepEqual(got('{"u": 1, "u": 2}', 'u'), { u: 2 });
    assert.deepEqual(got('{"a": "}{][", "\\u0075": null, "n": -1.5e3}', 'u', 'n'), { u: null, n: -1500 });
    assert.deepEqual(got(' { } ', 'u'), {});
    assert.deepEqual(got('{"a": [{"u": 1}]}', 'u'), {});
    // Parsed as every attribute value is: big integers exactly.
    const big = '{"prompt_token_count": 12345678901234567890}';
    assert.deepEqual(got(`{"usage_metadata": ${big}}`, 'usage_metadata'), { usage_metadata: (tryParseJson(big) as { value: unknown }).value });
  });

  it('gives up (undefined) on what is not an object or not well formed', () => {
    for (const bad of ['[1]', '"{\\"u\\": 1}"', 'null', '{"u": 1', '{"u": [1}', '{"u": "x}', '{"u": 1} x', '{"u": nope}', '{"u": 1]', '']) {
      assert.equal(topLevelFields(bad, ['u']), undefined, bad);
    }
  });
});
