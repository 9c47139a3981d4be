// Targeted bad inputs for the normaliser: orphans, parent cycles, duplicate ids, missing fields and
// wrong types. Each must come back as a Trace with a warning that names the problem, or as a
// TraceError saying what was wrong, and never as an exception.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Span, Trace, TraceError } from '../../src/model/types';

const TRACE = 'tr-00112233445566778899aabbccddeeff';

/** A span in the TypeScript-SDK encoding (hex ids are accepted too). */
function sp(id: string, parent: string | null, start: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    span_id: id, parent_span_id: parent ?? '', name: `s-${id.slice(-2)}`,
    start_time_unix_nano: String(1_000_000 + start), end_time_unix_nano: String(1_000_100 + start),
    status: { code: 'STATUS_CODE_OK', message: '' }, attributes: {}, events: [], ...extra,
  };
}
const id = (n: number) => n.toString(16).padStart(16, '0');

function ok(spans: unknown, info: unknown = { trace_id: TRACE, state: 'OK' }): Trace {
  const t = normalizeTrace({ info, spans });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}
function err(input: unknown): TraceError {
  const t = normalizeTrace(input as { info: unknown; spans: unknown });
  assert.ok(isTraceError(t), 'expected a TraceError');
  assert.ok(t.error.length > 20, t.error);
  return t;
}
const names = (xs: Span[]) => xs.map((s) => s.name);

describe('trace model: bad and odd inputs', () => {
  it('keeps an orphan, marks it, shows it at the top level after the real roots, and warns', () => {
    const t = ok([sp(id(2), id(99), 0), sp(id(1), null, 5), sp(id(3), id(1), 6)]);
    const orphan = t.byId.get(id(2))!;
    assert.equal(orphan.orphan, true);
    assert.equal(orphan.parentId, id(99), 'the recorded parent is kept');
    assert.deepEqual(names(t.roots), ['s-01', 's-02']);
    assert.equal(orphan.depth, 0);
    assert.match(t.warnings.join('\n'), new RegExp(`names a parent ${id(99)} that is not in the trace`));
  });

  it('in a trace still in progress, stands in a running parent for the root not in MLflow yet, named after the trace', () => {
    const info = { trace_id: TRACE, state: 'IN_PROGRESS', tags: { 'mlflow.traceName': 'Interactions.background' } };
    const t = ok([sp(id(2), id(99), 0), sp(id(3), id(99), 50)], info);
    assert.deepEqual(names(t.roots), ['Interactions.background']);
    const root = t.roots[0];
    assert.equal(root.id, id(99));
    assert.equal(root.endNs, null, 'running');
    assert.equal(root.status, 'IN_PROGRESS');
    assert.match(String(root.statusMessage), /^Still running/);
    assert.deepEqual(names(root.children), ['s-02', 's-03']);
    assert.equal(t.byId.get(id(2))!.orphan, false);
    assert.deepEqual(t.warnings, [], 'no orphans to warn about');
    assert.equal(t.endNs, null, 'the trace runs on');
    // Two missing parents: each stood in for, neither given the trace's name.
    assert.deepEqual(names(ok([sp(id(2), id(98), 0), sp(id(3), id(99), 5)], info).roots), ['Still running', 'Still running']);
  });

  it('cuts a parent cycle above its earliest span and keeps every span once', () => {
    // 1 → 2 → 3 → 1 (each names the next as parent), plus 4 under 2.
    const t = ok([sp(id(1), id(3), 10), sp(id(2), id(1), 20), sp(id(3), id(2), 5), sp(id(4), id(2), 30)]);
    assert.equal(t.spans.length, 4);
    const cut = t.byId.get(id(3))!;
    assert.equal(cut.cycleBroken, true, 'the earliest-starting span of the loop becomes the top');
    assert.deepEqual(names(t.roots), ['s-03']);
    assert.deepEqual(t.spans.map((s) => [s.name, s.depth]), [['s-03', 0], ['s-01', 1], ['s-02', 2], ['s-04', 3]]);
    assert.match(t.warnings.join('\n'), /3 spans form a cycle/);
  });

  it('a span that is its own parent', () => {
    const t = ok([sp(id(1), id(1), 0)]);
    assert.equal(t.roots[0].cycleBroken, true);
    assert.match(t.warnings[0], /its own parent/);
  });

  it('duplicate span ids: both kept, the copy renamed, children attach to the first', () => {
    const t = ok([sp(id(1), null, 0), sp(id(1), null, 50, { name: 'copy' }), sp(id(2), id(1), 10)]);
    assert.equal(t.spans.length, 3);
    const first = t.byId.get(id(1))!;
    assert.equal(first.name, 's-01');
    assert.deepEqual(names(first.children), ['s-02']);
    const copy = t.spans.find((s) => s.name === 'copy')!;
    assert.notEqual(copy.id, id(1));
    assert.match(copy.id, /^[0-9a-f]{16}$/);
    assert.equal(t.byId.get(copy.id), copy);
    assert.match(t.warnings[0], /repeats the span id 0000000000000001.*kept with the id/);
  });

  it('a 100,000-deep parent chain: no recursion, depths exact', () => {
    const spans = Array.from({ length: 100_000 }, (_, i) => sp(id(i + 1), i === 0 ? null : id(i), i));
    const t = ok(spans);
    assert.equal(t.spans.length, 100_000);
    assert.equal(t.spans[99_999].depth, 99_999);
    assert.deepEqual(t.warnings, []);
  });

  it('warnings are capped: 5,000 orphans give a dozen lines, not 5,000', () => {
    const t = ok(Array.from({ length: 5000 }, (_, i) => sp(id(i + 1), id(10_000_000 + i), i)));
    assert.equal(t.roots.length, 5000);
    assert.ok(t.warnings.length <= 11, `${t.warnings.length} warnings`);
    assert.match(t.warnings[t.warnings.length - 1], /…and 4990 more orphan warnings/);
  });

  it('missing and malformed fields are warned about, not fatal', () => {
    const t = ok([
      sp(id(1), null, 0),
      { parent_span_id: id(1), name: 'no id' },
      sp(id(3), id(1), 1, { start_time_unix_nano: 'soon', name: 'bad start' }),
      sp(id(4), id(1), 2, { end_time_unix_nano: null, status: {}, name: 'running' }),
      sp(id(5), id(1), 3, { end_time_unix_nano: '5', name: 'ends early' }),
      sp(id(6), id(1), 4, { span_id: 'not an id!', name: 'odd id' }),
      sp(id(7), id(1), 5, { events: 'nope', attributes: 'nope', name: 'junk' }),
      42,
    ]);
    const w = t.warnings.join('\n');
    assert.match(w, /span #1 "no id" has no span_id; skipped/);
    assert.match(w, /span #7 is number, not an object; skipped/);
    assert.match(w, /"bad start" has no readable start time \("soon"\)/);
    assert.match(w, /"ends early" ends before it starts/);
    assert.match(w, /"odd id" has a malformed span_id/);
    assert.match(w, /"junk": events is not a list/);
    const byName = (n: string) => t.spans.find((s) => s.name === n)!;
    assert.equal(byName('bad start').startNs, 0n);
    assert.equal(byName('running').status, 'IN_PROGRESS');
    assert.equal(byName('running').endNs, null);
    assert.equal(byName('ends early').endNs, byName('ends early').startNs);
    assert.match(byName('odd id').id, /^[0-9a-f]{16}$/);
    assert.deepEqual(byName('junk').attributes, {});
    assert.equal(t.spans.length, 6);
  });

  it('wrong attribute value types give no usage, cost, model or code location, and no throw', () => {
    const t = ok([sp(id(1), null, 0, {
      attributes: {
        'mlflow.spanType': 7, 'mlflow.chat.tokenUsage': 'garbage', 'mlflow.llm.cost': [1], 'mlflow.llm.model': {},
        'code.filepath': 5, 'code.lineno': 'x', 'mlflow.spanInputs': { contents: 3 },
      },
    })]);
    const s = t.roots[0];
    assert.equal(s.type, 'UNKNOWN');
    assert.equal(s.usage, undefined);
    assert.equal(s.cost, undefined);
    assert.equal(s.model, undefined);
    assert.equal(s.code, undefined);
    assert.deepEqual(t.usage, { input: 0, output: 0, total: 0, cached: 0, thinking: 0 });
  });

  it('a running trace: no end, status from the trace state', () => {
    const t = ok([sp(id(1), null, 0, { end_time_unix_nano: undefined, status: { code: 'STATUS_CODE_UNSET' } })], { trace_id: TRACE, state: 'IN_PROGRESS' });
    assert.equal(t.status, 'IN_PROGRESS');
    assert.equal(t.endNs, null);
    assert.equal(t.summary.durationMs, null);
  });

  it('payloads that are not traces become clear errors', () => {
    assert.match(err(null).error, /Expected a trace payload object/);
    assert.match(err({ info: { trace_id: TRACE }, spans: 5 }).error, /Expected a list of spans.*got a number/);
    assert.match(err({ info: { trace_id: TRACE }, spans: '{"spans": [' }).error, /not valid JSON/);
    assert.match(err({ info: 'x', spans: [] }).error, /neither trace info nor spans/);
    assert.match(err({ info: { trace_id: TRACE }, spans: [1, 'two', null] }).error, /None of the 3 spans could be read: span #0 is number/);
  });

  it('no trace info: shown from the spans, id from mlflow.traceRequestId', () => {
    const t = ok([sp(id(1), null, 0, { attributes: { 'mlflow.traceRequestId': TRACE } })], null);
    assert.equal(t.summary.id, TRACE);
    assert.match(t.warnings[0], /trace info is null; the trace is shown from its spans alone/);
    assert.equal(t.status, 'OK');
  });

  it('accepts traces/get wrappers and traces.json text', () => {
    const spans = [sp(id(1), null, 0)];
    assert.equal(ok(spans, { trace: { trace_info: { trace_id: TRACE } } }).summary.id, TRACE);
    assert.equal(ok({ spans }, { trace_info: { trace_id: TRACE } }).summary.id, TRACE);
    assert.equal(ok(JSON.stringify({ spans })).spans.length, 1);
  });

  it('warns when MLflow recorded more spans than arrived', () => {
    const t = ok([sp(id(1), null, 0)], { trace_id: TRACE, trace_metadata: { 'mlflow.trace.sizeStats': '{"num_spans": 3}' } });
    assert.match(t.warnings[0], /MLflow recorded 3 spans for this trace but 1 were readable/);
  });

  it('OTel AnyValue oddities: camelCase, int64 strings, NaN, bytes, empty values, a nesting bomb', () => {
    let bomb: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < 1000; i++) bomb = { kvlistValue: { values: [{ key: 'k', value: bomb }] } };
    const t = ok([{
      spanId: 'AAAAAAAAAAE=', traceId: 'ABEiM0RVZneImaq7zN3u/w==', name: 'otel', startTimeUnixNano: '1795000000000000001', endTimeUnixNano: '1795000000000000002',
      attributes: [
        { key: 'big', value: { intValue: '9007199254740993' } }, { key: 'small', value: { int_value: '42' } },
        { key: 'nan', value: { doubleValue: 'NaN' } }, { key: 'b', value: { bytesValue: 'AQI=' } }, { key: 'none', value: {} },
        { key: 'arr', value: { arrayValue: { values: [{ boolValue: true }, { stringValue: 'x' }] } } }, { key: 'deep', value: bomb }, { value: {} },
      ],
      status: { code: 2, message: 'failed' },
      events: [{ name: 'exception', timeUnixNano: '1795000000000000002', attributes: [{ key: 'exception.type', value: { stringValue: 'E' } }] }],
    }]);
    const s = t.roots[0];
    assert.equal(s.id, '0000000000000001');
    assert.equal(s.otelTraceId, '00112233445566778899aabbccddeeff');
    assert.equal(s.startNs, 1_795_000_000_000_000_001n);
    assert.equal(s.status, 'ERROR');
    assert.equal(s.attributes.big, '9007199254740993');
    assert.equal(s.attributes.small, 42);
    assert.ok(Number.isNaN(s.attributes.nan));
    assert.equal(s.attributes.b, 'AQI=');
    assert.equal(s.attributes.none, null);
    assert.deepEqual(s.attributes.arr, [true, 'x']);
    assert.match(JSON.stringify(s.attributes.deep), /nested deeper than 256 levels omitted/);
    assert.deepEqual(s.exceptions, [{ type: 'E', message: '' }]);
    assert.match(t.warnings.join('\n'), /1 attribute entry without a key ignored/);
  });
});
