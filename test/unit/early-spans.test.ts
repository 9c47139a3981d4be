// Spans read while a trace downloads (src/model/earlySpans.ts) and the parse that hands them over
// (src/shared/jsonSteps.ts, StreamOptions.items): the trace normalised with spans read early is
// the very trace a plain read gives, warnings and their order included, whatever was read early.
import assert from 'node:assert/strict';
import { EarlySpans } from '../../src/model/earlySpans';
import { normalizeTrace } from '../../src/model/normalize';
import { parseJsonLossless } from '../../src/shared/jsonLossless';
import { parseJsonSteps, parseJsonStreamSteps } from '../../src/shared/jsonSteps';
import { runToEnd } from '../../src/shared/steps';
import { wholeText } from '../../src/shared/textWindow';
import { generateTrace } from '../../bench/gen-trace.mjs';

/** Spans of every kind normalising warns about or skips, among well-formed ones. */
function oddSpans(encoding: 'python' | 'typescript' | 'otel'): unknown[] {
  const spans = (JSON.parse(generateTrace({ spans: 60, encoding, seed: 5, hostile: true }).spansJson) as { spans: Record<string, unknown>[] }).spans;
  const copy = (i: number, patch: Record<string, unknown>): Record<string, unknown> => ({ ...spans[i], ...patch });
  return [
    ...spans.slice(0, 20),
    null,
    'a string',
    copy(3, { span_id: undefined, spanId: undefined }),
    copy(4, { span_id: 'not base64 !!' }),
    copy(5, { start_time_unix_nano: 'soon', end_time_unix_nano: 'later' }),
    copy(6, { end_time_unix_nano: 1 }),
    copy(7, { parent_span_id: { odd: true } }),
    copy(8, { attributes: { 'mlflow.spanType': '"LLM"', 'mlflow.chat.tokenUsage': '{"input_tokens": "many"}' } }),
    copy(9, { attributes: {} }), // no evidence of its SDK: read by normalising, never early
    ...spans.slice(20),
  ];
}

/** Every span handed over and read early, as a download that waited long enough would. */
function readAllEarly(list: unknown[]): EarlySpans {
  const early = new EarlySpans();
  list.forEach((raw, i) => early.add(raw, i));
  while (early.readSome(50));
  return early;
}

describe('spans read while the trace downloads', () => {
  for (const encoding of ['python', 'typescript', 'otel'] as const) {
    it(`give the trace a plain read gives, warnings in order (${encoding})`, () => {
      const g = generateTrace({ spans: 1, encoding, seed: 5 });
      const list = oddSpans(encoding);
      const plain = normalizeTrace({ info: g.info, spans: list });
      const early = normalizeTrace({ info: g.info, spans: list, early: readAllEarly(list) });
      assert.ok(!('error' in plain) && plain.warnings.length >= 6, 'the list makes normalising warn');
      assert.deepStrictEqual(early, plain);
    });
  }

  it('read only for the very raw value at its index; the rest is read by normalising', () => {
    const g = generateTrace({ spans: 1, encoding: 'python', seed: 5 });
    const list = oddSpans('python');
    const plain = normalizeTrace({ info: g.info, spans: list });
    // Read from another list at the same indices (as a route that failed half way hands over):
    // none of it may be used.
    const other = (JSON.parse(JSON.stringify(list)) as unknown[]).map((s) => (s && typeof s === 'object' ? { ...s, name: 'from the other list' } : s));
    assert.deepStrictEqual(normalizeTrace({ info: g.info, spans: list, early: readAllEarly(other) }), plain);
    // Half handed over and read, half still queued: the same trace.
    const half = new EarlySpans();
    list.forEach((raw, i) => half.add(raw, i));
    assert.equal(half.readSome(0), true, 'spans are left after a batch');
    assert.deepStrictEqual(normalizeTrace({ info: g.info, spans: list, early: half }), plain);
  });

  it('are handed over by the parse once each, in order, as the list will hold them', () => {
    const { spansJson } = generateTrace({ spans: 400, encoding: 'python', seed: 9, hostile: true });
    // Lists named "spans" elsewhere, and a spans list inside a list, are not the watched one.
    const text = `{"meta":{"spans":[${'1,'.repeat(3000)}2]},"spans":${spansJson.slice(spansJson.indexOf('['), -1)},"more":[{"spans":[3]}]}`;
    for (const chunk of [64, 4096]) {
      const seen: [unknown, number][] = [];
      const steps = parseJsonStreamSteps(wholeText(text), { chunk, items: { path: ['spans'], each: (v, i) => seen.push([v, i]) } });
      const value = runToEnd(steps) as { spans: unknown[] };
      assert.deepStrictEqual(value, parseJsonLossless(text));
      assert.equal(seen.length, value.spans.length, `chunk ${chunk}`);
      seen.forEach(([v, i], k) => {
        assert.equal(i, k);
        assert.equal(v, value.spans[k], 'the very object the list holds');
      });
    }
    // A top-level list: path [].
    const top: number[] = [];
    runToEnd(parseJsonStreamSteps(wholeText(`[${'7,'.repeat(50)}8]`), { chunk: 16, items: { path: [], each: (_v, i) => top.push(i) } }));
    assert.equal(top.length, 51);
    // A list small enough to parse whole is not taken apart: nothing is handed over.
    const none: unknown[] = [];
    runToEnd(parseJsonStreamSteps(wholeText('{"spans":[1,2,3]}'), { items: { path: ['spans'], each: (v) => none.push(v) } }));
    assert.deepStrictEqual(none, []);
    assert.deepStrictEqual(runToEnd(parseJsonSteps('{"spans":[1,2,3]}')), { spans: [1, 2, 3] });
  });
});
