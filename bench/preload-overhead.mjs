#!/usr/bin/env node
// What the Node preload adds to a Gemini call, against the local Gemini stand-in, measured against
// the same app uninstrumented in the same run. The two modes alternate in rounds (separate
// processes, so each is warmed up the same way and machine noise hits both), with a real MLflow
// server receiving the traced calls' spans.
//   node bench/preload-overhead.mjs [--api startup,generate,interactions,stream] [--calls 2000] [--rounds 8] [--startup-rounds 24] [--warmup 200] [--node current,24]
// --api (one or more, comma-separated; all four by default), each into its own result file:
//   startup        whole programs, start to exit (bench/lib/startup.mjs): one that never loads the
//                  SDK, one that loads it and makes no call, a five-call app; wall, CPU, peak RSS
//                  (preload-startup.json). --node lists the Nodes to run them on, `current` (this
//                  one) or a pinned major (an npm package): by default `current,24`, since Node 20
//                  hooks ES modules in a loader thread of its own and 22.22.3+/24/26 in the app's
//                  thread; a major's results go to preload-startup-node<major>.json. Its own
//                  --startup-rounds (24): with 8, a 35 ms program's ratio swung 1.01–1.22× between
//                  runs of the same build (2026-12-05).
//   generate       models.generateContent, the whole call (bench/results/preload-overhead.json)
//   interactions   interactions.create, the whole call (preload-overhead-interactions.json)
//   stream         interactions.create({stream: true}): time to the first step delta, then the
//                  stream is read to its end (the span's assembly runs on every event)
// Goal: p50 added time ≤ 0.3 ms (a streamed interaction's time to first step: unchanged within noise).
// Start-up: a program that makes no Gemini call ≤ 1.03× wall; the five-call app ≤ +50 ms, ≤ +10 MB.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { buildNodeInject } from '../scripts/lib/node-inject.mjs';
import { currentNode, ensureNode } from '../scripts/lib/node-versions.mjs';
import { percentile, report, root, startStandin, writeResult } from './lib.mjs';
import { LINGER_MS, measureStartup } from './lib/startup.mjs';

const self = fileURLToPath(import.meta.url);
const { values: opts } = parseArgs({
  options: { api: { type: 'string', default: 'startup,generate,interactions,stream' }, calls: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '8' }, 'startup-rounds': { type: 'string', default: '24' }, warmup: { type: 'string', default: '200' }, worker: { type: 'string' }, paired: { type: 'boolean', default: false }, node: { type: 'string', default: 'current,24' } },
});

/** One call of the measured kind; resolves with the microseconds it measures. */
const CALLS = {
  generate: async (ai, i) => {
    const t0 = performance.now();
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: `benchmark call number ${i}`, config: { temperature: 0.5 } });
    return (performance.now() - t0) * 1000;
  },
  interactions: async (ai, i) => {
    const t0 = performance.now();
    await ai.interactions.create({ model: 'gemini-3-flash-preview', input: `benchmark call number ${i}`, generation_config: { temperature: 0.5 } });
    return (performance.now() - t0) * 1000;
  },
  stream: async (ai, i) => {
    const t0 = performance.now();
    const stream = await ai.interactions.create({ model: 'gemini-3-flash-preview', input: `benchmark call number ${i}`, stream: true });
    let first;
    for await (const event of stream) if (first === undefined && event.event_type === 'step.delta') first = performance.now();
    return (first - t0) * 1000;
  },
};
const LABEL = { startup: 'start-up and exit of whole programs', generate: 'generateContent', interactions: 'interactions.create', stream: 'streamed interaction, time to first step' };
const apis = opts.api.split(',').map((x) => x.trim()).filter(Boolean);
for (const api of apis) if (!LABEL[api]) throw new Error(`--api takes ${Object.keys(LABEL).join(', ')}; got "${api}"`);

if (opts.worker) {
  // The app: sequential calls, each timed around the await (µs), plus the process's CPU time.
  // --paired (traced process only): the same calls alternate between a traced client and an
  // untraced one made from the module's own, unwrapped class (imported by file URL, which the
  // preload's ESM hook leaves alone), so both sides of each pair see the same machine moment.
  const { GoogleGenAI } = await import('@google/genai');
  const traced = new GoogleGenAI({ apiKey: 'test-key' });
  let plain;
  if (opts.paired) {
    const file = createRequire(import.meta.url).resolve('@google/genai').replace(/index\.cjs$/, 'index.mjs');
    const { GoogleGenAI: Unwrapped } = await import(pathToFileURL(file).href);
    if (Unwrapped === GoogleGenAI) throw new Error('paired mode needs the preload (no traced class to compare with)');
    plain = new Unwrapped({ apiKey: 'test-key' });
  }
  const ask = CALLS[apis[0]];
  for (let i = 0; i < Number(opts.warmup); i++) {
    await ask(traced, i);
    if (plain) await ask(plain, i);
  }
  const samples = [];
  const plainSamples = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < Number(opts.worker); i++) {
    const pair = plain ? (i % 2 ? [traced, plain] : [plain, traced]) : [traced];
    for (const ai of pair) (ai === plain ? plainSamples : samples).push(await ask(ai, i));
  }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ samples, plainSamples, cpuUsPerCall: (cpu.user + cpu.system) / samples.length }));
} else {
  await main();
}

function runWorker(api, calls, env, paired = false) {
  return new Promise((resolve, reject) => {
    const args = [self, '--worker', String(calls), '--warmup', opts.warmup, '--api', api, ...(paired ? ['--paired'] : [])];
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}: ${err}`))));
  });
}


async function countTraces(url, experiment) {
  const exp = await (await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`)).json();
  const id = exp.experiment?.experiment_id;
  if (!id) return 0;
  let n = 0;
  let page;
  do {
    const body = { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } }], max_results: 500, ...(page ? { page_token: page } : {}) };
    const r = await (await fetch(`${url}/api/3.0/mlflow/traces/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    n += (r.traces ?? []).length;
    page = r.next_page_token;
  } while (page);
  return n;
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'gt-bench-overhead-'));
  const ownMlflow = process.env.GT_MLFLOW_URL ? undefined : await startMlflow();
  const mlflowUrl = process.env.GT_MLFLOW_URL ?? ownMlflow.url;
  const standin = await startStandin();
  try {
    const dist = await buildNodeInject(join(work, 'dist'));
    for (const api of apis) {
      console.log(`\n--- ${LABEL[api]}`);
      await (api === 'startup' ? startup(dist, standin, mlflowUrl) : measure(api, dist, standin, mlflowUrl));
    }
  } finally {
    standin.stop();
    await ownMlflow?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The untraced and the traced environment of one measurement (the traced one as src/launch/env.ts builds it). */
function environments({ nodeOptions }, standin, mlflowUrl, experiment) {
  const base = { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' };
  for (const k of Object.keys(base)) if (/^(NODE_OPTIONS|GEMINI_TRACE_|MLFLOW_)/.test(k)) delete base[k];
  const traced = {
    ...base,
    NODE_OPTIONS: nodeOptions,
    GEMINI_TRACE_ACTIVE: '1',
    MLFLOW_TRACKING_URI: mlflowUrl,
    MLFLOW_EXPERIMENT_NAME: experiment,
    GEMINI_TRACE_RUN_ID: randomUUID(),
  };
  return { base, traced };
}

async function startup(dist, standin, mlflowUrl) {
  const nodes = opts.node.split(',').map((x) => x.trim()).filter(Boolean);
  for (const n of nodes) {
    if (nodes.length > 1) console.log(`\n--- start-up on ${n === 'current' ? "this machine's Node" : `Node ${n}`}`);
    await startupOn(n === 'current' ? undefined : Number(n), dist, standin, mlflowUrl);
  }
}

async function startupOn(major, dist, standin, mlflowUrl) {
  const node = major ? await ensureNode(major) : currentNode();
  const experiment = `bench-startup-${randomUUID().slice(0, 8)}`;
  const { base, traced } = environments(dist, standin, mlflowUrl, experiment);
  const rounds = Math.max(2, Number(opts['startup-rounds']));
  console.log(`Node ${node.version}, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const apps = await measureStartup(dist, { root, node: node.bin, rounds, plainEnv: base, tracedEnv: traced });
  reportStartup(apps, rounds);
  const five = apps.five;
  const file = writeResult(`preload-startup${major ? `-node${node.major}` : ''}`, {
    summary: {
      node: node.version,
      plainWallRatio: +(apps.plain.wallMs.traced / apps.plain.wallMs.plain).toFixed(3),
      emptyPreloadWallRatio: +(apps.plain.wallMs.emptyPreload / apps.plain.wallMs.plain).toFixed(3),
      hooksPreloadWallRatio: +(apps.plain.wallMs.hooksPreload / apps.plain.wallMs.plain).toFixed(3),
      idleHooksPreloadWallRatio: +(apps.idle.wallMs.hooksPreload / apps.idle.wallMs.plain).toFixed(3),
      plainCjsWallRatio: +(apps.plainCjs.wallMs.traced / apps.plainCjs.wallMs.plain).toFixed(3),
      idleWallRatio: +(apps.idle.wallMs.traced / apps.idle.wallMs.plain).toFixed(3),
      fiveAddedWallMs: Math.round(five.wallMs.traced - five.wallMs.plain),
      fiveAddedCpuMs: Math.round(five.cpuMs.traced - five.cpuMs.plain),
      fiveAddedRssMb: +(five.peakRssMb.traced - five.peakRssMb.plain).toFixed(1),
      fiveExitWaitMs: Math.round(five.exitWaitMs),
      fiveExitWaitInstantMs: Math.round(five.exitWaitInstantMs),
    },
    rounds,
    apps,
    loadAverage: (await import('node:os')).loadavg(),
  });
  console.log(`wrote ${file}`);
}

/** Each app's figures against untraced, with the start-up goals. */
function reportStartup(apps, rounds) {
  for (const [name, m] of Object.entries(apps)) {
    const label = { plain: 'program that never loads the SDK', plainCjs: 'the same program as CommonJS', idle: 'app that loads the SDK and makes no call', five: 'five-call app' }[name];
    console.log(`${label} (${rounds} runs each, alternating):`);
    const goals = name === 'five' ? { wall: 'traced ≤ untraced + 50 ms', wallMet: m.wallMs.traced - m.wallMs.plain <= 50 } : { wall: '≤ 1.03× untraced', wallMet: m.wallMs.traced / m.wallMs.plain <= 1.03 };
    report('  wall, median', { value: m.wallMs.traced, unit: 'ms', baseline: m.wallMs.plain, baselineLabel: 'untraced', goal: goals.wall, goalMet: goals.wallMet });
    report('  wall, best', { value: m.wallMs.tracedBest, unit: 'ms', baseline: m.wallMs.plainBest, baselineLabel: 'untraced best' });
    report('  CPU time, mean', { value: m.cpuMs.traced, unit: 'ms', baseline: m.cpuMs.plain, baselineLabel: 'untraced' });
    const rssGoal = name === 'five' ? { goal: '≤ +10 MB', goalMet: m.peakRssMb.traced - m.peakRssMb.plain <= 10 } : {};
    report('  peak RSS, median', { value: m.peakRssMb.traced, unit: 'MB', baseline: m.peakRssMb.plain, baselineLabel: 'untraced', ...rssGoal });
    if (m.wallMs.emptyPreload !== undefined) {
      // What any --require costs Node (an empty file), and the preload's own part above that.
      report('  wall, median, against the untraced program with an empty --require', { value: m.wallMs.traced, unit: 'ms', baseline: m.wallMs.emptyPreload, baselineLabel: 'empty preload' });
      report('  CPU time, mean, against the same', { value: m.cpuMs.traced, unit: 'ms', baseline: m.cpuMs.emptyPreload, baselineLabel: 'empty preload' });
    }
    if (m.wallMs.hooksPreload !== undefined) {
      // What Node charges for hooking ES modules at all (pass-through hooks, nothing else): the
      // part of the goal no ESM tracer can take back.
      report('  untraced with pass-through module hooks --required, wall, median', { value: m.wallMs.hooksPreload, unit: 'ms', baseline: m.wallMs.plain, baselineLabel: 'untraced' });
      report('  traced against that, wall, median', { value: m.wallMs.traced, unit: 'ms', baseline: m.wallMs.hooksPreload, baselineLabel: 'hooks only' });
      report('  traced against that, CPU time, mean', { value: m.cpuMs.traced, unit: 'ms', baseline: m.cpuMs.hooksPreload, baselineLabel: 'hooks only' });
    }
    if (m.peakRssMb.lingering !== undefined) {
      // Node's own work in the time the traced app waits at exit (bench/lib/startup.mjs, LINGER_MS).
      report(`  peak RSS against the untraced app kept alive ${LINGER_MS} ms after its calls`, { value: m.peakRssMb.traced, unit: 'MB', baseline: m.peakRssMb.lingering, baselineLabel: 'untraced, lingering' });
    }
    if (m.exitWaitMs !== undefined) {
      const added = m.wallMs.traced - m.wallMs.plain;
      const mlflow = m.exitWaitMs - m.exitWaitInstantMs;
      console.log(`  of the +${added.toFixed(0)} ms: the wait at exit for the last batch ${m.exitWaitMs.toFixed(0)} ms (median of 5; ${m.exitWaitInstantMs.toFixed(0)} ms against a sink that answers at once),`);
      console.log(`  so MLflow's answer ${mlflow.toFixed(0)} ms and the preload's own ${(added - mlflow).toFixed(0)} ms · goal for the preload's own ≤ 50 ms: ${added - mlflow <= 50 ? 'met' : 'NOT met'}`);
    }
  }
}

async function measure(api, dist, standin, mlflowUrl) {
  const calls = Number(opts.calls);
  const rounds = Math.max(2, Number(opts.rounds));
  const perRound = Math.ceil(calls / rounds);
  const experiment = `bench-overhead-${randomUUID().slice(0, 8)}`;
  const { base, traced } = environments(dist, standin, mlflowUrl, experiment);
  const samples = { plain: [], traced: [] };
  const cpu = { plain: [], traced: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? ['traced', 'plain'] : ['plain', 'traced'];
    for (const mode of order) {
      const w = await runWorker(api, perRound, mode === 'traced' ? traced : base);
      samples[mode].push(...w.samples);
      cpu[mode].push(w.cpuUsPerCall);
    }
    process.stdout.write(`round ${r + 1}/${rounds} done\n`);
  }
  // The same number of calls again, paired inside one traced process (see the worker's header).
  const paired = await runWorker(api, perRound * rounds / 2, traced, true);
  // The traced calls (warm-up included) should all reach MLflow: proof the traced mode was real.
  const expectedTraces = rounds * (perRound + Number(opts.warmup)) + perRound * rounds / 2 + Number(opts.warmup);
  const deadline = Date.now() + 60_000;
  let exported = 0;
  while ((exported = await countTraces(mlflowUrl, experiment)) < expectedTraces && Date.now() < deadline) await new Promise((d) => setTimeout(d, 500));

  const stat = (xs) => ({ p50: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99), mean: xs.reduce((a, b) => a + b, 0) / xs.length });
  const diff = (a, b) => ({ p50: a.p50 - b.p50, p90: a.p90 - b.p90, p99: a.p99 - b.p99, mean: a.mean - b.mean });
  const plain = stat(samples.plain);
  const tr = stat(samples.traced);
  const added = diff(tr, plain);
  const pairTraced = stat(paired.samples);
  const pairPlain = stat(paired.plainSamples);
  const pairAdded = diff(pairTraced, pairPlain);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cpuAdded = mean(cpu.traced) - mean(cpu.plain);
  console.log(`calls per mode: ${samples.plain.length} (${rounds} alternating rounds of separate processes, ${opts.warmup} warm-up calls each)`);
  const what = LABEL[api];
  const ratio = report(`traced ${what}, mean`, { value: tr.mean, unit: 'µs', baseline: plain.mean, baselineLabel: 'untraced' });
  report(`traced ${what}, p50`, { value: tr.p50, unit: 'µs', baseline: plain.p50, baselineLabel: 'untraced p50' });
  report(`traced ${what}, p99`, { value: tr.p99, unit: 'µs', baseline: plain.p99, baselineLabel: 'untraced p99' });
  const goalMet = added.p50 <= 300;
  report('added by the preload, p50', { value: added.p50, unit: 'µs', goal: 'p50 ≤ 300 µs', goalMet });
  report('added by the preload, p99', { value: added.p99, unit: 'µs' });
  report('CPU time per call, traced', { value: mean(cpu.traced), unit: 'µs', baseline: mean(cpu.plain), baselineLabel: 'untraced' });
  console.log(`paired in one process (${paired.samples.length} pairs):`);
  report('  traced call, p50', { value: pairTraced.p50, unit: 'µs', baseline: pairPlain.p50, baselineLabel: 'untraced client p50' });
  report('  added, p50', { value: pairAdded.p50, unit: 'µs', goal: 'p50 ≤ 300 µs', goalMet: pairAdded.p50 <= 300 });
  report('  added, p99', { value: pairAdded.p99, unit: 'µs' });
  console.log(`traces in MLflow: ${exported} of ${expectedTraces}${exported < expectedTraces ? ' (the rest still ingesting after 60 s, or dropped by the bounded export queue at this call rate)' : ''}`);
  const file = writeResult(api === 'generate' ? 'preload-overhead' : `preload-overhead-${api}`, {
    api,
    summary: {
      ratioMean: +ratio.toFixed(4), addedP50Us: Math.round(added.p50), addedP99Us: Math.round(added.p99), goalP50Us: 300, goalMet,
      pairedAddedP50Us: Math.round(pairAdded.p50), pairedAddedP99Us: Math.round(pairAdded.p99), cpuAddedUsPerCall: Math.round(cpuAdded), exported, expectedTraces,
    },
    callsPerMode: samples.plain.length,
    rounds,
    warmupPerProcess: Number(opts.warmup),
    untracedUs: plain,
    tracedUs: tr,
    addedUs: added,
    cpuUsPerCall: { untraced: mean(cpu.plain), traced: mean(cpu.traced) },
    paired: { pairs: paired.samples.length, tracedUs: pairTraced, untracedUs: pairPlain, addedUs: pairAdded },
    loadAverage: (await import('node:os')).loadavg(),
  });
  console.log(`wrote ${file}`);
  if (exported === 0) {
    console.error('no traced call reached MLflow: the traced mode did not trace');
    process.exitCode = 1;
  }
}
