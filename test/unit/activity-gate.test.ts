// The live poll's activity gate on a real signal file: which ticks ask MLflow and why.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityGate } from '../../src/explorer/activity';

describe('ActivityGate (when the live poll asks MLflow)', () => {
  let dir: string;
  let file: string;
  const idle = { pending: false, activeRuns: 0, failing: false };
  const opts = () => ({ idleMs: 5000, hotMs: 10_000 });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gt-gate-'));
    file = join(dir, 'activity.signal');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** One tick at `now`; records that MLflow was asked when the gate says so. */
  const tick = async (g: ActivityGate, now: number, state = idle) => {
    const r = await g.reason(state, now);
    if (r) g.asked(now);
    return r;
  };

  it('asks on the first tick, then only once per idle interval while nothing signals', async () => {
    const g = new ActivityGate(file, opts);
    assert.equal(await tick(g, 0), 'first');
    for (let t = 1000; t < 5000; t += 1000) assert.equal(await tick(g, t), undefined, `tick at ${t} ms`);
    assert.equal(await tick(g, 5000), 'idle');
    assert.equal(await tick(g, 6000), undefined);
  });

  it('asks at once when the file is written (also when it did not exist before), then every tick for hotMs', async () => {
    const g = new ActivityGate(file, opts);
    await tick(g, 0);
    assert.equal(await tick(g, 1000), undefined);
    writeFileSync(file, '1700000000000');
    assert.equal(await tick(g, 2000), 'signal');
    assert.equal(await tick(g, 3000), 'hot');
    assert.equal(await tick(g, 11_999), 'hot');
    assert.equal(await tick(g, 12_000), undefined, 'hot ends 10 s after the signal; the last ask was at 11.999 s');
    writeFileSync(file, '1700000000001');
    assert.equal(await tick(g, 13_000), 'signal');
    writeFileSync(file, '1700000000001');
    assert.equal(await tick(g, 22_000), 'hot');
    assert.equal(await tick(g, 24_000), undefined, 'the same text again is no new signal');
  });

  it('keeps asking while traces are in progress, and every tick while the last poll failed', async () => {
    const g = new ActivityGate(file, opts);
    await tick(g, 0);
    assert.equal(await tick(g, 1000, { ...idle, pending: true }), 'pending');
    assert.equal(await tick(g, 2000, { ...idle, failing: true }), 'probe');
    assert.equal(await tick(g, 3000), undefined);
  });

  it('polls runs it started every tick until their signal is known to reach it', async () => {
    const g = new ActivityGate(file, opts);
    const running = { ...idle, activeRuns: 1 };
    await tick(g, 0, running);
    assert.equal(await tick(g, 1000, running), 'unsignalled-run');
    writeFileSync(file, '42');
    assert.equal(await tick(g, 2000, running), 'signal');
    assert.equal(await tick(g, 20_000, running), 'idle', 'after hot: the safety net only, the run signals');
    assert.equal(await tick(g, 21_000, running), undefined);
  });

  it('heat() asks every tick for hotMs (a run just ended: its exit sender sends no signal)', async () => {
    const g = new ActivityGate(file, opts);
    await tick(g, 0);
    g.heat(1000);
    assert.equal(await tick(g, 2000), 'hot');
    assert.equal(await tick(g, 10_999), 'hot');
    assert.equal(await tick(g, 11_000), undefined);
  });

  it('force() makes the next tick ask; no file or an unreadable one is simply no signal', async () => {
    const none = new ActivityGate(undefined, opts);
    assert.equal(await tick(none, 0), 'first');
    assert.equal(await tick(none, 1000), undefined);
    none.force();
    assert.equal(await tick(none, 1500), 'first');
    const unreadable = new ActivityGate(dir, opts); // a directory: reading it fails
    assert.equal(await tick(unreadable, 0), 'first');
    assert.equal(await tick(unreadable, 1000), undefined);
  });
});
