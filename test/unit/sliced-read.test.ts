// Reading a large trace in slices (shared/steps.ts): the extension host must keep serving other
// work while a 100,000-span trace is read, and the sliced result must be the very same as the
// one-go result.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace, normalizeTraceSliced } from '../../src/model/normalize';
import { runSliced, runToEnd, type Steps } from '../../src/shared/steps';
import type { Trace } from '../../src/model/types';
import { TraceSession } from '../../src/panel/session';
import { loopTurns } from '../helpers/loopTurns';
import { generateTrace } from '../../bench/gen-trace.mjs';


function ok(t: Trace | { error: string }): Trace {
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

describe('reading a trace in slices', () => {
  it('gives the same trace and table as reading it in one go, for every encoding', async () => {
    for (const encoding of ['python', 'typescript', 'otel'] as const) {
      const g = generateTrace({ spans: 6000, encoding, seed: 11 });
      const whole = ok(normalizeTrace({ info: g.info, spans: g.spansJson }));
      // sliceMs 0: pause at every chance, the most interleaving there can be.
      const sliced = ok(await normalizeTraceSliced({ info: g.info, spans: g.spansJson }, { sliceMs: 0 }));
      assert.equal(sliced.spans.length, 6000, encoding);
      assert.deepEqual(sliced.spans.map((s) => s.id), whole.spans.map((s) => s.id), encoding);
      assert.deepEqual(sliced.spans.map((s) => s.depth), whole.spans.map((s) => s.depth), encoding);
      assert.deepEqual(sliced.usage, whole.usage, encoding);
      assert.deepEqual(sliced.warnings, whole.warnings, encoding);
      // Every column; `nowMs`-dependent flags cannot differ: the generated trace has ended.
      assert.deepEqual((await TraceSession.sliced(sliced, undefined, { sliceMs: 0 })).table, new TraceSession(whole).table, encoding);
    }
  });

  it('lets the event loop run while a 60,000-span trace is read and laid out', async function () {
    this.timeout(120_000);
    const g = generateTrace({ spans: 60_000, encoding: 'python', seed: 5 });
    const spans = JSON.parse(g.spansJson) as unknown; // the HTTP layer's part, not under test here
    const progress: number[] = [];
    // 5 ms slices: enough pauses to count on any machine, however fast the read.
    const read = await loopTurns(() => normalizeTraceSliced({ info: g.info, spans }, { sliceMs: 5, onProgress: (f) => progress.push(f) }));
    const trace = ok(read.value);
    assert.equal(trace.spans.length, 60_000);
    assert.ok(read.turns > 5, `the event loop ran ${read.turns} times during the read`);
    assert.ok(progress.length > 5, `${progress.length} progress reports`);
    assert.ok(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1])), `progress rises within 0..1: ${progress.slice(0, 8).join(', ')}…`);
    const layout = await loopTurns(() => TraceSession.sliced(trace, undefined, { sliceMs: 5 }));
    assert.equal(layout.value.table.n, 60_000);
    assert.ok(layout.turns > 2, `the event loop ran ${layout.turns} times during the layout`);
  });

  it('pauses at least every ~1,000 raw spans it looks at, from its first look to its last', async () => {
    const g = generateTrace({ spans: 20_000, encoding: 'python', seed: 6 });
    const list = (JSON.parse(g.spansJson) as { spans: unknown[] }).spans;
    // Counts the raw spans looked at (by index) since the last pause.
    let since = 0;
    let most = 0;
    const watched = new Proxy(list, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) most = Math.max(most, ++since);
        return Reflect.get(target, key, receiver);
      },
    });
    const trace = ok(await normalizeTraceSliced({ info: g.info, spans: watched }, { sliceMs: 0, onProgress: () => (since = 0) }));
    assert.equal(trace.spans.length, 20_000);
    // One look per span per pass; a pause every 512 spans (shared/steps.ts pauseHere).
    assert.ok(most <= 1100, `${most} raw spans looked at without a pause`);
  });

  it('stops at the next pause when its signal is aborted', async () => {
    const g = generateTrace({ spans: 20_000, encoding: 'otel', seed: 2 });
    const controller = new AbortController();
    let reports = 0;
    const run = normalizeTraceSliced(
      { info: g.info, spans: g.spansJson },
      { sliceMs: 0, signal: controller.signal, onProgress: () => ++reports === 3 && controller.abort(new Error('closed')) },
    );
    await assert.rejects(run, /closed/);
    assert.equal(reports, 3, 'no step ran after the abort');
  });

  it('runs any steps the same way at once or in slices', async () => {
    function* count(n: number): Steps<number> {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += i;
        yield i / n;
      }
      return sum;
    }
    assert.equal(runToEnd(count(1000)), 499_500);
    assert.equal(await runSliced(count(1000), { sliceMs: 0 }), 499_500);
  });
});
