// The line a trace panel logs about its first open (src/panel/openTimeline.ts).
import assert from 'node:assert/strict';
import { OpenTimeline } from '../../src/panel/openTimeline';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a panel\'s open timeline', () => {
  it('keeps the first time of each mark and reports once, when the whole table is held and the session answers', async () => {
    const t = new OpenTimeline();
    t.mark('ready');
    assert.equal(t.report('tr-1', 20_000), undefined, 'nothing before the whole table');
    await pause(5);
    t.mark('read');
    t.mark('laidOut');
    t.mark('posted');
    t.mark('firstRows');
    await pause(5);
    t.mark('lastPosted');
    t.mark('ready'); // a reloaded page says ready again: the first time counts
    t.mark('whole');
    t.drewWhole(3.4);
    t.drewWhole(50); // a later drawing (a refresh) is not the open's
    assert.equal(t.report('tr-1', 20_000), undefined, 'nothing before the session answers (a table drawn before the trace is read)');
    await pause(5);
    t.mark('answers');
    const r = t.report('tr-1', 20_000);
    assert.ok(r);
    const m = /^trace panel tr-1: 20,000 spans, first rows at (\d+) ms, whole at (\d+) ms \(page ready (\d+) ms, trace read (\d+) ms, laid out \d+ ms, first piece posted \d+ ms, last piece posted (\d+) ms, page's own join and draw (\d+) ms\); details and search from (\d+) ms$/.exec(r.line);
    assert.ok(m, r.line);
    const [first, whole, ready, read, last, draw, session] = m.slice(1).map(Number);
    assert.ok(ready < read && read <= first && first < last && last <= whole && whole < session, r.line);
    assert.equal(draw, 3);
    assert.equal(r.level, 'info', 'a large trace is logged at info');
    assert.equal(t.report('tr-1', 20_000), undefined, 'once');
  });

  it('logs a small, quick open at debug, and a mark that never came as a dash', () => {
    const t = new OpenTimeline();
    t.mark('answers');
    t.mark('whole');
    const r = t.report('tr-2', 10);
    assert.equal(r?.level, 'debug');
    assert.match(r?.line ?? '', /page ready —, trace read —.*last piece posted —, page's own join and draw —\); details and search from \d+ ms$/);
  });
});
