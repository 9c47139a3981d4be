// What the panel does once a trace's session exists (src/panel/afterRead.ts): the history check
// waits for the page to draw the whole table, posts again only when earlier turns were found for
// the session still shown, and the search text is built for a finished trace only, afterwards.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { AfterRead, type AfterReadHost } from '../../src/panel/afterRead';
import { TraceSession } from '../../src/panel/session';
import { generateTrace } from '../../bench/gen-trace.mjs';
import { withResentTurn } from '../helpers/resentTurn';

/** A generated trace's session; with `resend`, its last model call resends a model turn. */
function session(resend: boolean, running = false): TraceSession {
  const g = generateTrace({ spans: 200, encoding: 'python', seed: 5 });
  const info = running ? { ...(g.info as object), state: 'IN_PROGRESS' } : g.info;
  const t = normalizeTrace({ info, spans: resend ? withResentTurn(g.spansJson) : g.spansJson });
  assert.ok(!isTraceError(t));
  return new TraceSession(t);
}

function host(shown: () => TraceSession | undefined, found = true) {
  const events: string[] = [];
  const h: AfterReadHost = {
    current: (s) => s === shown(),
    signal: new AbortController().signal,
    addEarlierTurns: async () => (events.push('earlier'), found),
    repost: () => void events.push('repost'),
    warm: async () => (events.push('warm'), 1),
    debug: () => undefined,
  };
  return { h, events };
}

const turn = () => new Promise((r) => setTimeout(r, 20));

describe('panel: after the read', () => {
  it('checks history once the page drew the table, posts again, then builds the search text', async () => {
    const s = session(true);
    const { h, events } = host(() => s);
    const after = new AfterRead(h);
    const done = after.follow(s);
    await turn();
    assert.deepEqual(events, [], 'nothing before the page drew the table');
    after.drew(s.table);
    await done;
    assert.deepEqual(events, ['earlier', 'repost', 'warm']);
  });

  it('does not wait for a table the page has drawn already, nor post for a session no longer shown', async () => {
    const s = session(true);
    let shown: TraceSession | undefined = s;
    const { h, events } = host(() => shown);
    const after = new AfterRead(h);
    after.drew(s.table);
    const done = after.follow(s);
    shown = undefined; // the panel moved on while the earlier turns were read
    await done;
    assert.deepEqual(events, ['earlier']);
  });

  it('builds no search text for a running trace, and a trace that resends nothing reads no earlier turns', async () => {
    const running = session(false, true);
    const { h, events } = host(() => running);
    const after = new AfterRead(h);
    after.drew(running.table);
    await after.follow(running);
    assert.deepEqual(events, []);
    const finished = session(false);
    const other = host(() => finished);
    const a2 = new AfterRead(other.h);
    a2.drew(finished.table);
    await a2.follow(finished);
    assert.deepEqual(other.events, ['warm']);
  });

  it('lets go of its wait when the panel closes', async function () {
    this.timeout(2000); // the wait it lets go of is WHOLE_DRAW_WAIT_MS, 10 s
    const s = session(false);
    const { h } = host(() => s);
    const after = new AfterRead(h);
    const done = after.follow(s);
    after.dispose();
    await done;
  });
});
