// A large trace's table posted in pieces (panel/session.ts payloads, contract/wireTable.ts): the
// first piece is the top of the tree and reads as a tree of its own; the pieces, unpacked and
// joined as the webview joins them, are the very table of the session.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { TraceSession } from '../../src/panel/session';
import { TablePoster } from '../../src/panel/tablePoster';
import type { TracePayload } from '../../src/contract/protocol';
import { asPreview, joinPieces, tablePiece, unpackColumns, unpackTable } from '../../src/contract/wireTable';
import { F } from '../../src/contract/spanTable';
import { generateTrace } from '../../bench/gen-trace.mjs';

function trace(spans: number): Trace {
  const g = generateTrace({ spans, encoding: 'python', seed: 3 });
  const t = normalizeTrace({ info: g.info, spans: g.spansJson });
  assert.ok(!isTraceError(t));
  return t;
}

describe('the span table in pieces', function () {
  this.timeout(120_000);

  it('posts a large table top first, in pieces that join into the very table', () => {
    const s = new TraceSession(trace(90_000));
    const posted = [...s.payloads(3, 'focus-me')];
    assert.ok(posted.length >= 3, `${posted.length} pieces`);
    let next = 0;
    for (const p of posted) {
      assert.equal(p.from, next);
      assert.equal(p.revision, 3);
      assert.equal(p.focusSpanId, 'focus-me');
      assert.equal(p.header.spanCount, 90_000);
      next += p.table.n;
    }
    assert.equal(next, 90_000);
    assert.ok(posted[0].table.n <= 5000, 'the first piece is small: a few screens of rows');
    assert.deepStrictEqual(joinPieces(posted.map((p) => unpackColumns(p.table)), 90_000), s.table);
    assert.throws(() => joinPieces(posted.slice(0, -1).map((p) => unpackColumns(p.table)), 90_000), /pieces hold \d+ spans of 90000/);

    // The first piece, shown alone: the top of the tree, every parent in it, no subtree past it.
    const first = asPreview(unpackColumns(posted[0].table));
    assert.deepStrictEqual(first.ids, s.table.ids.slice(0, first.n));
    for (let i = 0; i < first.n; i++) {
      assert.ok(first.parent[i] < i, `span ${i}'s parent comes before it`);
      assert.ok(first.subtreeEnd[i] > i && first.subtreeEnd[i] <= first.n);
      assert.equal(first.depth[i], s.table.depth[i]);
      assert.equal(first.subtreeEnd[i], Math.min(s.table.subtreeEnd[i], first.n), 'its subtrees, cut at its end');
    }
  });

  it('posts a table of up to 4,000 spans whole, as payload() does; 10,000 as its top and the rest', () => {
    const s = new TraceSession(trace(3000));
    const posted = [...s.payloads(1)];
    assert.equal(posted.length, 1);
    assert.equal(posted[0].from, undefined);
    assert.deepStrictEqual(posted[0], s.payload(1));
    const ten = new TraceSession(trace(10_000));
    assert.deepStrictEqual([...ten.payloads(1)].map((p) => [p.from, p.table.n]), [[0, 2000], [2000, 8000]]);
  });

  it('a preview of a larger trace: its top as a first piece of the whole count, MLflow\'s totals, no critical path', () => {
    const s = new TraceSession(trace(3000));
    assert.deepEqual(s.previewPayload(1, 90_000).header.usage, s.trace.usage, 'without MLflow\'s totals, the top\'s own');
    // MLflow's totals for the whole trace (trace info metadata), when it has them.
    const whole = { input: 123_456, output: 7_890, total: 131_346, cached: 0, thinking: 0 };
    s.trace.summary.usage = whole;
    const p = s.previewPayload(4, 90_000, s.table.ids[5]);
    assert.deepEqual([p.from, p.revision, p.header.spanCount, p.focusSpanId], [0, 4, 90_000, s.table.ids[5]]);
    assert.deepEqual(p.header.warnings, []);
    assert.deepEqual(p.header.usage, whole);
    assert.ok(s.table.flags.some((f) => f & F.critical), 'the session marks a critical path');
    const t = unpackTable(p.table);
    assert.ok(t.flags.every((f) => !(f & F.critical)), 'the preview does not');
    assert.deepStrictEqual(t.ids, s.table.ids);
  });

  it('a piece owns its columns (a posted piece never drags the whole buffer along)', () => {
    const t = new TraceSession(trace(500)).table;
    const piece = tablePiece(t, 100, 200);
    assert.equal(piece.n, 100);
    assert.equal(piece.start.buffer.byteLength, 100 * 8);
    assert.equal(piece.tokens.length, t.tokens.length / 5);
    assert.deepStrictEqual([...piece.parent], [...t.parent.slice(100, 200)]);
  });

  it('posts the rest once the page has drawn the first piece; a newer post or a closed panel stops it', async () => {
    const s = new TraceSession(trace(90_000));
    const sent: TracePayload[] = [];
    let open = true;
    const poster = new TablePoster((p) => sent.push(p), () => open);
    const turn = () => new Promise((r) => setTimeout(r, 400)); // for what must not happen
    // Packing and posting every piece takes ~100 ms, longer on a loaded machine: waited for.
    const until = async (done: () => boolean) => {
      for (let k = 0; k < 100 && !done(); k++) await new Promise((r) => setTimeout(r, 100));
    };
    const whole = () => sent.length > 0 && (sent[sent.length - 1].from ?? 0) + sent[sent.length - 1].table.n === 90_000;
    poster.post(s.payloads(1));
    await turn();
    assert.deepEqual(sent.map((p) => p.from), [0], 'waits for the first piece to be drawn');
    poster.rendered(sent[0].table.n, 90_000);
    await until(whole);
    const last = sent[sent.length - 1];
    assert.equal((last.from ?? 0) + last.table.n, 90_000, 'then posts the rest');
    const all = sent.length;
    // The page drew the whole table: a later post (a refresh) does not wait.
    poster.rendered(90_000, 90_000);
    sent.length = 0;
    poster.post(s.payloads(2));
    await until(whole);
    assert.equal(sent.length, all);
    // A new page holds nothing: it waits again; a newer post replaces the older one, and a closed
    // panel stops what is left.
    poster.pageReset();
    sent.length = 0;
    poster.post(s.payloads(3));
    poster.post(s.payloads(4));
    poster.rendered(2000, 90_000);
    await turn();
    assert.deepEqual([...new Set(sent.map((p) => p.revision))], [3, 4]);
    assert.equal(sent.filter((p) => p.revision === 3).length, 1, 'the older post stopped after its first piece');
    sent.length = 0;
    poster.pageReset();
    poster.post(s.payloads(5));
    open = false;
    poster.rendered(2000, 90_000);
    await turn();
    assert.equal(sent.length, 1);
    // The page shows the trace's top (a preview): the whole table's pieces follow each other at once.
    open = true;
    poster.pageReset();
    poster.topDrawn();
    sent.length = 0;
    poster.post(s.payloads(6));
    await until(whole);
    assert.equal(sent.length, all, 'no wait for a first piece the page already shows');
    poster.dispose();
  });

  it('a trace opened again reuses its session: the same layout, pieces packed once, history checked once', async () => {
    const t = trace(10_000);
    const s = await TraceSession.of(t, 'http://mlflow/a', { sliceMs: 0 });
    assert.equal(await TraceSession.of(t, 'http://mlflow/a'), s, 'the same trace, the same page: the same session');
    assert.notEqual(await TraceSession.of(t, 'http://mlflow/b'), s, 'another MLflow page: laid out again');
    assert.notEqual(await TraceSession.of(trace(10_000), 'http://mlflow/a'), s, 'another read of the trace: laid out again');
    const first = [...s.payloads(1)];
    const again = [...s.payloads(2, s.table.ids[3])];
    assert.deepEqual(again.map((p) => [p.revision, p.focusSpanId]), first.map(() => [2, s.table.ids[3]]));
    first.forEach((p, k) => assert.equal(again[k].table, p.table, `piece ${k} packed once`));
    assert.deepStrictEqual(joinPieces(again.map((p) => unpackColumns(p.table)), 10_000), s.table);
    // Checked once: a second answer comes without reading the spans (the check would throw now).
    const resends = await s.resendsHistory();
    const spans = s.trace.spans;
    s.trace.spans = new Proxy(spans, { get: () => assert.fail('read the spans again') });
    try {
      assert.equal(await s.resendsHistory(), resends);
    } finally {
      s.trace.spans = spans;
    }
    // Search text is let go of when asked (a closed panel), and rebuilt for the next search.
    const hits = s.search('paris');
    s.dropSearchText();
    assert.deepEqual(s.search('paris'), hits);
  });

  it('posts a rest of one piece right after the first, without waiting for the page', async () => {
    const s = new TraceSession(trace(10_000));
    const sent: TracePayload[] = [];
    const poster = new TablePoster((p) => sent.push(p), () => true);
    poster.post(s.payloads(1));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(sent.map((p) => [p.from, p.table.n]), [[0, 2000], [2000, 8000]]);
    poster.dispose();
  });
});
