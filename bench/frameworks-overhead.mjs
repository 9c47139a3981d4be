#!/usr/bin/env node
// What the framework and gateway support costs, measured against a baseline in the same run:
// 1. Start-up of an app that uses none of the frameworks (an ES module and a CommonJS app: import
//    @google/genai, one generateContent call against the stand-in, exit), traced by this branch's
//    preload vs the preload built from --base (default: main), alternating in rounds of separate
//    processes. Goal: ≤ 1.02× (the new hooks cost nothing an app does not use).
// 2. The preload's per-call cost on a Vercel AI SDK generateText call (single step, stand-in),
//    traced vs untraced in alternating rounds of separate processes, for AI SDK 6 (Node 20, our
//    tracer) and AI SDK 7 (Node 22, our telemetry integration). Goal: p50 added ≤ 0.3 ms.
//   node bench/frameworks-overhead.mjs [--base main] [--starts 16] [--calls 1200] [--rounds 4] [--warmup 100] [--only startup,ai6,ai7]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { frameworkApp } from '../scripts/lib/framework-apps.mjs';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { buildNodeInject } from '../scripts/lib/node-inject.mjs';
import { ensureNode } from '../scripts/lib/node-versions.mjs';
import { percentile, report, root, startStandin, writeResult } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string', default: 'main' }, starts: { type: 'string', default: '16' }, calls: { type: 'string', default: '1200' },
    rounds: { type: 'string', default: '4' }, warmup: { type: 'string', default: '100' }, only: { type: 'string', default: 'startup,ai6,ai7' },
  },
});
const only = new Set(opts.only.split(','));

const APPS = {
  'app.mjs': "import { GoogleGenAI } from '@google/genai';\nconst ai = new GoogleGenAI({ apiKey: 'test-key' });\nawait ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'start-up benchmark' });\n",
  'app.cjs': "const { GoogleGenAI } = require('@google/genai');\nnew GoogleGenAI({ apiKey: 'test-key' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'start-up benchmark' });\n",
};

function run(cmd, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve({ out, ms: performance.now() - t0 }) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

const clean = () => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(NODE_OPTIONS|GEMINI_TRACE_|MLFLOW_)/.test(k)) delete env[k];
  return env;
};
// A base built before 2026-12-05 gives no nodeOptions: its preload came with an ESM hook of its own.
const nodeOptions = (dist) => dist.nodeOptions ?? `--require "${dist.preload}" --import "${pathToFileURL(dist.esmHook).href}"`;
const traced = (dist, mlflowUrl, experiment, extra = {}) => ({
  ...clean(), ...extra, NODE_OPTIONS: nodeOptions(dist),
  GEMINI_TRACE_ACTIVE: '1', MLFLOW_TRACKING_URI: mlflowUrl, MLFLOW_EXPERIMENT_NAME: experiment, GEMINI_TRACE_RUN_ID: randomUUID(),
});
const stat = (xs) => ({ p50: percentile(xs, 50), p90: percentile(xs, 90), mean: xs.reduce((a, b) => a + b, 0) / xs.length });

/** The preload as --base had it, built from that commit's sources with this checkout's packages. */
async function basePreload(work) {
  const src = join(work, 'base');
  mkdirSync(src, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${opts.base} src scripts package.json | tar -x -C "${src}"`], { cwd: root });
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
  const { buildNodeInject: build } = await import(pathToFileURL(join(src, 'scripts/lib/node-inject.mjs')).href);
  return build(join(work, 'base-dist'));
}

async function startup(work, mlflowUrl, standin) {
  // Next to the repository's node_modules, so @google/genai resolves as in the tests' apps.
  const dir = mkdtempSync(join(root, '.cache', 'bench-startup-'));
  try {
    for (const [f, text] of Object.entries(APPS)) writeFileSync(join(dir, f), text);
    const dists = { base: await basePreload(work), branch: await buildNodeInject(join(work, 'dist')) };
    const experiment = `bench-startup-${randomUUID().slice(0, 8)}`;
    const summary = {};
    for (const file of Object.keys(APPS)) {
      const ms = { base: [], branch: [] };
      const n = Number(opts.starts);
      for (let i = 0; i < n; i++) {
        for (const which of i % 2 ? ['branch', 'base'] : ['base', 'branch']) {
          ms[which].push((await run(process.execPath, [join(dir, file)], traced(dists[which], mlflowUrl, experiment, { GOOGLE_GEMINI_BASE_URL: standin.url }), dir)).ms);
        }
      }
      const b = stat(ms.base);
      const t = stat(ms.branch);
      console.log(`\n--- start-up, ${file} (${n} runs each, alternating)`);
      const ratio = report(`traced by this branch's preload, median`, { value: t.p50, unit: 'ms', baseline: b.p50, baselineLabel: `${opts.base}'s preload`, goal: '≤ 1.02×', goalMet: t.p50 / b.p50 <= 1.02 });
      report('mean', { value: t.mean, unit: 'ms', baseline: b.mean, baselineLabel: `${opts.base}'s preload` });
      summary[file] = { ratioP50: +ratio.toFixed(4), branchP50Ms: Math.round(t.p50), baseP50Ms: Math.round(b.p50), goalMet: ratio <= 1.02 };
    }
    return summary;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function aiSdk(major, work, mlflowUrl, standin) {
  const dir = await frameworkApp(`ai-sdk/v${major}`);
  const node = major === 7 ? (await ensureNode(22)).bin : process.execPath;
  const dist = await buildNodeInject(join(work, 'dist'));
  const experiment = `bench-ai${major}-${randomUUID().slice(0, 8)}`;
  const env = { plain: { ...clean(), GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' } };
  env.traced = traced(dist, mlflowUrl, experiment, { GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' });
  const rounds = Math.max(2, Number(opts.rounds));
  const perRound = Math.ceil(Number(opts.calls) / rounds);
  const samples = { plain: [], traced: [] };
  const cpu = { plain: [], traced: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? ['traced', 'plain'] : ['plain', 'traced']) {
      const w = JSON.parse((await run(node, [join(dir, 'bench.mjs'), String(perRound), opts.warmup], env[mode], dir)).out);
      samples[mode].push(...w.samples);
      cpu[mode].push(w.cpuUsPerCall);
    }
  }
  const pairs = JSON.parse((await run(node, [join(dir, 'bench.mjs'), String(perRound * rounds / 2), opts.warmup, 'paired'], env.traced, dir)).out);
  const p = stat(samples.plain);
  const t = stat(samples.traced);
  const added = t.p50 - p.p50;
  const pairAdded = stat(pairs.samples).p50 - stat(pairs.plainSamples).p50;
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`\n--- AI SDK ${major} generateText (${samples.plain.length} calls per mode, ${rounds} alternating rounds, Node ${node === process.execPath ? process.version : 22})`);
  report('traced call, p50', { value: t.p50, unit: 'µs', baseline: p.p50, baselineLabel: 'untraced p50' });
  report('added by the preload, p50', { value: added, unit: 'µs', goal: 'p50 ≤ 300 µs', goalMet: added <= 300 });
  report('CPU time per call, traced', { value: mean(cpu.traced), unit: 'µs', baseline: mean(cpu.plain), baselineLabel: 'untraced' });
  report(`paired in one traced process (${pairs.samples.length} pairs, telemetry off on the other side), added p50`, { value: pairAdded, unit: 'µs', goal: 'p50 ≤ 300 µs', goalMet: pairAdded <= 300 });
  return { addedP50Us: Math.round(added), pairedAddedP50Us: Math.round(pairAdded), tracedP50Us: Math.round(t.p50), untracedP50Us: Math.round(p.p50), cpuAddedUsPerCall: Math.round(mean(cpu.traced) - mean(cpu.plain)), goalMet: added <= 300 };
}

const work = mkdtempSync(join(root, '.cache', 'bench-frameworks-'));
const ownMlflow = process.env.GT_MLFLOW_URL ? undefined : await startMlflow();
const mlflowUrl = process.env.GT_MLFLOW_URL ?? ownMlflow.url;
const standin = await startStandin();
try {
  const summary = {};
  if (only.has('startup')) summary.startup = await startup(work, mlflowUrl, standin);
  if (only.has('ai6')) summary.aiSdk6 = await aiSdk(6, work, mlflowUrl, standin);
  if (only.has('ai7')) summary.aiSdk7 = await aiSdk(7, work, mlflowUrl, standin);
  console.log(`wrote ${writeResult('frameworks-overhead', { base: opts.base, summary, loadAverage: (await import('node:os')).loadavg() })}`);
} finally {
  standin.stop();
  await ownMlflow?.stop();
  rmSync(work, { recursive: true, force: true });
}
