// The panel's searches one at a time (src/panel/searchRunner.ts): a newer query stops the running
// one, the panel's close stops any, and a running search reports how far it has got and the
// matches found so far.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { SearchRunner } from '../../src/panel/searchRunner';
import { runSliced } from '../../src/shared/steps';
import { TraceSession } from '../../src/panel/session';
import { generateTrace } from '../../bench/gen-trace.mjs';

describe('search runner', function () {
  this.timeout(120_000);
  let session: TraceSession;

  before(() => {
    const g = generateTrace({ spans: 20_000, encoding: 'python', seed: 4 });
    const t = normalizeTrace({ info: g.info, spans: g.spansJson });
    assert.ok(!isTraceError(t));
    session = new TraceSession(t);
  });

  it('stops the running search when a newer one starts, and answers the newer', async () => {
    const heard: [string, number][] = [];
    const runner = new SearchRunner(new AbortController().signal, (q, f) => heard.push([q, f]), 0);
    // Fresh sessions' first searches read every span's content, so the first is still running
    // when the second starts.
    const first = runner.run(session, 'paris.md');
    const second = runner.run(session, 'gemini');
    await assert.rejects(first, /newer search replaced/);
    assert.deepStrictEqual(await second, session.search('gemini'));
    assert.ok(heard.some(([q, f]) => q === 'gemini' && f > 0 && f < 1), `progress of the newer search: ${JSON.stringify(heard.slice(0, 5))}`);
    assert.ok(heard.every(([, f]) => f >= 0 && f <= 1));
  });

  it('tells the first match at once, then the rest as it goes, in row order', async () => {
    session.dropSearchText();
    const heard: { f: number; found: number[]; at: number }[] = [];
    const runner = new SearchRunner(new AbortController().signal, (_q, f, found) => heard.push({ f, found, at: performance.now() }), 50);
    const started = performance.now();
    const all = await runner.run(session, 'paris.md');
    const ended = performance.now();
    assert.ok(all.indices.length > 100, `${all.indices.length} matches`);
    // The first notice carries the first match alone, long before the search ends.
    assert.deepStrictEqual(heard[0].found, [all.indices[0]]);
    assert.ok(heard[0].at - started < (ended - started) / 4, `first match told after ${Math.round(heard[0].at - started)} of ${Math.round(ended - started)} ms`);
    // Every notice's matches continue the ones before, so the page's list is a prefix of the answer.
    const told = heard.flatMap((h) => h.found);
    assert.ok(heard.length > 2, `${heard.length} notices`);
    assert.deepStrictEqual(told, all.indices.slice(0, told.length));
  });

  it('builds the search text ahead of a search, giving way to a running one, with the same answers', async () => {
    const g = generateTrace({ spans: 20_000, encoding: 'python', seed: 4 });
    const t = normalizeTrace({ info: g.info, spans: g.spansJson });
    assert.ok(!isTraceError(t));
    const warmed = new TraceSession(t);
    const runner = new SearchRunner(new AbortController().signal, () => undefined);
    let warmEnded = 0;
    const warming = warmed.warmSearch({ sliceMs: 5, yieldTo: () => runner.busy() }).then(() => (warmEnded = performance.now()));
    // A search asked while the text is built goes first, and reads what is built so far.
    await new Promise((r) => setTimeout(r, 20));
    const asked = await runner.run(warmed, 'paris.md');
    const searchEnded = performance.now();
    await warming;
    assert.ok(warmEnded > searchEnded, 'the search ended before the building did');
    for (const q of ['paris.md', 'gemini', 'type:TOOL weather', '"tool timed out"', 'zzqq']) assert.deepStrictEqual(warmed.search(q), session.search(q), q);
    assert.deepStrictEqual(asked, session.search('paris.md'));
    // A closed panel stops it.
    const stop = new AbortController();
    stop.abort(new Error('closed'));
    await assert.rejects(new TraceSession(t).warmSearch({ signal: stop.signal, sliceMs: 0 }), /closed/);
  });

  it('stops when the panel closes', async () => {
    const closed = new AbortController();
    const runner = new SearchRunner(closed.signal, () => undefined);
    session.dropSearchText();
    const running = runner.run(session, 'paris.md');
    closed.abort(new Error('closed'));
    await assert.rejects(running, /closed/);
  });

  it('holds a sliced read while a search runs (busy), and lets it go on after', async () => {
    const runner = new SearchRunner(new AbortController().signal, () => undefined);
    session.dropSearchText();
    assert.equal(runner.busy(), undefined, 'idle at first');
    let searchEnded = 0;
    const search = runner.run(session, 'paris.md').then(() => (searchEnded = performance.now()));
    assert.ok(runner.busy(), 'busy while searching');
    // A read of many short steps, each a millisecond of work, pausing every 5 ms.
    const stepsAt: number[] = [];
    function* read(): Generator<number, number> {
      for (let i = 0; i < 40; i++) {
        const until = performance.now() + 1;
        while (performance.now() < until) { /* work */ }
        stepsAt.push(performance.now());
        yield i / 40;
      }
      return 40;
    }
    const done = runSliced(read(), { sliceMs: 5, yieldTo: () => runner.busy() });
    await search;
    assert.equal(await done, 40);
    assert.equal(runner.busy(), undefined, 'idle again');
    // Its first slice runs before it first pauses; after that nothing until the search ended.
    const during = stepsAt.filter((t) => t < searchEnded).length;
    assert.ok(during <= 6, `${during} steps of the read ran while the search did`);
  });
});
