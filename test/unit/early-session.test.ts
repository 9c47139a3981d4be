// Details, whole values and search for a large trace before it is normalised, from its raw spans
// (src/panel/earlySession.ts): every answer is the one the trace's session gives once it is read.
import assert from 'node:assert/strict';
import { readModelCall } from '../../src/model/adapters/read';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { directTableSteps } from '../../src/panel/directTable';
import { EarlySession } from '../../src/panel/earlySession';
import { EarlySpans } from '../../src/model/earlySpans';
import { PostedTable } from '../../src/panel/postedTable';
import { buildHeader } from '../../src/panel/viewModel';
import { TraceSession, resendsAnswers } from '../../src/panel/session';
import { runToEnd } from '../../src/shared/steps';
import { generateTrace } from '../../bench/gen-trace.mjs';

function spansOf(json: string): unknown[] {
  const v = JSON.parse(json) as { spans: unknown[] } | unknown[];
  return Array.isArray(v) ? v : v.spans;
}

type Raw = { attributes: Record<string, unknown> };

/** Turns the first few model calls of a Python-encoded list into calls that resend the model's
 *  earlier answer (history), one of them without its thought signature. */
function resendHistory(list: unknown[]): void {
  const calls = (list as Raw[]).filter((s) => s.attributes['mlflow.spanType'] === JSON.stringify('CHAT_MODEL')).slice(0, 3);
  for (const [k, s] of calls.entries()) {
    const inputs = JSON.parse(s.attributes['mlflow.spanInputs'] as string) as { contents: unknown[] };
    const answer = k === 0 ? { text: 'earlier answer', thought_signature: 'c2ln' } : { text: 'earlier answer' };
    inputs.contents = [{ role: 'user', parts: [{ text: 'first' }] }, { role: 'model', parts: [answer] }, ...inputs.contents];
    s.attributes['mlflow.spanInputs'] = JSON.stringify(inputs);
  }
}

/** A trace's early session (its whole() counted) beside its session, both over the same raw list.
 *  `searchFirst`: the early session reads every span (a search) before the trace is normalised,
 *  which then takes those spans as read (as the panel's trace store does). */
async function pair(encoding: 'python' | 'typescript' | 'otel', hostile: boolean, searchFirst: boolean) {
  const g = generateTrace({ spans: 3000, encoding, seed: 21, hostile });
  const list = spansOf(g.spansJson);
  if (encoding === 'python') resendHistory(list);
  const direct = runToEnd(directTableSteps(g.info, list));
  assert.ok(direct, `${encoding}: read directly`);
  let asked = 0;
  const read: { session?: TraceSession } = {};
  const reader = new EarlySpans();
  const early = new EarlySession(list, direct, reader, async () => {
    asked++;
    return read.session;
  });
  if (searchFirst) await early.searchSliced('paris.md');
  // Normalised after the early session exists, from the same list, as the panel does: the read
  // must leave the raw spans as the early session reads them.
  const trace = normalizeTrace({ info: g.info, spans: list, early: reader });
  assert.ok(!isTraceError(trace));
  const session = (read.session = new TraceSession(trace, undefined));
  // (Looked up only when all are read: a lookup reads the span.)
  if (searchFirst) assert.ok(trace.spans.every((x) => early.source.byId.get(x.id) === x), 'the spans the early session read are the trace\'s own');
  // The trace with spans read early is the trace read plainly.
  const plain = normalizeTrace({ info: g.info, spans: list });
  assert.ok(!isTraceError(plain));
  assert.deepStrictEqual(session.table, new TraceSession(plain).table, 'the same table');
  assert.deepStrictEqual(trace.warnings, plain.warnings);
  return { early, session, trace: trace as Trace, asked: () => asked, plain: new TraceSession(plain), direct };
}

describe('answers before the trace is read (early session)', function () {
  this.timeout(120_000);

  for (const [encoding, hostile] of [['python', true], ['typescript', false], ['otel', true]] as const) {
    it(`gives every span's details as the session does (${encoding}${hostile ? ', hostile strings' : ''})`, async () => {
      const { early, session, trace, asked, plain } = await pair(encoding, hostile, true);
      let history = 0;
      for (const s of trace.spans) {
        if (resendsAnswers(readModelCall(s))) history++;
        const want = session.details(s.id);
        assert.deepStrictEqual(await early.details(s.id), want, `span ${s.id} (${s.name})`);
        assert.deepStrictEqual(plain.details(s.id), want, `span ${s.id} (${s.name}), plain read`);
      }
      // A call that resends the model's answers waits for the whole trace (its warnings need the
      // calls before it); no other span does.
      assert.equal(asked(), history, 'whole() asked once per history-resending call');
      if (encoding === 'python') assert.equal(history, 3, 'three calls resend history');
      await assert.rejects(early.details('no-such-span'), /not in trace/);
    });

    it(`finds what the session finds, and gives the same whole values (${encoding})`, async () => {
      const { early, session, trace, plain, direct } = await pair(encoding, hostile, false);
      // Handed over to the session that adopted its table (as the panel's does), a span not read
      // yet is the session's (the searches below then read the session's spans); a session with
      // a table of its own is not taken.
      const last = trace.spans.at(-1)!;
      early.handOver(session);
      const adopted = await TraceSession.of(trace, undefined, undefined, { table: direct, posted: new PostedTable(direct.table, () => buildHeader(direct.trace, direct.table)), mismatch: (why) => assert.fail(why) });
      assert.equal(adopted.table, direct.table);
      early.handOver(adopted);
      assert.equal(early.source.byId.get(last.id), last);
      const queries = ['paris.md', 'type:tool status:error', 'gemini', '"answer 1"', 'name:get_weather timeouterror', 'status:ok model:flash', '<script>', 'no such words here'];
      for (const q of queries) {
        const want = session.search(q);
        assert.deepStrictEqual(await early.searchSliced(q), want, `search ${JSON.stringify(q)}`);
        assert.deepStrictEqual(plain.search(q), want, `search ${JSON.stringify(q)}, plain read`);
      }
      assert.ok(session.search('paris.md').indices.length > 0, 'a content word is found');
      for (const s of trace.spans.slice(0, 200)) {
        for (const field of ['inputs', 'outputs', 'attributes'] as const) {
          const ref = { spanId: s.id, field, path: [] };
          const got = (() => {
            try {
              return early.fullValue(ref);
            } catch (e) {
              return String(e);
            }
          })();
          const want = (() => {
            try {
              return session.fullValue(ref);
            } catch (e) {
              return String(e);
            }
          })();
          assert.equal(got, want, `${s.id} ${field}`);
        }
      }
      const media = { spanId: trace.spans[1].id, field: 'chat' as const, path: ['request', 0, 'parts', 0] };
      assert.deepStrictEqual(await early.media(media), await session.media(media), 'a part that is not a medium');
    });
  }

  it('finds the same words in a payload still pending, half decoded or decoded', () => {
    const g = generateTrace({ spans: 3000, encoding: 'python', seed: 22, hostile: true });
    const read = () => {
      const t = normalizeTrace({ info: g.info, spans: g.spansJson });
      assert.ok(!isTraceError(t));
      return t;
    };
    const queries = ['paris.md', 'celsius', '"you are a helpful"', 'get_weather', 'timeouterror', '<script>'];
    const pending = new TraceSession(read());
    const half = read();
    // Inputs decoded on some spans (a details view), outputs on others; the rest left pending.
    half.spans.forEach((s, i) => void (i % 3 === 0 ? s.inputs : i % 3 === 1 ? s.outputs : undefined));
    const decoded = read();
    for (const s of decoded.spans) void s.attributes;
    for (const q of queries) {
      const want = pending.search(q);
      assert.ok(want.indices.length > 0, `${q} is found`);
      assert.deepStrictEqual(new TraceSession(half).search(q), want, `${q}, half decoded`);
      assert.deepStrictEqual(new TraceSession(decoded).search(q), want, `${q}, decoded`);
    }
  });
});
