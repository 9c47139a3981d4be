// The lossless JSON parser: exact int64 values, strings untouched, and speed near JSON.parse.
import assert from 'node:assert/strict';
import { parseJsonLossless } from '../../src/shared/jsonLossless';

describe('parseJsonLossless', () => {
  it('keeps integers beyond 2^53 as exact decimal strings', () => {
    const v = parseJsonLossless('{"a": 1767225600123456789, "b": [-9007199254740993, 18446744073709551615], "c": 9007199254740993}');
    assert.deepEqual(v, { a: '1767225600123456789', b: ['-9007199254740993', '18446744073709551615'], c: '9007199254740993' });
  });

  it('leaves safe integers, floats and small numbers as numbers', () => {
    const v = parseJsonLossless('{"max": 9007199254740991, "min": -9007199254740991, "sixteen": 1000000000000000, "f": 12345678901234567.5, "e": 1.5e300, "x": 1e-12345678901234567, "n": 0}');
    assert.deepEqual(v, { max: 9007199254740991, min: -9007199254740991, sixteen: 1e15, f: Number("12345678901234567.5"), e: 1.5e300, x: 0, n: 0 });
  });

  it('never touches digits inside strings, including JSON encoded in a string', () => {
    const text = String.raw`{"ns": "1767225600123456789", "enc": "{\"t\": 1767225600123456789, \"q\": \"\\\" 1767225600123456789\"}", "esc\"k": 1767225600123456790, "tail\\": 1767225600123456791}`;
    const v = parseJsonLossless(text) as Record<string, unknown>;
    assert.equal(v.ns, '1767225600123456789');
    assert.equal(v.enc, JSON.parse(text).enc); // byte-for-byte what JSON.parse gives
    assert.equal(v['esc"k'], '1767225600123456790');
    assert.equal(v['tail\\'], '1767225600123456791');
  });

  it('handles top-level values and whitespace', () => {
    assert.equal(parseJsonLossless(' 12345678901234567890 '), '12345678901234567890');
    assert.deepEqual(parseJsonLossless('[1,\n\t12345678901234567890\n]'), [1, '12345678901234567890']);
    assert.equal(parseJsonLossless('"12345678901234567890"'), '12345678901234567890');
  });

  it('reports malformed input with JSON.parse\'s own error for the original text', () => {
    const bad = '{"a": 12345678901234567890, "b": }';
    assert.throws(() => parseJsonLossless(bad), (e: unknown) => e instanceof SyntaxError && e.message === (() => { try { JSON.parse(bad); } catch (x) { return (x as Error).message; } return ''; })());
  });

  it('parses a trace-sized payload close to JSON.parse speed', function () {
    this.timeout(60_000);
    // ~8 MB like traces.json from Python: JSON-encoded attribute strings with escapes, ns times.
    const spans: string[] = [];
    const text = 'Tell me about \\"quoted\\" things 1767225600123456789. '.repeat(20);
    for (let i = 0; spans.length < 6000; i++) {
      const t = 1767225600123456789n + BigInt(i) * 1000n;
      spans.push(
        `{"trace_id": "qQmF9BZZVwl8+tLQz0JO5g==", "span_id": "gEFuHjVC0cA=", "name": "span-${i}", "start_time_unix_nano": ${t}, "end_time_unix_nano": ${t + 999n}, ` +
          `"attributes": {"mlflow.spanType": "\\"LLM\\"", "mlflow.spanInputs": "{\\"prompt\\": \\"${text}\\", \\"n\\": ${i}}", "mlflow.spanStartTimeNs": "${t}"}}`,
      );
    }
    const payload = `{"spans": [${spans.join(', ')}]}`;
    // Interleaved runs, median of each: the machines are shared, and load shifts within seconds.
    const times = { native: [] as number[], lossless: [] as number[] };
    for (let k = 0; k < 5; k++) {
      let t0 = performance.now();
      JSON.parse(payload);
      times.native.push(performance.now() - t0);
      t0 = performance.now();
      parseJsonLossless(payload);
      times.lossless.push(performance.now() - t0);
    }
    const median = (ts: number[]): number => ts.sort((a, b) => a - b)[2];
    const native = median(times.native);
    const lossless = median(times.lossless);
    const ratio = lossless / native;
    console.log(`      ${(payload.length / 1048576).toFixed(1)} MB: JSON.parse ${native.toFixed(0)} ms, lossless ${lossless.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
    const parsed = parseJsonLossless(payload) as { spans: { start_time_unix_nano: string }[] };
    assert.equal(parsed.spans[5999].start_time_unix_nano, (1767225600123456789n + 5999000n).toString());
    // A generous bound: the machines are shared and noisy (measured 1-3x here).
    assert.ok(ratio < 6, `ratio ${ratio.toFixed(2)}`);
  });
});
