// Shared by the explorer benchmarks: a real MLflow (the run's, or one started here), an
// experiment of N traces created once per server and reused, and the explorer's own data layer
// (TypeScript, loaded through tsx) doing exactly what the Traces view does on a cold open.
import { tsImport } from 'tsx/esm/api';
import { defaultStore, startMlflow } from '../../scripts/lib/mlflow.mjs';
import { createExperiment, postTraces } from './otlp.mjs';

const here = import.meta.url;
export const load = (path) => tsImport(path, here);

/**
 * GT_MLFLOW_URL (npm run bench), or a throw-away server for a lone run; its store is
 * GT_MLFLOW_STORE's (sqlite unless `postgres`). `result` names the JSON file in bench/results/:
 * the benchmark's name, with `-postgres` for that store, so both stores' figures are kept.
 */
export async function mlflowServer(bench) {
  const store = defaultStore();
  const result = store === 'sqlite' ? bench : `${bench}-${store}`;
  console.log(`MLflow store: ${store}`);
  if (process.env.GT_MLFLOW_URL) return { url: process.env.GT_MLFLOW_URL, store, result, stop: async () => {} };
  console.log('GT_MLFLOW_URL is unset: starting a throw-away MLflow server');
  const s = await startMlflow({ store });
  return { url: s.url, store, result, stop: () => s.stop() };
}

async function rest(url, path, body) {
  const r = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/**
 * An experiment holding `count` traces over the last day: 20 runs of count/20 traces each (the
 * newest run first in time order), written through OTLP in batches. Marked with an experiment tag
 * when complete, so later benchmarks against the same server reuse it.
 */
export async function benchExperiment(url, count = 10_000) {
  const name = `bench-explorer-${count}`;
  const found = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  if (found.ok) {
    const { experiment } = await found.json();
    if (experiment.tags?.some((t) => t.key === 'bench.complete' && t.value === 'true')) return { id: experiment.experiment_id, name, created: false };
    // A seeding that was interrupted: move it aside rather than count its traces twice.
    await rest(url, '/api/2.0/mlflow/experiments/update', { experiment_id: experiment.experiment_id, new_name: `${name}-incomplete-${Date.now()}` });
  }
  const id = await createExperiment(url, name);
  const runs = 20;
  const per = Math.ceil(count / runs);
  const now = Date.now() - 10 * 60_000; // all older than the live poll's look-back
  const spacing = Math.floor((24 * 3_600_000) / count);
  const seeds = [];
  for (let i = 0; i < count; i++) {
    const r = Math.floor(i / per);
    const started = now - 24 * 3_600_000 + r * per * spacing;
    seeds.push({ startMs: started + (i % per) * spacing, runId: `bench-run-${r}`, runName: `app-${r}.js`, runStarted: new Date(started).toISOString(), prompt: `question number ${i} about the weather`, error: i % 50 === 0 });
  }
  const t0 = Date.now();
  for (let i = 0; i < seeds.length; i += 1000) {
    await postTraces(url, id, seeds.slice(i, i + 1000), { batch: 250 });
    process.stdout.write(`\rseeding ${name}: ${Math.min(i + 1000, count)}/${count} traces (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  process.stdout.write('\n');
  await rest(url, '/api/2.0/mlflow/experiments/set-experiment-tag', { experiment_id: id, key: 'bench.complete', value: 'true' });
  return { id, name, created: true };
}

/**
 * What the Traces view does on a cold open of an experiment, with nothing cached: list
 * experiments, resolve the configured one, the "any traces?" probe, run discovery, the newest
 * run's first page of 100, and the row text for each trace. Returns per-step times (ms).
 */
export async function coldFirstPage(mods, client, experimentName) {
  const { ExperimentResolver, ExperimentTraces, fmt } = mods;
  const api = () => client;
  const steps = {};
  const t0 = performance.now();
  let t = t0;
  const lap = (k) => {
    const n = performance.now();
    steps[k] = n - t;
    t = n;
  };
  const resolver = new ExperimentResolver(api, { experimentName, experimentId: undefined });
  const list = await resolver.list();
  const configured = await resolver.configured();
  lap('experiments');
  await resolver.anyTraces(list.experiments.map((e) => e.experiment_id));
  lap('anyTraces');
  const data = new ExperimentTraces(api, configured.experiment_id, undefined);
  await data.ensureRuns();
  lap('runs');
  const newest = data.sortedRuns()[0];
  const page = data.list(newest.id);
  await page.ensureFirst();
  lap('firstPage');
  const rows = page.items.map((s) => [fmt.oneLine(s.name || fmt.previewText(s.requestPreview), 60), fmt.joinParts(fmt.formatLatency(s.durationMs), s.usage && fmt.formatTokens(s.usage.total), fmt.formatRelative(s.requestTimeMs))]);
  lap('rows');
  return { totalMs: performance.now() - t0, steps, rows: rows.length, runs: data.sortedRuns().length, items: page.items, experimentId: configured.experiment_id };
}

export async function loadExplorer() {
  const [{ ExperimentResolver }, { ExperimentTraces }, fmt, { IncrementalPoll }, { MlflowClient }] = await Promise.all([
    load('../../src/explorer/experiments.ts'),
    load('../../src/explorer/traceSource.ts'),
    load('../../src/shared/format.ts'),
    load('../../src/explorer/incremental.ts'),
    load('../../src/mlflow/client.ts'),
  ]);
  return { ExperimentResolver, ExperimentTraces, fmt, IncrementalPoll, MlflowClient };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
