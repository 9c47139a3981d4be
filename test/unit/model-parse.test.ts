// The model's small parsers (ids, lossless JSON, times, trace summaries) and the token-usage rule,
// checked on the shapes MLflow and the Gemini SDKs produce.
import assert from 'node:assert/strict';
import type { TraceInfo } from '../../src/mlflow/types';
import { base64ToHex, toHexId } from '../../src/model/ids';
import { parseJsonLossless, tryParseJson } from '../../src/shared/json';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { summarizeTraceInfo } from '../../src/model/summary';
import { nsToMs, parseDurationMs, parseTimestampMs, toNs } from '../../src/model/time';
import { parseUsage, spanUsage } from '../../src/model/usage';
import type { Trace } from '../../src/model/types';

describe('trace model parsers', () => {
  it('ids: base64 (standard and URL-safe), hex, 0x-hex, tr- prefix, numbers', () => {
    assert.deepEqual(toHexId('WVbNGZ4KUps=', 8), { hex: '5956cd199e0a529b', ok: true });
    assert.deepEqual(toHexId('WVbNGZ4KUps', 8), { hex: '5956cd199e0a529b', ok: true }, 'unpadded');
    assert.deepEqual(toHexId('-_-_-_-_-_8=', 8), { hex: 'fbffbffbffbffbff', ok: true }, 'URL-safe alphabet');
    assert.deepEqual(toHexId('HHiYxT18PJv5bCQqYcTWkQ==', 16), { hex: '1c7898c53d7c3c9bf96c242a61c4d691', ok: true });
    assert.deepEqual(toHexId('5956CD199E0A529B', 8), { hex: '5956cd199e0a529b', ok: true });
    assert.deepEqual(toHexId('0x5956cd199e0a529b', 8), { hex: '5956cd199e0a529b', ok: true });
    assert.deepEqual(toHexId('tr-1c7898c53d7c3c9bf96c242a61c4d691', 16), { hex: '1c7898c53d7c3c9bf96c242a61c4d691', ok: true });
    assert.deepEqual(toHexId(255, 8), { hex: '00000000000000ff', ok: true });
    assert.equal(toHexId('', 8), undefined);
    assert.equal(toHexId(null, 8), undefined);
    const bad = toHexId('not an id!', 8)!;
    assert.equal(bad.ok, false);
    assert.match(bad.hex, /^[0-9a-f]{16}$/);
    assert.equal(toHexId('not an id!', 8)!.hex, bad.hex, 'stand-in ids are deterministic');
  });

  it('lossless JSON: int64 beyond 2^53 kept as decimal strings, everything else as JSON.parse', () => {
    const v = parseJsonLossless('{"a":1795240184268380943,"b":-9007199254740993,"c":9007199254740991,"d":1.5e300,"e":"1795240184268380943","f":"x\\"1795240184268380943","g":[12345678901234567890]}');
    assert.deepEqual(v, { a: '1795240184268380943', b: '-9007199254740993', c: 9007199254740991, d: 1.5e300, e: '1795240184268380943', f: 'x"1795240184268380943', g: ['12345678901234567890'] });
    assert.throws(() => parseJsonLossless('{"a":'), SyntaxError);
  });

  it('attribute values: tryParseJson decodes as JSON.parse does, plain strings included', () => {
    for (const text of ['"CHAIN"', '""', '"a\\"b"', '"tab\there"', '"raw\u0001control"', '"\\u00e9"', '"1795240184268380943"', '"unterminated', '"a"b"', 'plain text', '{"x": 1}', '12', '"\uD800"']) {
      let expected: unknown;
      try {
        expected = { ok: true, value: JSON.parse(text) };
      } catch {
        expected = { ok: false };
      }
      assert.deepEqual(tryParseJson(text), expected, text);
    }
  });

  it('ids: base64 (standard, URL-safe, unpadded) decodes as Buffer does; anything else is not base64', () => {
    for (let n = 0; n < 20; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 97 + n * 31) % 256));
      for (const b64 of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('base64').replace(/=+$/, '')]) assert.equal(base64ToHex(b64), bytes.toString('hex'), b64);
    }
    // Longer than any id (a hostile attribute): the same, in one string.
    const long = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    assert.equal(base64ToHex(long.toString('base64')), long.toString('hex'));
    for (const bad of ['a', 'ab=c', '====', 'a===', '!!!!', 'é', 'ab===']) assert.equal(base64ToHex(bad), undefined, bad);
  });

  it('times: ns from numbers, strings, bigint, HrTime; durations; RFC 3339 with ns fractions', () => {
    assert.equal(toNs('1795240184268380943'), 1_795_240_184_268_380_943n);
    assert.equal(toNs(1795240184268380943n), 1_795_240_184_268_380_943n);
    assert.equal(toNs(1234), 1234n);
    assert.equal(toNs([1795240184, 268380943]), 1_795_240_184_268_380_943n);
    assert.equal(toNs(-1), undefined);
    assert.equal(toNs('soon'), undefined);
    assert.equal(parseDurationMs('1.234s'), 1234);
    assert.equal(parseDurationMs('0.065s'), 65);
    assert.equal(parseDurationMs('0.000001s'), 0.001);
    assert.equal(parseDurationMs('3s'), 3000);
    assert.equal(parseDurationMs('1.2 seconds'), undefined);
    assert.equal(parseTimestampMs('2026-11-21T05:49:44.268Z'), Date.UTC(2026, 10, 21, 5, 49, 44, 268));
    assert.equal(parseTimestampMs('2026-11-21T05:49:44.268123456Z'), Date.UTC(2026, 10, 21, 5, 49, 44, 268) + 0.123456);
    assert.equal(parseTimestampMs('2026-11-21T07:49:44+02:00'), Date.UTC(2026, 10, 21, 5, 49, 44));
    assert.equal(parseTimestampMs('2026-11-21T07:49:44+0200'), Date.UTC(2026, 10, 21, 5, 49, 44));
    assert.equal(parseTimestampMs(1700000000000), 1700000000000);
    assert.equal(parseTimestampMs('nope'), undefined);
    assert.equal(nsToMs(1_500_001n), 1.500001);
  });

  it('summaries of TraceInfoV3, V2 field names and junk', () => {
    const v3: TraceInfo = {
      trace_id: 'tr-1', trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '7' } },
      request_time: '2026-11-21T05:52:25.749Z', execution_duration: '0.208s', state: 'OK',
      request_preview: '{"model": "models/gemini-2.5-pro", "contents": "hi", "config": {"http_opti…',
      response_preview: '{"candidates": []}',
      trace_metadata: {
        'mlflow.trace.tokenUsage': '{"input_tokens": 5, "output_tokens": 3, "total_tokens": 12}',
        'mlflow.trace.cost': '{"input_cost": 1.5e-06, "output_cost": 7.5e-06, "total_cost": 9e-06}',
      },
      tags: { 'mlflow.traceName': 'Models.generate_content' },
    };
    const s = summarizeTraceInfo(v3);
    assert.deepEqual(s, {
      id: 'tr-1', experimentId: '7', name: 'Models.generate_content', state: 'OK',
      requestTimeMs: Date.UTC(2026, 10, 21, 5, 52, 25, 749), durationMs: 208,
      requestPreview: v3.request_preview, responsePreview: v3.response_preview,
      tags: v3.tags, metadata: v3.trace_metadata,
      usage: { input: 5, output: 3, total: 12, cached: 0, thinking: 0 },
      cost: { input: 1.5e-6, output: 7.5e-6, total: 9e-6, currency: 'USD' },
      models: ['gemini-2.5-pro'],
    });
    const v2 = summarizeTraceInfo({ request_id: 'tr-2', experiment_id: '3', timestamp_ms: 1700000000000, execution_time_ms: 42, status: 'ERROR', tags: [{ key: 'k', value: 'v' }], request_metadata: [{ key: 'm', value: 'n' }] } as unknown as TraceInfo);
    assert.deepEqual([v2.id, v2.experimentId, v2.requestTimeMs, v2.durationMs, v2.state, v2.tags, v2.metadata], ['tr-2', '3', 1700000000000, 42, 'ERROR', { k: 'v' }, { m: 'n' }]);
    const junk = summarizeTraceInfo({ trace_id: 5, state: 'WEIRD', tags: 'x', trace_metadata: { 'mlflow.trace.tokenUsage': '{bad' } } as unknown as TraceInfo);
    assert.deepEqual([junk.id, junk.state, junk.requestTimeMs, junk.durationMs, junk.usage, junk.models], ['', 'UNKNOWN', 0, null, undefined, []]);
    assert.equal(summarizeTraceInfo({ trace_id: 'x', state: 'IN_PROGRESS', execution_duration: '1s' }).durationMs, null);
  });
});

describe('token usage', () => {
  it('thinking is part of output when Gemini reports candidates without thoughts', () => {
    assert.deepEqual(parseUsage({ promptTokenCount: 5, candidatesTokenCount: 3, thoughtsTokenCount: 4, totalTokenCount: 12, cachedContentTokenCount: 2 }),
      { input: 5, output: 7, total: 12, cached: 2, thinking: 4 });
    // A producer whose output already includes the thoughts: left alone.
    assert.deepEqual(parseUsage({ input_tokens: 5, output_tokens: 7, total_tokens: 12, thoughts_token_count: 4 }), { input: 5, output: 7, total: 12, cached: 0, thinking: 4 });
    assert.deepEqual(parseUsage({ input_tokens: 2, output_tokens: 3 }), { input: 2, output: 3, total: 5, cached: 0, thinking: 0 });
    assert.equal(parseUsage({ nothing: 1 }), undefined);
    assert.equal(parseUsage('x'), undefined);
  });

  it('span usage: MLflow attribute, else OTel GenAI attributes, else (model calls) the response metadata', () => {
    const outputs = { usage_metadata: { prompt_token_count: 9, candidates_token_count: 1, thoughts_token_count: 2, total_token_count: 12 } };
    assert.deepEqual(spanUsage({ 'mlflow.chat.tokenUsage': { input_tokens: 9, output_tokens: 1, total_tokens: 12, cache_read_input_tokens: 4 } }, outputs, true),
      { input: 9, output: 3, total: 12, cached: 4, thinking: 2 });
    assert.deepEqual(spanUsage({ 'mlflow.chat.tokenUsage': { input_tokens: 9, output_tokens: 1, total_tokens: 12, thoughts_tokens: 2 } }, null, true),
      { input: 9, output: 3, total: 12, cached: 0, thinking: 2 }, 'the Node preload\'s thoughts_tokens key');
    assert.deepEqual(spanUsage({ 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4 }, null, false), { input: 3, output: 4, total: 7, cached: 0, thinking: 0 });
    assert.deepEqual(spanUsage({}, outputs, true), { input: 9, output: 3, total: 12, cached: 0, thinking: 2 });
    assert.equal(spanUsage({}, outputs, false), undefined, 'a CHAIN returning a response does not count it');
  });

  /** Trace totals for a tree given as [id, parent, total tokens on the span or null]. */
  function totals(rows: [number, number | null, number | null][]): Trace {
    const spans = rows.map(([i, p, u]) => ({
      span_id: i.toString(16).padStart(16, '0'), parent_span_id: p === null ? '' : p.toString(16).padStart(16, '0'), name: `s${i}`,
      start_time_unix_nano: String(1000 + i), end_time_unix_nano: String(2000 + i), status: { code: 'STATUS_CODE_OK' },
      attributes: u === null ? {} : { 'mlflow.chat.tokenUsage': { input_tokens: u, output_tokens: 0, total_tokens: u }, 'mlflow.llm.cost': { total_cost: u / 100 } },
    }));
    const t = normalizeTrace({ info: { trace_id: 'tr-x' }, spans });
    assert.ok(!isTraceError(t));
    return t;
  }

  it('leaf-only usage sums the leaves', () => {
    const t = totals([[1, null, null], [2, 1, 10], [3, 1, null], [4, 3, 5], [5, 3, 7]]);
    assert.equal(t.usage.total, 22);
    assert.ok(Math.abs(t.cost!.total - 0.22) < 1e-12);
  });

  it('a rollup parent (= sum of children) is counted once', () => {
    assert.equal(totals([[1, null, 30], [2, 1, 10], [3, 1, 20]]).usage.total, 30);
  });

  it('a parent that recorded one identical child call is counted once (autolog generate_content)', () => {
    assert.equal(totals([[1, null, 12], [2, 1, 12]]).usage.total, 12);
  });

  it('a parent that recorded only its last round counts its children (AFC)', () => {
    const t = totals([[1, null, 7], [2, 1, 5], [3, 1, 7]]);
    assert.equal(t.usage.total, 12);
    assert.ok(Math.abs(t.cost!.total - 0.12) < 1e-12);
  });

  it('a parent whose own figure exceeds its children keeps its figure; nested levels compose', () => {
    assert.equal(totals([[1, null, 50], [2, 1, 10]]).usage.total, 50);
    // root(none) > A(20 rollup of 8+12) and B(none) > C(4)
    assert.equal(totals([[1, null, null], [2, 1, 20], [3, 2, 8], [4, 2, 12], [5, 1, null], [6, 5, 4]]).usage.total, 24);
  });

  it('orphans count on their own (their ancestors are unknown)', () => {
    assert.equal(totals([[1, null, 10], [2, 99, 3]]).usage.total, 13);
  });
});
