// The sliced JSON parser for large bodies (src/shared/jsonSteps.ts): the very value
// parseJsonLossless gives, and the very error, for any text, whether a value is parsed whole or
// taken apart; and it gives the event loop turns while it reads a trace-sized body.
import assert from 'node:assert/strict';
import { parseJsonLossless } from '../../src/shared/jsonLossless';
import { parseJsonSteps } from '../../src/shared/jsonSteps';
import { runSliced, runToEnd } from '../../src/shared/steps';
import { loopTurns } from '../helpers/loopTurns';
import { randomJsonDocs } from '../helpers/randomJson';
import { generateTrace } from '../../bench/gen-trace.mjs';


function outcome(f: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** Both parsers on one text, with every chunk size from "take everything apart" to "whole". */
function same(text: string): void {
  const expected = outcome(() => parseJsonLossless(text));
  for (const chunk of [1, 2, 7, 64, 1 << 20]) {
    const got = outcome(() => runToEnd(parseJsonSteps(text, chunk)));
    assert.deepStrictEqual(got, expected, `chunk ${chunk}: ${JSON.stringify(text).slice(0, 200)}`);
  }
}


describe('parseJsonSteps', () => {
  it('gives what parseJsonLossless gives, on containers, primitives, escapes and big integers', () => {
    for (const text of [
      '{}', '[]', ' [ ] ', '{ }', '[[],{},[[]],{"a":{}}]', '"s"', '0', '-0.5e-3', 'true', 'null',
      '12345678901234567890', '[12345678901234567890, -9007199254740993, 9007199254740991]',
      String.raw`{"e": "x\"y\\", "k\\\"": "\u00e9\n", "nested": "{\"t\": 1767225600123456789}"}`,
      '{"a":1,"b":2,"a":3}', '{"2":"b","1":"a","x":{"10":1,"9":2}}',
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}',
      // Found while looking for a value's end (jsonSteps.ts numberEnd): only whole integer literals
      // outside strings, 16 digits or more, that a double cannot hold.
      '[1.12345678901234567890, 1e12345678901234567, 2E+12345678901234567, 12345678901234567890.5, 12345678901234567890e1]',
      '[1234567890123456, 9007199254740992, -9007199254740992, 9007199254740993, -12345678901234567890, 0]',
      '{"t":{"s":1767225600123456789,"e":[1767225600999999999,{"x":-1767225600123456789}]},"q":"1767225600123456789"}',
      String.raw`[{"a":""12345678901234567890"","b":12345678901234567890,"c":"\","d":12345678901234567891}]`,
      '\n\t{ "spans" :\r\n [ { "id" : 1 } , { "id" : 2 } ] }\n',
      // A list's items read in runs (jsonRun.ts): unsafe integers in several items of one run,
      // brackets and commas inside strings, a primitive and a large item ending a run, and a
      // malformed item inside one (the run is read again item by item, to fail where it breaks).
      '[{"t":12345678901234567890},{"s":"]},{\\"x\\":1},["},[-9007199254740993,{}],3,{"u":[1767225600123456789]},[],{"v":"' + 'w'.repeat(100) + '"},{}]',
      '[{"a":1},{"b":2},{"c" 3},{"d":4}]',
      '[{"a":1},{"b":2}, {"c":[}]',
    ]) same(text);
  });

  it('keeps a "__proto__" key as an own property, never the prototype', () => {
    const v = runToEnd(parseJsonSteps('{"a": {"__proto__": {"polluted": true}}}', 1)) as { a: Record<string, unknown> };
    assert.equal(Object.getPrototypeOf(v.a), Object.prototype);
    assert.deepEqual(Object.keys(v.a), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('fails on malformed text with JSON.parse\'s own message', () => {
    for (const text of ['', ' ', '{', '[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', '[1] x', '[1 2]', '{"a":[1,{"b":"x}]}', '"unterminated', '[tru]', '[01]', '{"a":1}}', '[[1]', '[-]', '[--12345678901234567890]', '[12345678901234567890x]', '{"a":012345678901234567890}'])
      same(text);
  });

  it('reads 150,000 levels of nesting in linear time, and names where a large malformed body breaks', () => {
    const depth = 150_000;
    const text = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    let v = runToEnd(parseJsonSteps(text));
    let levels = 0;
    while (Array.isArray(v)) {
      v = v[0];
      levels++;
    }
    assert.equal(levels, depth);
    assert.equal(v, 1);
    // Over 1 MB, a malformed body is not parsed again whole (that would hold the host): the
    // error names the value where the text breaks.
    const body = `{"spans": [${Array.from({ length: 20_000 }, (_, i) => `{"i": ${i}, "pad": "${'x'.repeat(60)}"}`).join(',')}]}`;
    const broken = body.slice(0, 700_000) + ']' + body.slice(700_001);
    assert.ok(broken.length > 1 << 20);
    assert.throws(() => runToEnd(parseJsonSteps(broken)), (e: unknown) => e instanceof SyntaxError && /^Malformed JSON in the value at character \d+ of \d+/.test(e.message) && Number(/character (\d+)/.exec(e.message)?.[1]) > 690_000);
  });

  it('agrees with parseJsonLossless on 300 random documents, taken apart at random sizes', () => {
    for (const text of randomJsonDocs(42, 300)) same(text);
  });

  it('reads a trace body the same as parseJsonLossless, giving the event loop turns', async function () {
    this.timeout(120_000);
    for (const encoding of ['python', 'otel'] as const) {
      const { spansJson } = generateTrace({ spans: 20_000, encoding, seed: 9 });
      // 1 ms slices: the parse takes tens of ms on any machine, so the count does not depend on its speed.
      const { value: v, turns } = await loopTurns(() => runSliced(parseJsonSteps(spansJson), { sliceMs: 1 }));
      assert.deepStrictEqual(v, parseJsonLossless(spansJson), encoding);
      assert.ok(turns > 3, `${encoding}: the event loop ran ${turns} times during the parse`);
    }
  });
});
