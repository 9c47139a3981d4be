// The panel's searches one at a time (src/panel/searchRunner.ts): a newer query stops the running
// one, the panel's close stops any, and a running search reports how far it has got.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { SearchRunner } from '../../src/panel/searchRunner';
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

  it('stops when the panel closes', async () => {
    const closed = new AbortController();
    const runner = new SearchRunner(closed.signal, () => undefined);
    session.dropSearchText();
    const running = runner.run(session, 'paris.md');
    closed.abort(new Error('closed'));
    await assert.rejects(running, /closed/);
  });
});
