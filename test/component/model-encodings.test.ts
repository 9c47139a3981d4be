// The trace model against traces written by the real MLflow Python SDK into a real MLflow server,
// read back raw in each encoding: OTel-proto JSON (traces/get), Python traces.json as the server
// serves it (get-trace-artifact), and traces.json uploaded by the SDK itself (artifact store).
// Each normalised tree is checked against what the SDK held for every span: hex ids, parents,
// nanosecond-exact times, types, statuses.
import assert from 'node:assert/strict';
import { MlflowClient } from '../../src/mlflow/client';
import { parseJsonLossless } from '../../src/shared/json';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Span, Trace } from '../../src/model/types';
import { sharedSeed } from '../helpers/seed';
import type { SeededTrace, SharedSeed } from '../helpers/seed';

async function raw(base: string, path: string): Promise<unknown> {
  const r = await fetch(`${base}${path}`);
  const text = await r.text();
  assert.ok(r.ok, `GET ${path} -> ${r.status}: ${text.slice(0, 300)}`);
  return parseJsonLossless(text);
}

type Payload = { info: unknown; spans: unknown };

/** traces/get: OTel-proto spans. */
async function otelPayload(base: string, id: string): Promise<Payload> {
  const r = (await raw(base, `/api/3.0/mlflow/traces/get?trace_id=${id}`)) as { trace: { trace_info: unknown; spans: unknown[] } };
  assert.ok(Array.isArray(r.trace.spans) && r.trace.spans.length > 0, 'traces/get returned spans');
  const first = r.trace.spans[0] as { attributes: unknown };
  assert.ok(Array.isArray(first.attributes), 'traces/get spans carry OTel attribute lists');
  return { info: r.trace.trace_info, spans: r.trace.spans };
}

/** get-trace-artifact: Python's traces.json shape (JSON-string attributes). */
async function pythonPayload(base: string, id: string): Promise<Payload> {
  const info = ((await raw(base, `/api/3.0/mlflow/traces/${id}`)) as { trace: { trace_info: unknown } }).trace.trace_info;
  const data = (await raw(base, `/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${id}`)) as { spans: { attributes: Record<string, unknown> }[] };
  assert.equal(typeof data.spans[0].attributes['mlflow.spanType'], 'string');
  assert.match(data.spans[0].attributes['mlflow.spanType'] as string, /^"/, 'attribute values are JSON-encoded strings');
  return { info, spans: data };
}

function norm(p: Payload): Trace {
  const t = normalizeTrace(p);
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

const STATUS: Record<string, string> = { OK: 'OK', ERROR: 'ERROR', UNSET: 'UNSET', STATUS_CODE_OK: 'OK', STATUS_CODE_ERROR: 'ERROR' };

/** Every span the SDK wrote is in the tree, exactly as the SDK held it; children in start order. */
function assertMatchesSdk(t: Trace, seeded: SeededTrace): void {
  const spans = seeded.spans!;
  assert.equal(t.spans.length, spans.length);
  assert.deepEqual(t.warnings, []);
  for (const s of spans) {
    const got = t.byId.get(s.span_id);
    assert.ok(got, `span ${s.name} (${s.span_id}) present`);
    assert.equal(got.name, s.name);
    assert.equal(got.parentId, s.parent_id);
    assert.equal(got.startNs, BigInt(s.start_ns), `${s.name} start ns`);
    assert.equal(got.endNs, s.end_ns === null ? null : BigInt(s.end_ns), `${s.name} end ns`);
    assert.equal(got.type, s.type);
    assert.equal(got.status, STATUS[s.status] ?? s.status);
    assert.equal(got.orphan, false);
    assert.match(got.id, /^[0-9a-f]{16}$/);
    assert.equal(got.otelTraceId, seeded.trace_id.slice(3));
    if (s.parent_id) {
      const parent = t.byId.get(s.parent_id)!;
      assert.ok(parent.children.includes(got));
      assert.equal(got.depth, parent.depth + 1);
    } else assert.ok(t.roots.includes(got));
  }
  for (const s of t.spans) for (let i = 1; i < s.children.length; i++) assert.ok(s.children[i - 1].startNs <= s.children[i].startNs);
}

const byName = (t: Trace, name: string): Span => {
  const s = t.spans.find((x) => x.name === name);
  assert.ok(s, `span ${name}`);
  return s;
};

describe('trace model on traces written by the real MLflow Python SDK', function () {
  this.timeout(300_000);
  let seed: SharedSeed;
  before(async () => {
    seed = await sharedSeed();
  });

  for (const encoding of ['otel', 'python'] as const) {
    describe(`${encoding === 'otel' ? 'OTel-proto JSON from traces/get' : 'Python traces.json from get-trace-artifact'}`, () => {
      const load = (id: string) => (encoding === 'otel' ? otelPayload(seed.mlflowUrl, id) : pythonPayload(seed.mlflowUrl, id));

      it('nested CHAIN › TOOL › LLM: ids, parents, exact ns times, types, usage, cost, code location, tags', async () => {
        const seeded = seed.store.traces.nested!;
        const t = norm(await load(seeded.trace_id));
        assertMatchesSdk(t, seeded);
        assert.equal(t.summary.id, seeded.trace_id);
        assert.equal(t.summary.experimentId, seed.store.experiment_id);
        assert.equal(t.summary.name, 'plan_trip');
        assert.equal(t.summary.tags['gemini_trace.run_id'], 'seed-run-1');
        assert.equal(t.status, 'OK');
        // Times above 2^53 survive: 1795000000123456789 is not a double.
        assert.equal(t.startNs, 1_795_000_000_123_456_789n);
        assert.equal(t.endNs, 1_795_000_002_123_456_796n);
        assert.deepEqual(t.roots.map((r) => r.name), ['plan_trip']);
        assert.deepEqual(t.roots[0].children.map((c) => c.name), ['search_docs', 'lookup_weather', 'agent']);
        const root = t.roots[0];
        assert.deepEqual(root.inputs, { city: 'Paris', big_int: '1152921504606846977' });
        const llm = byName(t, 'summarize');
        assert.equal(llm.depth, 2);
        assert.deepEqual(llm.usage, { input: 11, output: 7, total: 18, cached: 3, thinking: 0 });
        assert.deepEqual(llm.cost, { input: 0.25, output: 0.5, total: 0.75, currency: 'USD' });
        assert.equal(llm.model, 'gemini-2.5-flash');
        assert.deepEqual(llm.code, { filepath: '/home/dev/app/trip.py', lineno: 42, function: 'summarize' });
        assert.deepEqual(llm.outputs, { text: 'Sunny, 21 C' });
        // Leaf-only usage: the two LLM spans add up, and agree with MLflow's own trace total.
        assert.deepEqual(t.usage, { input: 16, output: 9, total: 25, cached: 3, thinking: 0 });
        assert.deepEqual(t.summary.usage, { input: 16, output: 9, total: 25, cached: 3, thinking: 0 });
        assert.equal(t.cost?.total, 0.75);
        assert.deepEqual(t.models, ['gemini-2.5-flash']);
      });

      it('error trace: ERROR status, message, and the exception event on each failed span', async () => {
        const seeded = seed.store.traces.error!;
        const t = norm(await load(seeded.trace_id));
        assertMatchesSdk(t, seeded);
        assert.equal(t.status, 'ERROR');
        assert.equal(t.summary.state, 'ERROR');
        for (const name of ['checkout', 'charge_card']) {
          const s = byName(t, name);
          assert.equal(s.status, 'ERROR');
          assert.equal(s.statusMessage, 'ValueError: card declined');
          assert.equal(s.exceptions.length, 1);
          assert.equal(s.exceptions[0].type, 'ValueError');
          assert.equal(s.exceptions[0].message, 'card declined');
          assert.match(s.exceptions[0].stacktrace ?? '', /Traceback[\s\S]*seed_traces\.py[\s\S]*ValueError: card declined/);
          assert.equal(typeof s.events[0].timeNs, 'bigint');
          assert.ok(s.events[0].timeNs >= s.startNs && s.events[0].timeNs <= s.endNs!);
        }
      });

      it('usage rolled up on a parent is counted once', async () => {
        const t = norm(await load(seed.store.traces.rollup!.trace_id));
        assertMatchesSdk(t, seed.store.traces.rollup!);
        assert.deepEqual(t.usage, { input: 30, output: 12, total: 42, cached: 0, thinking: 0 });
        assert.deepEqual(t.summary.usage, t.usage, 'agrees with MLflow');
      });

      it('a parent recording only its last round does not hide its children (AFC shape)', async () => {
        const t = norm(await load(seed.store.traces.partial_parent!.trace_id));
        assertMatchesSdk(t, seed.store.traces.partial_parent!);
        assert.deepEqual(t.usage, { input: 8, output: 4, total: 12, cached: 0, thinking: 0 });
        // MLflow's outermost-wins total under-counts this shape.
        assert.deepEqual(t.summary.usage, { input: 4, output: 3, total: 7, cached: 0, thinking: 0 });
      });

      it('a 1,000-span trace', async () => {
        const seeded = seed.store.traces.big!;
        const t0 = Date.now();
        const t = norm(await load(seeded.trace_id));
        const ms = Date.now() - t0;
        assert.equal(t.spans.length, 1000);
        assert.deepEqual(t.warnings, []);
        assert.equal(t.roots.length, 1);
        assert.equal(t.roots[0].id, seeded.root_span_id);
        assert.equal(t.roots[0].children.length, 9);
        assert.ok(t.roots[0].children.every((c) => c.children.length === 110 && c.type === 'TOOL'));
        assert.equal(Math.max(...t.spans.map((s) => s.depth)), 2);
        assert.deepEqual(t.usage, { input: 990, output: 990, total: 1980, cached: 0, thinking: 0 });
        console.log(`      1,000-span trace fetched and normalised (${encoding}) in ${ms} ms`);
      });
    });
  }

  describe('traces.json uploaded by the SDK to the artifact store', () => {
    for (const kind of ['nested', 'error'] as const) {
      it(`${kind}: read through the product client, which picks the artifact route`, async () => {
        const seeded = seed.artifacts.traces[kind]!;
        const client = new MlflowClient({ trackingUri: seed.mlflowUrl });
        const full = await client.getTrace(seeded.trace_id);
        assert.equal(full.source, 'artifact');
        assert.equal(full.info.tags?.['mlflow.trace.spansLocation'], undefined);
        const t = norm({ info: full.info, spans: full.data.spans });
        assertMatchesSdk(t, seeded);
        if (kind === 'nested') {
          assert.equal(t.startNs, 1_795_000_000_123_456_789n);
          assert.deepEqual(t.usage, { input: 16, output: 9, total: 25, cached: 3, thinking: 0 });
        } else {
          assert.equal(t.status, 'ERROR');
          assert.equal(byName(t, 'charge_card').exceptions[0].message, 'card declined');
        }
      });
    }
  });

  it('the product client and the raw routes normalise to the same tree', async () => {
    const id = seed.store.traces.nested!.trace_id;
    const client = new MlflowClient({ trackingUri: seed.mlflowUrl });
    const full = await client.getTrace(id);
    assert.equal(full.source, 'tracking-store');
    const viaClient = norm({ info: full.info, spans: full.data.spans });
    const viaOtel = norm(await otelPayload(seed.mlflowUrl, id));
    const viaPython = norm(await pythonPayload(seed.mlflowUrl, id));
    const shape = (t: Trace) => t.spans.map((s) => [s.id, s.parentId, s.startNs, s.endNs, s.type, s.status, s.depth, JSON.stringify(s.usage), JSON.stringify(s.inputs)]);
    assert.deepEqual(shape(viaOtel), shape(viaClient));
    assert.deepEqual(shape(viaPython), shape(viaClient));
  });
});
