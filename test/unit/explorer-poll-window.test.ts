import assert from 'node:assert/strict';
import { IncrementalPoll, LOOKBACK_MS } from '../../src/explorer/incremental';
import type { TraceSummary } from '../../src/model/types';

const summary = (i: number, t: number): TraceSummary => ({ id: `tr-${i.toString(16).padStart(32, '0')}`, state: 'OK', requestTimeMs: t, durationMs: 1, tags: {}, metadata: {}, models: [] });
const fromOf = (filter: string | undefined) => Number(/trace\.timestamp_ms >= (\d+)/.exec(filter ?? '')?.[1]);

describe('explorer live poll window', () => {
  const never = () => {
    throw new Error('no request expected');
  };

  it('looks back a fixed window while every known trace in it can be excluded', () => {
    const poll = new IncrementalPoll(never);
    const now = 1_800_000_000_000;
    poll.seed(Array.from({ length: 50 }, (_, i) => summary(i, now - i * 100)));
    const filter = poll.pollFilter(undefined, now);
    assert.equal(fromOf(filter), now - LOOKBACK_MS);
    assert.equal((filter!.match(/'tr-/g) ?? []).length, 50);
  });

  it('narrows the window to the oldest excluded trace when more are known than can be excluded', () => {
    const poll = new IncrementalPoll(never);
    const now = 1_800_000_000_000;
    // 300 traces in the last 30 s: busy live runs.
    poll.seed(Array.from({ length: 300 }, (_, i) => summary(i, now - i * 100)));
    const filter = poll.pollFilter(undefined, now);
    const excluded = (filter!.match(/'tr-/g) ?? []).length;
    assert.equal(excluded, 200);
    // The 200th newest started at now - 199 * 100 ms: nothing older is asked for again.
    assert.equal(fromOf(filter), now - 199 * 100);
  });
});
