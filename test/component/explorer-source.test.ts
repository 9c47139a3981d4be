// The explorer's data layer against a real MLflow server through the real REST client: run
// discovery, paging past 100, "Other traces", filters (the exact keys the filter picker emits),
// and the incremental live poll (nothing-changed polls return zero rows; a slow trace that lands
// late is still found; in-progress traces are re-read until they finish).
import * as assert from 'node:assert/strict';
import { MlflowClient } from '../../src/mlflow/client';
import { compileFilter } from '../../src/explorer/filter';
import { IncrementalPoll } from '../../src/explorer/incremental';
import { ExperimentTraces, OTHER_RUN } from '../../src/explorer/traceSource';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';
import { createExperiment, postTraces, traceSpans } from '../../bench/lib/otlp.mjs';

type Seed = Parameters<typeof traceSpans>[0];

describe('explorer data layer (real MLflow)', function () {
  this.timeout(180_000);
  let url: string;
  let client: MlflowClient;
  let calls: string[];
  const api = () => client;

  before(async () => {
    url = await mlflowUrl();
    calls = [];
    const real = new MlflowClient({ trackingUri: url });
    // Count requests: the tree must never fetch more than it shows.
    client = new Proxy(real, {
      get(t, p, r) {
        const v = Reflect.get(t, p, r);
        return typeof v === 'function' ? (...a: unknown[]) => (calls.push(String(p)), v.apply(t, a)) : v;
      },
    });
  });

  describe('runs, paging, other traces and filters', () => {
    let exp: string;
    const now = Date.now();
    before(async () => {
      exp = await createExperiment(url, uniqueName('explorer-src'));
      const seeds: Seed[] = [];
      // Run A: 150 traces, older; run B: 20 newer ones; 5 untagged newest of all.
      for (let i = 0; i < 150; i++) seeds.push({ startMs: now - 600_000 + i * 1000, runId: 'run-a', runName: 'a.js', runStarted: new Date(now - 601_000).toISOString(), prompt: `a question ${i}` });
      for (let i = 0; i < 20; i++) seeds.push({ startMs: now - 300_000 + i * 1000, runId: 'run-b', runName: 'b.py', runStarted: new Date(now - 301_000).toISOString(), prompt: `b question ${i}`, error: i % 7 === 0, model: i === 3 ? 'gemini-2.5-pro' : undefined });
      for (let i = 0; i < 5; i++) seeds.push({ startMs: now - 100_000 + i * 1000, prompt: i === 2 ? 'find the NEEDLE here' : `untagged ${i}` });
      await postTraces(url, exp, seeds);
    });

    it('discovers runs newest first from one page, plus untagged traces as "Other traces"', async () => {
      calls = [];
      const data = new ExperimentTraces(api, exp, undefined);
      await data.ensureRuns();
      const runs = data.sortedRuns();
      assert.deepEqual(runs.map((r) => r.id), ['run-b', 'run-a', OTHER_RUN]);
      assert.equal(runs[0].name, 'b.py');
      assert.equal(runs[2].name, 'Other traces');
      assert.equal(runs[0].startedMs, now - 301_000);
      assert.equal(data.hasMoreRuns, true, '175 traces do not fit one discovery page');
      assert.equal(calls.length, 2, `discovery is one page plus one untagged probe, was ${calls.join(',')}`);
      // A one-row search excluding the known runs finds no older run: discovery ends.
      calls = [];
      assert.equal(await data.discoverRuns(5), 0);
      assert.equal(data.hasMoreRuns, false);
      assert.equal(calls.length, 1);
      assert.equal(data.sortedRuns().length, 3);
    });

    it('pages a run 100 at a time, newest first, without duplicates', async () => {
      const data = new ExperimentTraces(api, exp, undefined);
      const list = data.list('run-a');
      await list.ensureFirst();
      assert.equal(list.items.length, 100);
      assert.equal(list.hasMore, true);
      await list.loadNext();
      assert.equal(list.items.length, 150);
      assert.equal(list.hasMore, false);
      assert.equal(new Set(list.items.map((t) => t.id)).size, 150);
      const times = list.items.map((t) => t.requestTimeMs);
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
      assert.equal(list.items[0].requestTimeMs, now - 600_000 + 149 * 1000);
      assert.ok(list.items.every((t) => t.experimentId === exp && t.tags['gemini_trace.run_id'] === 'run-a'));
      const other = data.list(OTHER_RUN);
      await other.ensureFirst();
      assert.equal(other.items.length, 5);
      assert.equal(other.hasMore, false);
    });

    it('applies the picker filters on the server: errors only, model, text', async () => {
      const errors = new ExperimentTraces(api, exp, compileFilter({ errorsOnly: true }));
      await errors.ensureRuns();
      assert.deepEqual(errors.sortedRuns().map((r) => r.id), ['run-b']);
      const errList = errors.list('run-b');
      await errList.ensureFirst();
      assert.equal(errList.items.length, 3); // i = 0, 7, 14
      assert.ok(errList.items.every((t) => t.state === 'ERROR'));

      const model = new ExperimentTraces(api, exp, compileFilter({ model: 'gemini-2.5-pro' }));
      await model.ensureRuns();
      const ml = model.list('run-b');
      await ml.ensureFirst();
      assert.equal(ml.items.length, 1);
      assert.match(ml.items[0].requestPreview ?? '', /b question 3/);

      const text = new ExperimentTraces(api, exp, compileFilter({ text: 'needle' }));
      await text.ensureRuns();
      assert.deepEqual(text.sortedRuns().map((r) => r.id), [OTHER_RUN]);
      const tl = text.list(OTHER_RUN);
      await tl.ensureFirst();
      assert.equal(tl.items.length, 1);
      assert.match(tl.items[0].requestPreview ?? '', /NEEDLE/);

      const none = new ExperimentTraces(api, exp, compileFilter({ text: 'no such text anywhere' }));
      await none.ensureRuns();
      assert.equal(none.sortedRuns().length, 0);
      assert.equal(none.empty, true);
    });
  });

  it('finds older runs one row each, never re-reading runs it knows', async () => {
    const exp = await createExperiment(url, uniqueName('explorer-runs'));
    const now = Date.now();
    const seeds: Seed[] = [];
    // 6 runs of 60 traces each, run-5 newest: the first page (100 traces) sees only two runs.
    for (let r = 0; r < 6; r++) for (let i = 0; i < 60; i++) seeds.push({ startMs: now - 3_600_000 + r * 100_000 + i * 100, runId: `run-${r}`, runName: `r${r}` });
    await postTraces(url, exp, seeds);
    calls = [];
    const data = new ExperimentTraces(api, exp, undefined);
    await data.ensureRuns();
    assert.deepEqual(data.sortedRuns().map((r) => r.id), ['run-5', 'run-4']);
    calls = [];
    assert.equal(await data.discoverRuns(2), 2, 'one request per older run');
    assert.equal(calls.length, 2);
    assert.deepEqual(data.sortedRuns().map((r) => r.id), ['run-5', 'run-4', 'run-3', 'run-2']);
    assert.equal(data.hasMoreRuns, true);
    assert.equal(await data.discoverRuns(10), 2);
    assert.deepEqual(data.sortedRuns().map((r) => r.id), ['run-5', 'run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
    assert.equal(data.hasMoreRuns, false);
    assert.equal(calls.length, 2 + 3, 'two more runs, then one empty answer');
  });

  describe('incremental live poll', () => {
    it('returns zero rows when nothing changed, then exactly the new traces, including a late slow one', async () => {
      const exp = await createExperiment(url, uniqueName('explorer-live'));
      const now = Date.now();
      await postTraces(url, exp, Array.from({ length: 30 }, (_, i) => ({ startMs: now - 60_000 + i * 1000, runId: 'live', runName: 'live' })));
      const data = new ExperimentTraces(api, exp, undefined);
      const list = data.list('live');
      await list.ensureFirst();
      const poll = new IncrementalPoll(api);
      poll.seed(list.items);
      poll.markBaselined(exp);

      const idle = await poll.poll([exp], undefined);
      assert.equal(idle.rows, 0, 'a poll with nothing new must transfer no traces');
      assert.deepEqual(idle.added, []);

      await postTraces(url, exp, [{ startMs: Date.now(), runId: 'live', runName: 'live', prompt: 'fresh' }]);
      const one = await poll.poll([exp], undefined);
      assert.equal(one.added.length, 1);
      assert.match(one.added[0].requestPreview ?? '', /fresh/);
      assert.equal(one.added[0].experimentId, exp);

      // Started 20 s before the newest trace, written only now (a slow call): still new.
      await postTraces(url, exp, [{ startMs: Date.now() - 20_000, durationMs: 19_000, runId: 'live', runName: 'live', prompt: 'slow one' }]);
      const late = await poll.poll([exp], undefined);
      assert.equal(late.added.length, 1);
      assert.match(late.added[0].requestPreview ?? '', /slow one/);
      const again = await poll.poll([exp], undefined);
      assert.equal(again.rows, 0);
      assert.deepEqual(list.insert([...one.added, ...late.added]).length, 2);
      assert.equal(list.items.length, 32);
    });

    it('does not count what existed before the first poll as new', async () => {
      const exp = await createExperiment(url, uniqueName('explorer-baseline'));
      await postTraces(url, exp, [{ startMs: Date.now() - 5000 }, { startMs: Date.now() - 4000 }]);
      const poll = new IncrementalPoll(api);
      const first = await poll.poll([exp], undefined);
      assert.deepEqual(first.added, []);
      assert.equal(first.rows, 2);
      await postTraces(url, exp, [{ startMs: Date.now() }]);
      const second = await poll.poll([exp], undefined);
      assert.equal(second.added.length, 1);
    });

    it('re-reads an in-progress trace until it finishes', async () => {
      const exp = await createExperiment(url, uniqueName('explorer-progress'));
      const poll = new IncrementalPoll(api);
      await poll.poll([exp], undefined); // baseline: empty
      const built = traceSpans({ startMs: Date.now(), durationMs: 500, prompt: 'long' });
      const [root, child] = built.spans;
      // The child span ends first: the server holds the trace as IN_PROGRESS until the root arrives.
      await postOtlp(url, exp, [child]);
      const started = await poll.poll([exp], undefined);
      assert.equal(started.added.length, 1);
      assert.equal(started.added[0].state, 'IN_PROGRESS');
      const unchanged = await poll.poll([exp], undefined);
      assert.deepEqual(unchanged.updated, [], 'a running trace that did not change is not reported again');
      // The Node preload names a trace whose root is still open over REST (exporter.ts) once
      // MLflow holds a span of it; a poll that listed it before must report the name.
      const id = started.added[0].id;
      const tagged = await fetch(`${url}/api/2.0/mlflow/traces/${id}/tags`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'mlflow.traceName', value: 'Interactions.background' }) });
      assert.ok(tagged.ok, `PATCH tags ${tagged.status}`);
      const named = await poll.poll([exp], undefined);
      assert.equal(named.updated.length, 1, 'the name set while it runs is reported');
      assert.equal(named.updated[0].state, 'IN_PROGRESS');
      assert.equal(named.updated[0].name, 'Interactions.background');
      assert.deepEqual((await poll.poll([exp], undefined)).updated, [], 'and reported once');
      await postOtlp(url, exp, [root]);
      const done = await poll.poll([exp], undefined);
      assert.deepEqual(done.added, []);
      assert.equal(done.updated.length, 1);
      assert.equal(done.updated[0].state, 'OK');
    });

    // Seen in the integration suite under load: the preload named the background run between the
    // poll's search for new traces and its re-read of running ones, the poll reported it in both,
    // and the run's list held it twice, which grouped it with itself as a "conversation".
    it('reports a running trace named between its two reads once, as named, and a list holds it once', async () => {
      const exp = await createExperiment(url, uniqueName('explorer-twice'));
      let id = '';
      const nameItBetween: typeof api = () =>
        new Proxy(client, {
          get(t, p, r) {
            const v = Reflect.get(t, p, r);
            if (p !== 'searchTraces') return v;
            return async (...a: Parameters<MlflowClient['searchTraces']>) => {
              const page = await client.searchTraces(...a);
              if (!/request_id IN/.test(a[0].filter ?? '') && page.traces.length) {
                id = page.traces[0].trace_id;
                const tagged = await fetch(`${url}/api/2.0/mlflow/traces/${id}/tags`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'mlflow.traceName', value: 'Interactions.background' }) });
                assert.ok(tagged.ok, `PATCH tags ${tagged.status}`);
              }
              return page;
            };
          },
        });
      const poll = new IncrementalPoll(nameItBetween);
      await poll.poll([exp], undefined); // baseline: empty
      const list = new ExperimentTraces(api, exp, undefined).list('bg');
      await list.ensureFirst(); // loaded while empty: what comes later arrives by insert
      const built = traceSpans({ startMs: Date.now(), durationMs: 500, prompt: 'running', runId: 'bg', runName: 'bg.js' });
      await postOtlp(url, exp, [built.spans[1]]);
      const r = await poll.poll([exp], undefined);
      assert.ok(id, 'named between the two reads');
      assert.deepEqual(r.added.map((t) => [t.id, t.state, t.name]), [[id, 'IN_PROGRESS', 'Interactions.background']], 'reported new, with the name it has now');
      assert.deepEqual(r.updated, [], 'and not again as updated');

      list.insert([...r.added, ...r.added, { ...r.added[0], name: 'newer' }]);
      assert.deepEqual(list.items.map((t) => [t.id, t.name]), [[id, 'newer']], 'one entry per trace, the last given');
    });
  });
});

async function postOtlp(url: string, exp: string, spans: unknown[]): Promise<void> {
  const r = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': exp },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] }),
  });
  assert.ok(r.ok, `OTLP ${r.status}`);
}
