// The trace store (src/core/traceStore.ts) against a real MLflow: a large trace's top shown before
// the whole is read, and the cache bounded by the spans it holds. Traces are logged as the Python
// SDK logs them to a server without span storage: StartTraceV3, then traces.json.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TraceStoreImpl } from '../../src/core/traceStore';
import type { Connection } from '../../src/core/services';
import { MlflowClient } from '../../src/mlflow/client';
import type { Trace } from '../../src/model/types';
import { generateTrace } from '../../bench/gen-trace.mjs';
import { mlflowRest, mlflowUrl, uniqueName } from '../helpers/mlflow';

async function logTrace(base: string, experimentId: string, spans: number, seed: number): Promise<string> {
  const g = generateTrace({ spans, encoding: 'python', seed });
  const traceId = `tr-${randomBytes(16).toString('hex')}`;
  const info = { ...g.info, trace_id: traceId, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } } };
  const started = await mlflowRest<{ trace: { trace_info: { tags: Record<string, string> } } }>('/api/3.0/mlflow/traces', { trace: { trace_info: info } });
  const path = started.trace.trace_info.tags['mlflow.artifactLocation'].replace(/^mlflow-artifacts:\/*/, '');
  const put = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${path}/traces.json`, { method: 'PUT', body: g.spansJson });
  assert.ok(put.ok, `PUT traces.json → ${put.status}`);
  return traceId;
}

/** The connection the store reads through: one real client; the UI's state is not under test. */
function connection(url: string): Connection {
  const client = new MlflowClient({ trackingUri: url });
  return {
    trackingUri: url,
    experimentName: undefined,
    experimentId: undefined,
    state: 'up',
    lastError: undefined,
    onDidChange: () => ({ dispose: () => undefined }),
    client: () => client,
    report: () => undefined,
    injectionEnv: async () => ({}),
  };
}

const quiet = { info: () => undefined, warn: () => undefined };

describe('the trace store', function () {
  this.timeout(180_000);
  let url: string;
  let exp: string;
  before(async () => {
    url = await mlflowUrl();
    exp = (await mlflowRest<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name: uniqueName('trace-store') })).experiment_id;
  });

  it('shows a large trace\'s top, read on its own, before the whole trace is read', async () => {
    const id = await logTrace(url, exp, 25_000, 4);
    const store = new TraceStoreImpl(connection(url), quiet);
    const shown: { top: Trace; total: number; before: boolean }[] = [];
    let done = false;
    const preview = { rows: 2000, fromSpans: 20_000, show: (top: Trace, total: number) => void shown.push({ top, total, before: !done }) };
    const whole = await store.get(id, { preview });
    done = true;
    assert.equal(shown.length, 1);
    assert.ok(shown[0].before, 'shown before the whole trace was read');
    assert.equal(shown[0].total, 25_000);
    assert.deepStrictEqual(shown[0].top.spans.map((s) => s.id), whole.spans.slice(0, 2000).map((s) => s.id), 'the rows the whole trace starts with');
    // Read already: a second call shares the cached trace and shows nothing.
    await store.get(id, { preview });
    assert.equal(shown.length, 1);
    // A smaller trace has no preview.
    const small = await logTrace(url, exp, 500, 5);
    await new TraceStoreImpl(connection(url), quiet).get(small, { preview });
    assert.equal(shown.length, 1);
  });

  it('keeps no more spans cached than its bound, evicting the least recently used trace first', async () => {
    const ids = [await logTrace(url, exp, 3000, 6), await logTrace(url, exp, 3000, 7), await logTrace(url, exp, 3000, 8)];
    const store = new TraceStoreImpl(connection(url), quiet, 7000);
    const [a, b, c] = ids;
    const firstA = await store.get(a);
    assert.equal(await store.get(a), firstA, 'cached');
    const firstB = await store.get(b);
    assert.equal(await store.get(a), firstA, 'two traces of 3,000 spans fit in 7,000');
    // a was used after b: reading c evicts b, the least recently used, and before c is
    // normalised (its raw span count is known once the body is in; the preview comes after it).
    const cached = (id: string): boolean => (store as unknown as { cache: Map<string, unknown> }).cache.has(id);
    let bWhileReadingC: boolean | undefined;
    const firstC = await store.get(c, { preview: { rows: 10, fromSpans: 100, show: () => void (bWhileReadingC = cached(b)) } });
    assert.equal(bWhileReadingC, false, 'b was evicted before c was read');
    assert.equal(await store.get(a), firstA, 'a, used more recently, stays');
    assert.notEqual(await store.get(b), firstB, 'b was evicted: read again');
    // Now c is the least recently used: it went for b.
    assert.equal(await store.get(a), firstA);
    assert.notEqual(await store.get(c), firstC, 'c was evicted when b came back');
  });
});
