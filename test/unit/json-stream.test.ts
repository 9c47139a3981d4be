// The streaming JSON parse (src/shared/jsonSteps.ts, parseJsonStreamSteps) and the body it reads
// (src/mlflow/bodyText.ts): however the text is cut into pieces, and whenever the pieces arrive,
// the value and the error are those of the one-shot parse of the whole text.
import assert from 'node:assert/strict';
import { BodyText } from '../../src/mlflow/bodyText';
import { parseJsonLossless } from '../../src/shared/jsonLossless';
import { parseJsonSteps, parseJsonStreamSteps } from '../../src/shared/jsonSteps';
import { runSliced, runToEnd, WAIT, type Steps } from '../../src/shared/steps';
import type { TextSource } from '../../src/shared/textWindow';
import { loopTurns } from '../helpers/loopTurns';
import { randomJsonDocs, rng } from '../helpers/randomJson';
import { generateTrace } from '../../bench/gen-trace.mjs';

/** A source that hands out `pieces` one at a time, each only when the parse asks for more. */
function trickle(pieces: string[]): TextSource & { release(): void } {
  let released = 0;
  let read = 0;
  return {
    read: () => (read < released ? pieces[read++] : undefined),
    done: () => released === pieces.length && read === released,
    more: () => Promise.resolve(),
    release() {
      if (released === pieces.length) throw new Error('the parse waited after the last piece');
      released++;
    },
  };
}

/** Runs streaming steps, giving one more piece at each WAIT. */
function fed<T>(steps: Steps<T>, source: { release(): void }): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (r.value === WAIT) source.release();
  }
}

function outcome(f: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function streamed(pieces: string[], chunk?: number, pull = 1, reparse?: number): { value?: unknown; error?: string } {
  const src = trickle(pieces);
  return outcome(() => fed(parseJsonStreamSteps(src, { chunk, pull, reparse }), src));
}

/** The same outcome as the one-shot parse, for the text cut into `pieces`. Twice: as the product
 *  runs (small malformed text parsed again whole, for JSON.parse's error), and with no such
 *  second parse, which must agree with the one-shot steps' own error (where the text breaks). */
function same(text: string, pieces: string[], chunk: number | undefined, what: string): void {
  const expected = outcome(() => parseJsonLossless(text));
  const steps = outcome(() => runToEnd(parseJsonSteps(text, chunk, 0)));
  if (!expected.error) assert.deepStrictEqual(steps, expected, `one-shot steps, chunk ${chunk}: ${what}`);
  assert.deepStrictEqual(streamed(pieces, chunk), expected, `chunk ${chunk}, ${what}`);
  assert.deepStrictEqual(streamed(pieces, chunk, 1, 0), steps, `chunk ${chunk}, no second parse, ${what}`);
}

/** Cut at every position into two pieces, and into single characters, for several chunk sizes. */
function sameEverywhere(text: string): void {
  for (const chunk of [1, 2, 7, 64, 1 << 20]) {
    for (let at = 0; at <= text.length; at++) same(text, [text.slice(0, at), text.slice(at)], chunk, `cut at ${at}: ${JSON.stringify(text)}`);
    same(text, [...text], chunk, `one character a piece: ${JSON.stringify(text)}`);
  }
}

/** Pieces of random sizes up to `max` characters. */
function cut(text: string, max: number, r: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(r() * max);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}


describe('parseJsonStreamSteps', () => {
  it('gives what the one-shot parse gives, cut at every position, on values and hostile strings', () => {
    for (const text of [
      '{}', '[]', ' [ ] ', '[[],{},[[]],{"a":{}}]', '"s"', '0', '-0.5e-3', '1.5', '1e21', 'true', 'null', ' false ',
      '12345678901234567890', '[12345678901234567890, -9007199254740993, 9007199254740991, 1.25E+3]',
      String.raw`{"e": "x\"y\\", "k\\\"": "\u00e9\n", "nested": "{\"t\": 1767225600123456789}"}`,
      // Surrogates: escaped (a pair split between its two escapes), raw, and lone.
      String.raw`["\ud83d\ude00", "😀", "\ud800", "a\\\"😀\\"]`, '{"😀": "é😀\u2028\u0000"}',
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}',
      '\n\t{ "spans" :\r\n [ { "id" : 1 } , { "id" : 2, "t": 1767225600123456789 } ] }\n',
    ]) sameEverywhere(text);
  });

  it('fails as the one-shot parse fails, cut at every position', () => {
    for (const text of ['', ' ', '{', '[1,]', '{"a":1,}', '{"a" 1}', '{a:1}', '[1] x', '[1 2]', '{"a":[1,{"b":"x}]}', '"unterminated', '[tru]', '[01]', '[1.]', '[-]', '{"a":1}}', '[[1]', '[1]]', '{"a":}'])
      sameEverywhere(text);
  });

  it('agrees with the one-shot parse on 300 random documents in random pieces', () => {
    const r = rng(43);
    for (const text of randomJsonDocs(42, 300)) for (const chunk of [1, 7, 64]) same(text, cut(text, 1 + Math.floor(r() * 12), r), chunk, JSON.stringify(text));
  });

  it('reads generated traces in random pieces as the one-shot parse does, and a long string without rescanning it', function () {
    this.timeout(120_000);
    const r = rng(7);
    for (const encoding of ['python', 'otel'] as const) {
      const { spansJson } = generateTrace({ spans: 5000, encoding, seed: 9, hostile: true });
      const expected = parseJsonLossless(spansJson);
      for (const [max, pull] of [[70_000, 256 * 1024], [4000, 1], [17, 1]] as const) {
        const src = trickle(cut(spansJson, max, r));
        assert.deepStrictEqual(fed(parseJsonStreamSteps(src, { pull }), src), expected, `${encoding}, pieces up to ${max}`);
      }
    }
    // A 28 MB string in 2,000-character pieces: merged a logarithmic number of times, not once per
    // piece (which would copy about 200 GB).
    const long = `{"spans": [{"blob": "${'ab\\"'.repeat(7_000_000)}"}], "t": 1767225600123456789}`;
    const t0 = performance.now();
    const src = trickle(cut(long, 2000, r));
    assert.deepStrictEqual(fed(parseJsonStreamSteps(src, { pull: 1 }), src), parseJsonLossless(long));
    assert.ok(performance.now() - t0 < 10_000, `took ${Math.round(performance.now() - t0)} ms`);
  });

  it('names where a large malformed body breaks, as the one-shot parse does', () => {
    const body = `{"spans": [${Array.from({ length: 20_000 }, (_, i) => `{"i": ${i}, "pad": "${'x'.repeat(60)}"}`).join(',')}]}`;
    const r = rng(3);
    for (const broken of [body.slice(0, 700_000) + ']' + body.slice(700_001), body.slice(0, -1), `${body} x`, body.slice(0, 900_000) + '"' + body.slice(900_000)]) {
      assert.ok(broken.length > 1 << 20);
      const expected = outcome(() => runToEnd(parseJsonSteps(broken)));
      assert.match(expected.error ?? '', /^SyntaxError: Malformed JSON in the value at character \d+ of \d+/);
      assert.deepStrictEqual(streamed(cut(broken, 30_000, r), undefined, 256 * 1024), expected);
      assert.deepStrictEqual(streamed(cut(broken, 3000, r), undefined, 1), expected);
    }
  });

  it('parses while the pieces arrive, giving the event loop turns, and stops when aborted', async function () {
    this.timeout(120_000);
    const { spansJson } = generateTrace({ spans: 20_000, encoding: 'python', seed: 4 });
    const pieces = cut(spansJson, 64 * 1024, rng(5));
    // Pieces arrive on timers, as a download's do.
    const arriving = (): TextSource & { arrived: () => number } => {
      const q: string[] = [];
      let next = 0;
      let wake: (() => void) | undefined;
      const tick = (): void => {
        q.push(pieces[next++]);
        wake?.();
        if (next < pieces.length) setTimeout(tick, 0);
      };
      setTimeout(tick, 0);
      return {
        read: () => q.shift(),
        done: () => next === pieces.length && q.length === 0,
        more: () => new Promise<void>((resolve) => (wake = resolve)),
        arrived: () => next,
      };
    };
    const src = arriving();
    let waits = 0;
    const { value, turns } = await loopTurns(() => runSliced(parseJsonStreamSteps(src), { wait: () => (waits++, src.more()) }));
    assert.deepStrictEqual(value, parseJsonLossless(spansJson));
    assert.ok(waits > 3 && turns > 3, `waited ${waits} times, ${turns} turns`);

    const controller = new AbortController();
    const src2 = arriving();
    const run = runSliced(parseJsonStreamSteps(src2), { signal: controller.signal, wait: () => src2.more() });
    setTimeout(() => controller.abort(new Error('closed')), 5);
    await assert.rejects(run, /closed/);
    assert.ok(src2.arrived() < pieces.length, 'stopped before the text was all there');
  });

  it('gives the event loop turns when every wait ends at once (a body that arrived faster than it is parsed)', async function () {
    this.timeout(120_000);
    const { spansJson } = generateTrace({ spans: 20_000, encoding: 'python', seed: 6 });
    const pieces = cut(spansJson, 64 * 1024, rng(7));
    // Each piece is there as soon as the parse asks: its wait ends in a microtask, as BodyText's
    // does when the download has queued the next piece already.
    let next = 0;
    const q: string[] = [];
    const src: TextSource = {
      read: () => q.shift(),
      done: () => next === pieces.length && q.length === 0,
      more: () => Promise.resolve().then(() => void (next < pieces.length && q.push(pieces[next++]))),
    };
    let waits = 0;
    const { value, turns } = await loopTurns(() => runSliced(parseJsonStreamSteps(src), { wait: () => (waits++, src.more()) }));
    assert.deepStrictEqual(value, parseJsonLossless(spansJson));
    // Without a pause in a chain of such waits the whole parse is one block: one turn, at its end.
    assert.ok(waits > 10 && turns > 3, `waited ${waits} times, ${turns} turns`);
  });
});

describe('BodyText', () => {
  it('decodes UTF-8 cut anywhere, multi-byte characters and a BOM included, as Response.text() does', async () => {
    const text = '\ufeff{"a": "é€😀\\ud83d", "b": "\u2028x", "c": "\u00ff"}';
    const bytes = new TextEncoder().encode(text);
    const bad = Uint8Array.from([...bytes.slice(0, 8), 0xff, 0xc3, ...bytes.slice(8)]); // invalid bytes too
    for (const body of [bytes, bad]) {
      const expected = await new Response(body).text();
      for (let at = 0; at <= body.length; at++) {
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(body.slice(0, at));
            c.enqueue(body.slice(at));
            c.close();
          },
        });
        const b = new BodyText(new Response(stream));
        assert.equal(await b.reaches(1 << 20), false);
        assert.equal(b.text(), expected, `cut at byte ${at}`);
        assert.equal(b.chars, expected.length);
      }
    }
  });
});
