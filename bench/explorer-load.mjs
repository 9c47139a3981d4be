#!/usr/bin/env node
// The Traces view under load, in the real VS Code (server build, headless Chromium) against a
// real MLflow: an experiment of 50,000 traces in 200 past runs while 5 live runs keep writing.
// Measured inside the extension host (bench/lib/explorer-load-host.ts): the time of a Refresh up
// to the newest run's first page, a page of an older run, the live poll over 20 s, and the
// host's memory (rss, heapUsed after a forced GC, and the peak). Baseline in the same host of the
// same run: the same measurements on an experiment of 100 traces (20 past runs, the same 5 live
// runs). Ratios are 50k / 100.
//   node bench/explorer-load.mjs [--rounds 5] [--live-seconds 20]
// This benchmark starts its own MLflow (not $GT_MLFLOW_URL): OTLP ingest is too slow on these
// machines to write 50,000 traces in a benchmark's time, so after one trace per run arrives
// through OTLP, bench/lib/clone_traces.py copies those rows inside the server's sqlite store.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { venvPython } from '../scripts/lib/python.mjs';
import { startVsCodeServer } from '../scripts/lib/vscode-server.mjs';
import { copyExamples, launchChromium } from '../scripts/lib/workbench.mjs';
import { percentile, report, root, writeResult } from './lib.mjs';
import { createExperiment, postTraces } from './lib/otlp.mjs';

const { values: opts } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'live-seconds': { type: 'string', default: '20' } } });
const ROUNDS = Math.max(1, Number(opts.rounds) || 5);
const LIVE_SECONDS = Math.max(5, Number(opts['live-seconds']) || 20);
const LARGE = 50_000;
const SMALL = 100;
const PAST_RUNS = { large: 200, small: 20 };
const LIVE_RUNS = 5;
/** The writer's bounds: one trace per live run per second, never more than this many, never longer. */
const LIVE_TICK_MS = 1000;
const MAX_LIVE_TRACES = 3000;
const MAX_LIVE_MS = 5 * 60_000;
/** Past runs end this long ago: older than the live poll's look-back (2 min), as yesterday's runs are. */
const PAST_END_MS = 10 * 60_000;
const RUN_GAP_MS = 300_000;
const HOST_DEADLINE_MS = 240_000;
const shots = join(root, 'test-results', 'screenshots');

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
const med = (xs) => percentile(xs, 50);
const mb = (bytes) => bytes / 2 ** 20;

/** `count` traces in `runs` past runs, run r ending PAST_END_MS + r·RUN_GAP_MS ago, one trace per `stepMs`. */
function pastTraces(runs, perRun, stepMs, now) {
  const seeds = [];
  for (let r = 0; r < runs; r++) {
    const newest = now - PAST_END_MS - r * RUN_GAP_MS;
    for (let k = 0; k < perRun; k++) {
      seeds.push({
        startMs: newest - k * stepMs, runId: `past-${r}`, runName: `app-${r}.js`, runStarted: new Date(newest - perRun * stepMs - 5000).toISOString(),
        name: 'answer', prompt: `question ${k} of run ${r} about the weather`, error: (r + k) % 50 === 0,
      });
    }
  }
  return seeds;
}

async function seed(mlflow) {
  const now = Date.now();
  const small = { key: 'small', name: `load-${SMALL}`, count: SMALL };
  small.id = await createExperiment(mlflow.url, small.name);
  await postTraces(mlflow.url, small.id, pastTraces(PAST_RUNS.small, SMALL / PAST_RUNS.small, 1000, now), { batch: 100 });

  const large = { key: 'large', name: `load-${LARGE / 1000}k`, count: LARGE };
  large.id = await createExperiment(mlflow.url, large.name);
  // The newest trace of each past run through OTLP; the rest are copies of it, further back in time.
  const perRun = LARGE / PAST_RUNS.large;
  const stepMs = Math.floor((RUN_GAP_MS - 10_000) / perRun);
  await postTraces(mlflow.url, large.id, pastTraces(PAST_RUNS.large, 1, stepMs, now), { batch: 200 });
  const cloned = JSON.parse(execFileSync(venvPython, [join(root, 'bench', 'lib', 'clone_traces.py'), join(mlflow.dataDir, 'mlflow.db'), large.id, String(perRun - 1), String(stepMs)], { encoding: 'utf8' }));
  if (cloned.total !== LARGE) throw new Error(`seeding ${large.name} gave ${cloned.total} traces, not ${LARGE}`);
  console.log(`[${elapsed()}] seeded ${small.name} (${SMALL} traces, OTLP) and ${large.name} (${PAST_RUNS.large} traces through OTLP, ${cloned.copies} copies in ${cloned.seconds} s)`);
  return [small, large];
}

/** The experiment key the host is measuring now (null between phases). */
function readPhase(phaseFile) {
  try {
    return existsSync(phaseFile) ? JSON.parse(readFileSync(phaseFile, 'utf8')).key : null;
  } catch {
    return null; // caught mid-write: ask again on the next tick
  }
}

/** Writes one trace per live run each tick into the experiment the host names in the phase file. */
function startLiveWriter(mlflow, experiments, phaseFile) {
  const started = new Date().toISOString();
  const written = Object.fromEntries(experiments.map((e) => [e.key, 0]));
  let total = 0;
  let stopped = false;
  let error;
  const until = Date.now() + MAX_LIVE_MS;
  const loop = (async () => {
    while (!stopped && total < MAX_LIVE_TRACES && Date.now() < until) {
      const tick = Date.now();
      const key = readPhase(phaseFile);
      const exp = experiments.find((e) => e.key === key);
      if (exp) {
        const batch = Array.from({ length: LIVE_RUNS }, (_, i) => ({
          startMs: Date.now(), runId: `live-${i}`, runName: `live-app-${i}.js`, runStarted: started, name: 'chat_turn', prompt: `live question ${written[exp.key] + i}`, durationMs: 300,
        }));
        try {
          await postTraces(mlflow.url, exp.id, batch);
          written[exp.key] += batch.length;
          total += batch.length;
        } catch (e) {
          error ??= e;
        }
      }
      await new Promise((r) => setTimeout(r, Math.max(0, LIVE_TICK_MS - (Date.now() - tick))));
    }
  })();
  return {
    written,
    stop: async () => {
      stopped = true;
      await loop;
      if (error) console.warn(`live writer: a write failed: ${error instanceof Error ? error.message : error}`);
    },
  };
}

/**
 * The server's share of a refresh: the searches it makes that grow with the experiment (run
 * discovery's newest 100, the probe for untagged traces, the newest run's first page), sent one
 * after another from here with no VS Code in between. Median ms of a few rounds.
 */
async function serverFloor(url, experimentId, rounds = 3) {
  const search = async (body) => {
    const r = await fetch(`${url}/api/3.0/mlflow/traces/search`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }], order_by: ['timestamp_ms DESC'], ...body }),
    });
    if (!r.ok) throw new Error(`traces/search: ${r.status} ${await r.text()}`);
    await r.json();
  };
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await search({ max_results: 100 });
    await search({ max_results: 1, filter: 'tags.`gemini_trace.run_id` IS NULL' });
    await search({ max_results: 100, filter: "tags.`gemini_trace.run_id` = 'live-0'" });
    times.push(performance.now() - t);
  }
  return med(times);
}

/** What ships (manifest, dist/, media/), copied: a rebuild in this tree mid-run must not break the run. */
function snapshotExtension(dir) {
  if (!existsSync(join(root, 'dist', 'extension.js'))) execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  const ext = join(dir, 'gemini-trace-explorer');
  for (const f of ['package.json', 'dist', 'media']) cpSync(join(root, f), join(ext, f), { recursive: true });
  return ext;
}

async function bundleHost() {
  const outfile = join(root, 'out', 'bench', 'explorer-load-host.js');
  await esbuild.build({
    entryPoints: [join(root, 'bench', 'lib', 'explorer-load-host.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode'], logLevel: 'warning', sourcemap: 'inline',
  });
  return outfile;
}

async function measureInWorkbench(mlflow, experiments, extension, hostModule, scratch) {
  const outFile = join(scratch, 'host-result.json');
  const phaseFile = join(scratch, 'phase.json');
  const folder = copyExamples();
  const server = await startVsCodeServer({
    folder,
    settings: { 'geminiTrace.trackingUri': mlflow.url },
    env: {
      GT_BENCH_OUT: outFile, GT_BENCH_PHASE_FILE: phaseFile, GT_BENCH_ROUNDS: String(ROUNDS), GT_BENCH_LIVE_SECONDS: String(LIVE_SECONDS),
      GT_BENCH_PHASES: JSON.stringify(experiments.map((e) => ({ key: e.key, name: e.name }))),
    },
  });
  let browser;
  const writer = startLiveWriter(mlflow, experiments, phaseFile);
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl([
      ['extensionDevelopmentPath', server.remoteUri(extension)],
      ['extensionTestsPath', server.remoteUri(hostModule)],
    ]));
    console.log(`[${elapsed()}] workbench open; measuring in the extension host (${ROUNDS} refreshes and ${LIVE_SECONDS} s of live poll per experiment)`);
    const deadline = Date.now() + HOST_DEADLINE_MS;
    let phase = null;
    while (!existsSync(outFile)) {
      if (Date.now() > deadline) throw new Error(`no result from the extension host after ${HOST_DEADLINE_MS / 1000} s. Server log tail:\n${server.log().slice(-3000)}`);
      if (server.exited()) throw new Error(`the VS Code server exited:\n${server.log().slice(-3000)}`);
      // A picture of the view at the end of each phase (the host pauses before the next one).
      const now = readPhase(phaseFile);
      if (phase && now !== phase) await page.screenshot({ path: join(shots, `explorer-load-${phase}.png`) }).catch(() => undefined);
      phase = now;
      await new Promise((r) => setTimeout(r, 250));
    }
    const result = JSON.parse(readFileSync(outFile, 'utf8'));
    if (result.error) throw new Error(`the extension host failed: ${result.error}`);
    return { ...result, liveWritten: writer.written };
  } finally {
    await writer.stop();
    await browser?.close().catch(() => undefined);
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'gt-bench-explorer-load-'));
  mkdirSync(join(root, 'out', 'bench'), { recursive: true });
  mkdirSync(shots, { recursive: true });
  let mlflow;
  try {
    const [server, hostModule] = await Promise.all([startMlflow(), bundleHost()]);
    mlflow = server;
    const extension = snapshotExtension(scratch);
    console.log(`[${elapsed()}] MLflow at ${mlflow.url}`);
    const experiments = await seed(mlflow);
    const r = await measureInWorkbench(mlflow, experiments, extension, hostModule, scratch);
    const floor = {};
    for (const e of experiments) floor[e.key] = await serverFloor(mlflow.url, e.id);
    const [small, large] = ['small', 'large'].map((k) => r.phases.find((p) => p.key === k));
    const failures = [];

    for (const p of [small, large]) {
      const e = experiments.find((x) => x.key === p.key);
      console.log(`${p.experiment}: ${e.count} past traces + ${r.liveWritten[p.key]} live; runs shown ${p.runsShown}, newest run page ${p.newestRunTraces} rows, older run page ${p.olderRunTraces} rows, ` +
        `${p.tracesLoaded} traces held by the view; live poll: ${p.live.polls} polls, ${p.live.rows} rows, ${p.live.failures} failures, ${p.live.newLiveTraces} new live traces in ${p.live.seconds.toFixed(0)} s, ` +
        `live traces in the view ${p.live.liveTracesBefore} → ${p.live.liveTracesAfter}; refresh ms ${p.refreshMs.map((x) => x.toFixed(0)).join(' ')}`);
      if (!p.live.newLiveTraces) failures.push(`${p.experiment}: the live poll reported no new trace of the live runs in ${p.live.seconds.toFixed(0)} s`);
      if (p.live.liveTracesAfter <= p.live.liveTracesBefore) failures.push(`${p.experiment}: no live trace reached the view's open run in ${p.live.seconds.toFixed(0)} s`);
      if (p.live.failures) failures.push(`${p.experiment}: ${p.live.failures} live polls failed`);
      if (p.newestRunTraces < 1 || p.olderRunTraces < 1) failures.push(`${p.experiment}: an opened run showed no traces`);
    }
    const refresh = report('refresh to first page, 50k-trace experiment (median)', { value: med(large.refreshMs), unit: 'ms', baseline: med(small.refreshMs), baselineLabel: '100-trace experiment' });
    const older = report('older run page, 50k-trace experiment (median)', { value: med(large.olderRunPageMs), unit: 'ms', baseline: med(small.olderRunPageMs), baselineLabel: '100-trace experiment' });
    const heap = report('extension host heapUsed after live poll, 50k', { value: mb(large.memoryAfter.heapUsed), unit: 'MB', baseline: mb(small.memoryAfter.heapUsed), baselineLabel: '100-trace experiment' });
    const rss = report('extension host rss after live poll, 50k', { value: mb(large.memoryAfter.rss), unit: 'MB', baseline: mb(small.memoryAfter.rss), baselineLabel: '100-trace experiment' });
    const peak = report('extension host peak rss during phase, 50k', { value: mb(large.memoryPeak.rss), unit: 'MB', baseline: mb(small.memoryPeak.rss), baselineLabel: '100-trace experiment' });
    const steps = (p) => Object.keys(p.refreshStepsMs[0]).map((k) => `${k} ${med(p.refreshStepsMs.map((x) => x[k])).toFixed(0)}`).join(' · ');
    console.log(`refresh steps (median ms) 100: ${steps(small)}; 50k: ${steps(large)}`);
    report('  its bare server searches, 50k (sequential, from Node)', { value: floor.large, unit: 'ms', baseline: floor.small, baselineLabel: '100-trace experiment' });
    const growth = (p) => mb(p.memoryAfter.heapUsed - r.memoryActivated.heapUsed);
    console.log(`heap held over the activated extension host (${mb(r.memoryActivated.heapUsed).toFixed(1)} MB): 100 → ${growth(small).toFixed(1)} MB, 50k → ${growth(large).toFixed(1)} MB`);

    const summary = `refresh ${med(large.refreshMs).toFixed(0)} ms at 50k = ${refresh.toFixed(2)}× 100 traces (${med(small.refreshMs).toFixed(0)} ms); ` +
      `host heap ${mb(large.memoryAfter.heapUsed).toFixed(0)} MB = ${heap.toFixed(2)}×, rss ${mb(large.memoryAfter.rss).toFixed(0)} MB = ${rss.toFixed(2)}× (5 live runs, ${LIVE_SECONDS} s poll)`;
    const file = writeResult('explorer-load', {
      summary,
      vscode: r.vscode,
      hostNode: r.node,
      setup: { largeTraces: LARGE, smallTraces: SMALL, pastRuns: PAST_RUNS, liveRuns: LIVE_RUNS, liveTracesWritten: r.liveWritten, rounds: ROUNDS, liveSeconds: LIVE_SECONDS },
      ratio: { refresh, olderRunPage: older, heapUsedAfter: heap, rssAfter: rss, peakRss: peak },
      refreshStepsMedianMs: Object.fromEntries([small, large].map((p) => [p.key, Object.fromEntries(Object.keys(p.refreshStepsMs[0]).map((k) => [k, +med(p.refreshStepsMs.map((x) => x[k])).toFixed(1)]))])),
      medianMs: { refresh: { large: med(large.refreshMs), small: med(small.refreshMs) }, bareServerSearches: floor, olderRunPage: { large: med(large.olderRunPageMs), small: med(small.olderRunPageMs) } },
      memoryMB: Object.fromEntries([['hostIdle', r.memoryHostIdle], ['activated', r.memoryActivated], ...[small, large].flatMap((p) => [[`${p.key}Before`, p.memoryBefore], [`${p.key}After`, p.memoryAfter], [`${p.key}Peak`, p.memoryPeak]])]
        .map(([k, m]) => [k, Object.fromEntries(Object.entries(m).map(([f, v]) => [f, +mb(v).toFixed(1)]))])),
      phases: r.phases,
      failures,
      totalSeconds: (Date.now() - t0) / 1000,
    });
    console.log(`[${elapsed()}] results: ${file}`);
    if (failures.length) throw new Error(`explorer-load: ${failures.join('; ')}`);
  } finally {
    await mlflow?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
