// The REST client against a real `mlflow server`, over traces written by the real Python SDK.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowError } from '../../src/mlflow/errors';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { FullTrace } from '../../src/mlflow/types';
import { startDelayProxy } from '../fixtures/faults/servers';
import { writeTraces } from '../fixtures/mlflow/writeTraces';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';

/** A span's field, as the two encodings name it. */
function spanField(span: unknown, key: string): unknown {
  return (span as Record<string, unknown>)[key];
}

async function rejectsKind(p: Promise<unknown>, kind: MlflowError['kind'], pattern?: RegExp): Promise<MlflowError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MlflowError, `expected MlflowError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (pattern) assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected a rejection of kind ${kind}`);
}

describe('MlflowClient against a real MLflow server', function () {
  this.timeout(180_000);
  let url: string;
  let client: MlflowClient;
  const logs: string[] = [];

  before(async () => {
    url = await mlflowUrl();
    client = new MlflowClient({ trackingUri: url, log: (level, m) => logs.push(`${level} ${m}`) });
  });

  it('answers health', async () => {
    await client.health();
    assert.ok(logs.some((l) => /^debug GET \/health → 200 \(\d+ ms/.test(l)), logs.join('\n'));
  });

  describe('experiments', () => {
    it('creates, gets by name and searches', async () => {
      const name = uniqueName('client-exp');
      const id = await client.createExperiment(name);
      assert.match(id, /^\d+$/);
      const got = await client.getExperimentByName(name);
      assert.equal(got?.experiment_id, id);
      assert.equal(got?.name, name);
      const { experiments } = await client.searchExperiments({ filter: `name = '${name}'` });
      assert.deepEqual(experiments.map((e) => e.experiment_id), [id]);
      // Paging over experiments: one per page until the new one shows up.
      const first = await client.searchExperiments({ maxResults: 1, orderBy: ['creation_time DESC'] });
      assert.equal(first.experiments.length, 1);
      assert.ok(first.nextPageToken, 'a second page exists (Default is there too)');
      const second = await client.searchExperiments({ maxResults: 1, orderBy: ['creation_time DESC'], pageToken: first.nextPageToken });
      assert.equal(second.experiments.length, 1);
      assert.notEqual(second.experiments[0].experiment_id, first.experiments[0].experiment_id);
    });

    it('returns undefined for a missing experiment name', async () => {
      assert.equal(await client.getExperimentByName(uniqueName('nope')), undefined);
    });

    it('explains a duplicate experiment with MLflow\'s own error code', async () => {
      const name = uniqueName('dup');
      await client.createExperiment(name);
      const e = await rejectsKind(client.createExperiment(name), 'bad-request', /RESOURCE_ALREADY_EXISTS/);
      assert.match(e.message, new RegExp(`MLflow at ${url.replace(/[.]/g, '\\.')}`));
    });
  });

  describe('traces written by the Python SDK', () => {
    let expId: string;
    let storeIds: string[];
    let artifactIds: string[];
    let errorId: string;
    let nsTraces: Record<'store' | 'artifacts', string>;
    let largeTraces: Record<'store' | 'artifacts', string>;
    const FILLER = 1_500_000; // a body over 1 MB, which the client parses in slices
    const exp = uniqueName('client-traces');
    // 2026-01-01T00:00:00.123456789Z: above 2^53, and not representable as a double.
    const startNs = '1767225600123456789';

    before(async () => {
      const [store, legacy, failing, nsStore, nsArtifacts, largeStore, largeArtifacts] = await writeTraces(url, [
        { experiment: exp, count: 4, name: 'store', tags: { suite: 'client' } },
        { experiment: exp, count: 3, name: 'legacy', spansTo: 'artifacts' },
        { experiment: exp, name: 'failing', error: true },
        { experiment: uniqueName('ns'), name: 'timed', startNs },
        { experiment: uniqueName('ns'), name: 'timed', startNs, spansTo: 'artifacts' },
        { experiment: uniqueName('large'), name: 'large', inputChars: FILLER },
        { experiment: uniqueName('large'), name: 'large', inputChars: FILLER, spansTo: 'artifacts' },
      ]);
      expId = store.experimentId;
      storeIds = store.traceIds;
      artifactIds = legacy.traceIds;
      errorId = failing.traceIds[0];
      nsTraces = { store: nsStore.traceIds[0], artifacts: nsArtifacts.traceIds[0] };
      largeTraces = { store: largeStore.traceIds[0], artifacts: largeArtifacts.traceIds[0] };
    });

    for (const spansTo of ['store', 'artifacts'] as const) {
      it(`reads a trace body over 1 MB (parsed in slices) exactly (${spansTo})`, async () => {
        logs.length = 0;
        const t = await client.getTrace(largeTraces[spansTo]);
        const size = Number(/→ 200 \(\d+ ms, (\d+) B\)/.exec(logs.find((l) => /traces\/get|traces\.json|get-trace-artifact/.test(l)) ?? '')?.[1]);
        assert.ok(size > 1_048_576, `the body was ${size} B: ${logs.join('\n')}`);
        assert.match(String(spanField(t.data.spans.find((s) => spanField(s, 'name') === 'large'), 'start_time_unix_nano')), /^\d{19}$/, 'times stay exact decimal strings');
        // Read as the product reads it: each encoding's inputs decoded by the trace model.
        const trace = normalizeTrace({ info: t.info, spans: t.data.spans });
        assert.ok(!isTraceError(trace), isTraceError(trace) ? trace.error : '');
        const filler = String((trace.spans.find((s) => s.name === 'large')?.inputs as { filler?: string } | undefined)?.filler ?? '');
        assert.equal(filler.length, FILLER);
        assert.ok(filler.startsWith('"quoted" 1767225600123456789 '), filler.slice(0, 40));
      });
    }

    it('searches with a filter and an order', async () => {
      const { traces } = await client.searchTraces({ experimentIds: [expId], filter: "trace.status = 'ERROR'" });
      assert.deepEqual(traces.map((t) => t.trace_id), [errorId]);
      assert.equal(traces[0].state, 'ERROR');

      const byTag = await client.searchTraces({ experimentIds: [expId], filter: "tags.suite = 'client'", orderBy: ['timestamp_ms ASC'] });
      assert.deepEqual(byTag.traces.map((t) => t.trace_id), storeIds, 'oldest first, as written');
      const desc = await client.searchTraces({ experimentIds: [expId], filter: "tags.suite = 'client'", orderBy: ['timestamp_ms DESC'] });
      assert.deepEqual(desc.traces.map((t) => t.trace_id), [...storeIds].reverse());
      const t0 = byTag.traces[0];
      assert.match(t0.trace_id, /^tr-[0-9a-f]{32}$/);
      assert.match(t0.request_time ?? '', /^\d{4}-\d\d-\d\dT/);
      assert.match(t0.execution_duration ?? '', /^\d+(\.\d+)?s$/);
      assert.equal(t0.trace_location?.mlflow_experiment?.experiment_id, expId);
    });

    it('pages through more traces than one page holds', async () => {
      const seen: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const r = await client.searchTraces({ experimentIds: [expId], maxResults: 3, orderBy: ['timestamp_ms ASC'], pageToken });
        assert.ok(r.traces.length <= 3);
        seen.push(...r.traces.map((t) => t.trace_id));
        pageToken = r.nextPageToken;
        pages++;
      } while (pageToken);
      assert.equal(pages, 3); // 8 traces: 3 + 3 + 2
      // Compared as sets: each page was in time order, the two SDK processes' clocks may differ.
      assert.deepEqual([...seen].sort(), [...storeIds, ...artifactIds, errorId].sort());
    });

    it('reads spans from the tracking store when spansLocation is TRACKING_STORE', async () => {
      const info = await client.getTraceInfo(storeIds[0]);
      assert.equal(info.tags?.['mlflow.trace.spansLocation'], 'TRACKING_STORE');
      const t = await client.getTrace(storeIds[0]);
      assert.equal(t.source, 'tracking-store');
      assert.equal(t.info.trace_id, storeIds[0]);
      assert.equal(t.data.spans.length, 2);
      // OTel-proto JSON: attributes are a list of {key, value: {string_value|…}}.
      const names = t.data.spans.map((s) => spanField(s, 'name')).sort();
      assert.deepEqual(names, ['llm', 'store-0']);
      assert.ok(Array.isArray(spanField(t.data.spans[0], 'attributes')));
      assert.ok(logs.some((l) => l.includes('GET /api/3.0/mlflow/traces/get?trace_id=')), 'went through traces/get');
    });

    it('close() stops a trace read between its requests: no spans request goes out after it', async () => {
      // What the connection does when the server or credentials change under a read (the rest
      // must not go out with the credentials just replaced).
      const proxy = await startDelayProxy(url, 600);
      try {
        const stale = new MlflowClient({ trackingUri: proxy.url });
        const read = stale.getTrace(storeIds[0]);
        await new Promise((d) => setTimeout(d, 200));
        stale.close();
        await rejectsKind(read, 'cancelled');
        await new Promise((d) => setTimeout(d, 800));
        assert.deepEqual(proxy.seen.map((r) => r.url.split('?')[0]), [`/api/3.0/mlflow/traces/${storeIds[0]}`], 'only the request under way was sent');
        await rejectsKind(stale.getTraceInfo(storeIds[0]), 'cancelled');
        assert.equal(proxy.seen.length, 1, 'a closed client sends nothing');
      } finally {
        await proxy.close();
      }
    });

    it('reads spans from the artifact store when they are not in the tracking store', async () => {
      const info = await client.getTraceInfo(artifactIds[0]);
      assert.equal(info.tags?.['mlflow.trace.spansLocation'], undefined);
      assert.match(info.tags?.['mlflow.artifactLocation'] ?? '', /^mlflow-artifacts:\/\d+\/traces\/tr-[0-9a-f]+\/artifacts$/);
      logs.length = 0;
      const t = await client.getTrace(artifactIds[0]);
      assert.equal(t.source, 'artifact');
      assert.equal(t.data.spans.length, 2);
      // Python's traces.json: attributes are an object of JSON-encoded strings.
      const root = t.data.spans.find((s) => spanField(s, 'name') === 'legacy-0');
      const attrs = spanField(root, 'attributes') as Record<string, string>;
      assert.equal(attrs['mlflow.spanType'], '"CHAIN"');
      assert.ok(logs.some((l) => new RegExp(`GET /api/2\\.0/mlflow-artifacts/artifacts/${expId}/traces/${artifactIds[0]}/artifacts/traces\\.json → 200`).test(l)), logs.join('\n'));
      assert.ok(!logs.some((l) => l.includes('traces/get')), 'never asked traces/get for an artifact trace');
    });

    it('keeps the error trace\'s state and exception event', async () => {
      const t: FullTrace = await client.getTrace(errorId);
      assert.equal(t.info.state, 'ERROR');
      const llm = t.data.spans.find((s) => spanField(s, 'name') === 'llm');
      assert.match(JSON.stringify(spanField(llm, 'events')), /boom 0/);
    });

    it('sets and deletes a trace tag', async () => {
      const id = storeIds[1];
      await client.setTraceTag(id, 'gt.note', 'hello "world"');
      assert.equal((await client.getTraceInfo(id)).tags?.['gt.note'], 'hello "world"');
      await client.deleteTraceTag(id, 'gt.note');
      assert.equal((await client.getTraceInfo(id)).tags?.['gt.note'], undefined);
      await rejectsKind(client.deleteTraceTag(id, 'gt.note'), 'not-found', /No trace tag with key 'gt\.note'/);
    });

    it('deletes traces and then reports them missing', async () => {
      const victims = [storeIds[3], artifactIds[2]];
      assert.equal(await client.deleteTraces(expId, victims), 2);
      assert.equal(await client.deleteTraces(expId, []), 0);
      const e = await rejectsKind(client.getTrace(victims[0]), 'not-found');
      assert.match(e.message, new RegExp(`Trace ${victims[0]} was not found on MLflow at`));
      const left = await client.searchTraces({ experimentIds: [expId], maxResults: 500 });
      assert.ok(!left.traces.some((t) => victims.includes(t.trace_id)));
      storeIds.pop();
      artifactIds.pop();
    });

    it('builds the MLflow UI URL of a trace', () => {
      assert.equal(client.traceUiUrl(expId, storeIds[0]), `${url}/#/experiments/${expId}/traces?selectedEvaluationId=${storeIds[0]}`);
    });

    describe('nanosecond precision', () => {
      before(() => assert.notEqual(String(Number(startNs)), startNs));

      for (const spansTo of ['store', 'artifacts'] as const) {
        it(`keeps int64 span times exact (${spansTo})`, async () => {
          const t = await client.getTrace(nsTraces[spansTo]);
          assert.equal(t.source, spansTo === 'store' ? 'tracking-store' : 'artifact');
          const root = t.data.spans.find((s) => spanField(s, 'name') === 'timed');
          const child = t.data.spans.find((s) => spanField(s, 'name') === 'child');
          assert.equal(spanField(root, 'start_time_unix_nano'), startNs);
          assert.equal(spanField(root, 'end_time_unix_nano'), (BigInt(startNs) + 1_000_000_007n).toString());
          assert.equal(spanField(child, 'start_time_unix_nano'), (BigInt(startNs) + 1n).toString());
        });
      }
    });
  });

  describe('a page of 500 and beyond', () => {
    // MLflow caps a page at 500; 510 traces need two. The SDK takes ~0.2 s per trace, so these are
    // written in one OTLP/JSON request to the server's /v1/traces (the route OTel exporters use):
    // one root span per trace, a second apart. Paging is the same for any trace.
    it('pages 510 traces at the maximum page size', async () => {
      const expId = await client.createExperiment(uniqueName('many'));
      const base = 1767225600000000000n;
      const spans = Array.from({ length: 510 }, (_, i) => ({
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        name: `t${i}`,
        kind: 1,
        startTimeUnixNano: String(base + BigInt(i) * 1_000_000_000n),
        endTimeUnixNano: String(base + BigInt(i) * 1_000_000_000n + 500_000_000n),
        status: { code: 1 },
      }));
      const r = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': expId },
        body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] }),
      });
      assert.equal(r.status, 200, await r.text());
      const ids = spans.map((s) => `tr-${s.traceId}`);
      const p1 = await client.searchTraces({ experimentIds: [expId], maxResults: 500, orderBy: ['timestamp_ms ASC'] });
      assert.equal(p1.traces.length, 500);
      assert.ok(p1.nextPageToken);
      const p2 = await client.searchTraces({ experimentIds: [expId], maxResults: 500, orderBy: ['timestamp_ms ASC'], pageToken: p1.nextPageToken });
      assert.equal(p2.traces.length, 10);
      assert.equal(p2.nextPageToken, undefined);
      assert.deepEqual([...p1.traces, ...p2.traces].map((t) => t.trace_id), ids);
      await rejectsKind(client.searchTraces({ experimentIds: [expId], maxResults: 501 }), 'bad-request', /from 1 to 500/);
    });
  });

  describe('server-side refusals', () => {
    it('passes MLflow\'s 400 error_code and message through', async () => {
      const e = await rejectsKind(client.searchTraces({ experimentIds: ['0'], filter: 'bogus ===' }), 'bad-request', /INVALID_PARAMETER_VALUE.*Invalid clause/);
      assert.equal(e.details.status, 400);
      assert.equal(e.details.errorCode, 'INVALID_PARAMETER_VALUE');
    });

    it('reports an unknown trace as not found', async () => {
      await rejectsKind(client.getTrace('tr-00000000000000000000000000000bad'), 'not-found', /Trace tr-0+bad was not found on MLflow at http:\/\/127\.0\.0\.1:\d+/);
    });
  });
});
