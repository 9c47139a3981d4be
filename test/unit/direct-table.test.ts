// A large trace's table drawn from its raw span list before the trace is normalised
// (src/panel/directTable.ts): for every trace it reads, the very table and header the normalised
// trace gives; every trace it would read differently, it leaves to the usual road.
import assert from 'node:assert/strict';
import { EarlySpans } from '../../src/model/earlySpans';
import { decodeSpan } from '../../src/model/encodings';
import { INPUTS_ATTR, OUTPUTS_ATTR } from '../../src/model/lazySpan';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { SPAN_FACT_KEYS, toSpan } from '../../src/model/spanInfo';
import { directTableSteps, type DirectTable } from '../../src/panel/directTable';
import { PostedTable } from '../../src/panel/postedTable';
import { TraceSession } from '../../src/panel/session';
import { buildHeader } from '../../src/panel/viewModel';
import { runToEnd } from '../../src/shared/steps';
import { generateTrace } from '../../bench/gen-trace.mjs';
import { tsSdkTracesJson } from '../fixtures/traces/tsSdkTrace';

type Raw = Record<string, unknown> & { attributes: Record<string, unknown> };

function spansOf(json: string): Raw[] {
  const v = JSON.parse(json) as { spans: Raw[] } | Raw[];
  return Array.isArray(v) ? v : v.spans;
}

function direct(info: unknown, spans: unknown[], early?: EarlySpans): DirectTable | undefined {
  return runToEnd(directTableSteps(info, spans, early));
}

/** Spans read as if while the body downloaded: those at indices `every` divides. */
function readEarly(spans: unknown[], every: number): EarlySpans {
  const early = new EarlySpans();
  spans.forEach((s, i) => i % every === 0 && early.read(i, s));
  return early;
}

/** The direct table of `spans`, checked column by column and header against the normalised trace's. */
function assertSame(info: unknown, spans: unknown[], what: string): DirectTable {
  const d = direct(info, spans);
  assert.ok(d, `${what}: read directly`);
  const t = normalizeTrace({ info, spans });
  assert.ok(!isTraceError(t), what);
  const s = new TraceSession(t, 'http://mlflow.test/ui');
  for (const k of Object.keys(s.table) as (keyof typeof s.table)[]) assert.deepStrictEqual(d.table[k], s.table[k], `${what}: column ${k}`);
  assert.deepStrictEqual(buildHeader(d.trace, d.table, 'http://mlflow.test/ui'), s.header(), `${what}: header`);
  // Rows taken from spans read while the body downloaded: the same table and header.
  for (const every of [1, 2]) {
    const e = direct(info, spans, readEarly(spans, every));
    assert.ok(e, `${what}: read directly with every ${every} span(s) read early`);
    assert.deepStrictEqual(e.table, d.table, `${what}: table with every ${every} span(s) read early`);
    assert.deepStrictEqual(buildHeader(e.trace, e.table, 'http://mlflow.test/ui'), s.header(), `${what}: header with every ${every} span(s) read early`);
  }
  return d;
}

/** A python-encoded trace of `n` spans to edit. */
function small(n = 400, seed = 5): { info: Record<string, unknown>; spans: Raw[] } {
  const g = generateTrace({ spans: n, encoding: 'python', seed });
  return { info: g.info as Record<string, unknown>, spans: spansOf(g.spansJson) };
}

const py = (v: unknown): string => JSON.stringify(v);

describe('the span table drawn before the trace is read', function () {
  this.timeout(120_000);

  for (const encoding of ['python', 'typescript', 'otel'] as const) {
    it(`is the normalised trace's table and header (${encoding}, hostile strings)`, () => {
      const g = generateTrace({ spans: 6000, encoding, seed: 13, hostile: true });
      const d = assertSame(g.info, spansOf(g.spansJson), encoding);
      assert.ok(d.table.flags.some((f) => f & 4), 'with a critical path');
      assert.ok(d.trace.usage.total > 0 && d.trace.usage.thinking > 0, 'usage rolled up, thinking from the responses');
    });
  }

  it('is the same for the TypeScript SDK\'s own traces.json', () => {
    const id = 'tr-0123456789abcdef0123456789abcdef';
    assertSame({ trace_id: id, state: 'ERROR', request_time: '2026-11-20T10:00:00Z', trace_metadata: {}, tags: {} }, spansOf(tsSdkTracesJson(id)), 'ts sdk');
  });

  it('orders, adds up and types as normalising does: shuffled, two roots, same-tick siblings, costs, other usage attributes', () => {
    const { info, spans } = small();
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = spans.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [spans[i], spans[j]] = [spans[j], spans[i]];
    }
    spans.push({ ...spans[0], span_id: 'AAAAAAAAAAE=', parent_span_id: null, name: '' });
    const sibling = spans.find((s) => s.parent_span_id && spans.some((o) => o !== s && o.parent_span_id === s.parent_span_id))!;
    spans.push({ ...sibling, span_id: 'AAAAAAAAAAM=', name: 'same tick', end_time_unix_nano: sibling.start_time_unix_nano });
    const llm = spans.filter((s) => s.attributes['mlflow.spanType'] === py('CHAT_MODEL'));
    llm[0].attributes['mlflow.llm.cost'] = py({ input_cost: 0.001, output_cost: 0.002, total_cost: 0.003 });
    llm[1].attributes['mlflow.llm.cost'] = py({ input_cost: 0.1, output_cost: 0.2, total_cost: 0.3 });
    // Usage in OTel GenAI and AI SDK attributes; the model only in the request.
    for (const [k, s] of llm.slice(2, 8).entries()) {
      delete s.attributes['mlflow.chat.tokenUsage'];
      delete s.attributes['mlflow.llm.model'];
      if (k % 2) Object.assign(s.attributes, { 'gen_ai.usage.input_tokens': py(12), 'gen_ai.usage.output_tokens': py(7) });
      else Object.assign(s.attributes, { 'ai.usage.inputTokens': py(3), 'ai.usage.outputTokens': py(4), 'ai.model.id': py('gemini-3-pro') });
    }
    const tool = spans.find((s) => s.attributes['mlflow.spanType'] === py('TOOL'))!;
    tool.attributes['gen_ai.operation.name'] = py('execute_tool');
    tool.attributes['code.file.path'] = py('/app/tools.py');
    tool.attributes['code.line.number'] = py(7);
    const d = assertSame(info, spans, 'edited');
    assert.ok(d.trace.cost && d.trace.cost.total > 0.3, 'costs rolled up');
    assert.ok(d.table.models.includes('gemini-3-pro'));
    assertSame({ ...info, state: 'ERROR' }, spans, 'an ERROR trace');
  });

  it('leaves to normalising every trace it would read differently or warn about', () => {
    const cases: [string, (t: { info: Record<string, unknown>; spans: Raw[] }) => void][] = [
      ['still running', (t) => void (t.info.state = 'IN_PROGRESS')],
      ['a span still running', (t) => void (t.spans[7].end_time_unix_nano = null)],
      ['a missing parent', (t) => void (t.spans[9].parent_span_id = 'bm8gc3VjaA==')],
      ['a repeated id', (t) => void t.spans.push({ ...t.spans[3], name: 'again' })],
      ['a parent loop', (t) => {
        const [a, b] = [t.spans[20], t.spans[21]];
        a.parent_span_id = b.span_id;
        b.parent_span_id = a.span_id;
      }],
      ['a malformed id', (t) => void (t.spans[4].span_id = 'not an id!')],
      ['a span that is not an object', (t) => void t.spans.splice(5, 0, 'oops' as unknown as Raw)],
      ['events that are not a list', (t) => void (t.spans[6].events = 'x')],
      ['an end before the start', (t) => void (t.spans[8].end_time_unix_nano = 1)],
      ['MLflow recorded more spans', (t) => void (t.info.trace_metadata = { 'mlflow.trace.sizeStats': py({ num_spans: t.spans.length + 5 }) })],
      ['no trace info', (t) => void (t.info = 'none' as unknown as Record<string, unknown>)],
      ['a span whose encoding its list decides', (t) => void (t.spans[10].attributes = {})],
    ];
    for (const [what, edit] of cases) {
      const t = small(200, 9);
      assert.ok(direct(t.info, t.spans), `${what}: the unedited trace is read`);
      edit(t);
      assert.equal(direct(t.info, t.spans), undefined, what);
      assert.equal(direct(t.info, t.spans, readEarly(t.spans, 1)), undefined, `${what}, every span read early`);
    }
  });

  it('decodes every attribute a span\'s facts are read from', () => {
    // toSpan reads its facts through spanFacts; the direct table decodes SPAN_FACT_KEYS only. Any
    // attribute toSpan reads beyond them would make the two disagree.
    const read = new Set<string>();
    const lists = (['python', 'typescript', 'otel'] as const).map((encoding) => spansOf(generateTrace({ spans: 2000, encoding, seed: 4 }).spansJson));
    lists.push(spansOf(tsSdkTracesJson('tr-0123456789abcdef0123456789abcdef')));
    const { spans: edited } = small();
    edited.forEach((s) => void (delete s.attributes['mlflow.chat.tokenUsage'], delete s.attributes['mlflow.llm.model'], delete s.attributes['mlflow.spanType']));
    lists.push(edited);
    for (const list of lists) {
      list.forEach((raw, i) => {
        const d = decodeSpan(raw, i, 'python', () => undefined);
        assert.ok(typeof d !== 'string');
        d.attributes = new Proxy(d.attributes, {
          get: (o, k) => (typeof k === 'string' && read.add(k), Reflect.get(o, k)),
          has: (o, k) => (typeof k === 'string' && read.add(k), Reflect.has(o, k)),
        });
        toSpan(d);
      });
    }
    const beyond = [...read].filter((k) => !SPAN_FACT_KEYS.has(k) && k !== INPUTS_ATTR && k !== OUTPUTS_ATTR && k !== 'mlflow.traceRequestId');
    assert.deepEqual(beyond, []);
    assert.ok(read.has('ai.usage.inputTokens') && read.has('code.lineno'), 'the reads were seen');
  });

  it('is adopted by the trace\'s session when it is the trace\'s own, and drawn again when not', async () => {
    const g = generateTrace({ spans: 3000, encoding: 'python', seed: 2 });
    const spans = spansOf(g.spansJson);
    const read = (): ReturnType<typeof normalizeTrace> => normalizeTrace({ info: g.info, spans });
    const d = direct(g.info, spans)!;
    const posted = new PostedTable(d.table, () => buildHeader(d.trace, d.table));
    const why: string[] = [];
    const t = read();
    assert.ok(!isTraceError(t));
    const s = await TraceSession.of(t, undefined, undefined, { table: d, posted, mismatch: (m) => why.push(m) });
    assert.equal(s.table, d.table, 'adopted');
    assert.equal(why.length, 0, why.join('; '));
    assert.equal(s.payload(1).table, posted.payload(1).table, 'its packed table too');
    assert.equal(await TraceSession.of(t, undefined), s, 'and kept for a reopen');

    const other = read();
    assert.ok(!isTraceError(other));
    const wrong = direct(g.info, spans)!;
    wrong.table.ids[5] = 'ffffffffffffffff';
    const s2 = await TraceSession.of(other, undefined, undefined, { table: wrong, posted, mismatch: (m) => why.push(m) });
    assert.notEqual(s2.table, wrong.table);
    assert.match(why[0], /row 5 is span ffffffffffffffff/);
  });
});
