// The panel's "does this trace resend history?" check, which reads every span's model call and so
// runs in slices (src/panel/session.ts), and the response body read as it arrives
// (src/mlflow/bodyText.ts), which replaced Response.text()'s one block.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { TraceSession } from '../../src/panel/session';
import { bodyText } from '../../src/mlflow/bodyText';
import { generateTrace } from '../../bench/gen-trace.mjs';
import { loopTurns } from '../helpers/loopTurns';
import { withResentTurn } from '../helpers/resentTurn';

/** A generated trace; with `resend`, its last model call's request also carries a model turn. */
function trace(spans: number, resend: boolean): Trace {
  const g = generateTrace({ spans, encoding: 'python', seed: 11 });
  const t = normalizeTrace({ info: g.info, spans: resend ? withResentTurn(g.spansJson) : g.spansJson });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

describe('panel: resends-history check', () => {
  it('finds a model call that resends a model turn, and none in a trace without one', async () => {
    assert.equal(await new TraceSession(trace(300, false)).resendsHistory(), false);
    assert.equal(await new TraceSession(trace(300, true)).resendsHistory(), true);
  });

  it('gives the event loop turns on a large trace, stops when its signal is aborted, and answers once', async () => {
    const s = new TraceSession(trace(5_000, false));
    // Slices of 0 ms: a pause at every step (128 spans), however fast the machine skips them.
    const { value, turns } = await loopTurns(() => s.resendsHistory({ sliceMs: 0 }));
    assert.equal(value, false);
    assert.ok(turns > 2, `the check gave the event loop ${turns} turns`);
    // Checked once per session: the answer is kept, and a check stopped half-way keeps none.
    const stopped = AbortSignal.abort(new Error('panel closed'));
    assert.equal(await s.resendsHistory({ signal: stopped }), false, 'the answer it has, without reading again');
    const fresh = new TraceSession(trace(5_000, false));
    const aborted = new AbortController();
    const run = fresh.resendsHistory({ sliceMs: 0, signal: aborted.signal });
    aborted.abort(new Error('panel closed'));
    await assert.rejects(run, /panel closed/);
    assert.equal(await fresh.resendsHistory({ sliceMs: 0 }), false, 'asked again, it reads them all');
  });
});

describe('mlflow: body read as it arrives', () => {
  const streamed = (chunks: Uint8Array[]): Response =>
    new Response(new ReadableStream<Uint8Array>({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } }));

  it('decodes UTF-8 split across chunks, bad bytes and a BOM as Response.text() does', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"t":"€ 😀 ü"}'), 0xff]);
    for (const at of [1, 2, 5, 9, 12, 14, 16]) {
      const got = await bodyText(streamed([bytes.slice(0, at), bytes.slice(at)]));
      assert.equal(got, await new Response(bytes).text(), `split at byte ${at}`);
    }
    assert.equal(await bodyText(new Response(null)), '');
  });
});
