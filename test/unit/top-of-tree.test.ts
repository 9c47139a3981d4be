// The top of a large trace's tree, found before it is normalised (src/model/topOfTree.ts): read
// on its own, it gives the rows the whole trace's table starts with.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { topOfTreeSteps } from '../../src/model/topOfTree';
import { runToEnd } from '../../src/shared/steps';
import type { Trace } from '../../src/model/types';
import { generateTrace } from '../../bench/gen-trace.mjs';

function read(info: unknown, spans: unknown[]): Trace {
  const t = normalizeTrace({ info, spans });
  if (isTraceError(t)) throw new Error(t.error);
  return t;
}

/** The first `k` rows of the whole trace and of its top read alone, by id. */
function rows(info: unknown, list: unknown[], k: number): { whole: string[]; top: string[] } {
  const top = runToEnd(topOfTreeSteps(list, k));
  assert.ok(top, 'a top for a list longer than k');
  assert.equal(top.length, k);
  return { whole: read(info, list).spans.slice(0, k).map((s) => s.id), top: read(info, top).spans.map((s) => s.id) };
}

describe('the top of a trace\'s tree, read before the rest', () => {
  for (const encoding of ['python', 'typescript', 'otel'] as const) {
    it(`is the whole table's first rows (${encoding})`, () => {
      const g = generateTrace({ spans: 6000, encoding, seed: 13, hostile: true });
      const list = (JSON.parse(g.spansJson) as { spans: unknown[] }).spans;
      for (const k of [1, 37, 2000]) {
        const { whole, top } = rows(g.info, list, k);
        assert.deepStrictEqual(top, whole, `k = ${k}`);
      }
    });
  }

  it('orders siblings and roots as the whole tree does: shuffled, orphaned, repeated ids, equal starts', () => {
    const g = generateTrace({ spans: 3000, encoding: 'python', seed: 21 });
    const spans = (JSON.parse(g.spansJson) as { spans: Record<string, unknown>[] }).spans;
    // Payload order says nothing: shuffle it (seeded).
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = spans.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [spans[i], spans[j]] = [spans[j], spans[i]];
    }
    // A second root, orphans, a repeated id, siblings starting in the same tick.
    spans.push({ ...spans[0], span_id: 'AAAAAAAAAAE=', parent_span_id: null, name: 'second root' });
    spans.push({ ...spans[1], span_id: 'AAAAAAAAAAI=', parent_span_id: 'bm8gc3VjaA==', name: 'orphan' });
    spans.push({ ...spans[2], name: 'repeats an id' });
    const first = spans.find((s) => s.parent_span_id && spans.some((o) => o !== s && o.parent_span_id === s.parent_span_id));
    assert.ok(first);
    spans.push({ ...first, span_id: 'AAAAAAAAAAM=', start_time_unix_nano: first.start_time_unix_nano, end_time_unix_nano: first.start_time_unix_nano, name: 'same tick' });
    for (const k of [500, 2000, spans.length - 1]) {
      const { whole, top } = rows(g.info, spans, k);
      assert.deepStrictEqual(top, whole, `k = ${k}`);
    }
  });

  it('has nothing to show for a list no longer than k, and never loops on a parent cycle', () => {
    const g = generateTrace({ spans: 50, encoding: 'python', seed: 3 });
    const spans = (JSON.parse(g.spansJson) as { spans: Record<string, unknown>[] }).spans;
    assert.equal(runToEnd(topOfTreeSteps(spans, 50)), undefined);
    const loop = [
      { span_id: 'AAAAAAAAAAE=', parent_span_id: 'AAAAAAAAAAI=', name: 'a', start_time_unix_nano: 1 },
      { span_id: 'AAAAAAAAAAI=', parent_span_id: 'AAAAAAAAAAE=', name: 'b', start_time_unix_nano: 2 },
    ];
    const top = runToEnd(topOfTreeSteps([...spans, ...loop], 51));
    assert.ok(top && top.length === 50, 'the loop is not reached; the tree is');
  });
});
