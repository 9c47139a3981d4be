#!/usr/bin/env node
// Memory and time of a traced app under load: test/fixtures/apps/faults/load.cjs makes 1,000
// generateContent calls across 20 concurrent async tasks against the local Gemini stand-in, traced
// into a real MLflow, against the same app untraced in the same run (rounds alternate, separate
// processes). Peak RSS comes from the kernel (/usr/bin/time -v "Maximum resident set size") and,
// as a cross-check, from the app's own 20 ms sampling of process.memoryUsage.rss(). Also reported:
// the calls' wall time, and when every trace of a traced run was readable in MLflow (proof the
// traced mode traced; the preload hands what it still holds at exit to a sender process, so this
// includes delivery after the app ended).
//   node bench/load-calls.mjs [--calls 1000] [--tasks 20] [--rounds 3]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { buildNodeInject } from '../scripts/lib/node-inject.mjs';
import { report, root, startStandin, writeResult } from './lib.mjs';

const { values: opts } = parseArgs({ options: { calls: { type: 'string', default: '1000' }, tasks: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const app = join(root, 'test/fixtures/apps/faults/load.cjs');
const TIME = '/usr/bin/time';


/** One run of the app; peak RSS from the kernel when /usr/bin/time is there. */
function runApp(env) {
  const withTime = existsSync(TIME);
  const [cmd, args] = withTime ? [TIME, ['-v', process.execPath, app]] : [process.execPath, [app]];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`load app exited ${code}: ${err}`));
      const app = JSON.parse(out);
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      resolve({ ...app, kernelPeakRss: kb ? Number(kb[1]) * 1024 : undefined, processMs: performance.now() - t0, stderr: err.replace(/\tCommand being timed[\s\S]*$/, '').trim() });
    });
  });
}

async function rest(base, path, body) {
  const r = await fetch(`${base}${path}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return r.ok ? r.json() : undefined;
}

async function countTraces(base, experiment) {
  const id = (await rest(base, `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`))?.experiment?.experiment_id;
  if (!id) return 0;
  let n = 0;
  let page;
  do {
    const r = await rest(base, '/api/3.0/mlflow/traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } }], max_results: 500, ...(page ? { page_token: page } : {}) });
    n += (r?.traces ?? []).length;
    page = r?.next_page_token;
  } while (page);
  return n;
}

/** Stops the exit-time senders the traced apps left (found by their spans file under appTmp). */
function reapSenders(appTmp) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${appTmp}/gemini-trace-`)) process.kill(Number(pid), 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

const mib = (n) => n / 2 ** 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const calls = Number(opts.calls);
  const rounds = Math.max(1, Number(opts.rounds));
  const work = mkdtempSync(join(tmpdir(), 'gt-bench-load-'));
  const appTmp = join(work, 'tmp');
  const ownMlflow = process.env.GT_MLFLOW_URL ? undefined : await startMlflow();
  const mlflowUrl = process.env.GT_MLFLOW_URL ?? ownMlflow.url;
  const standin = await startStandin();
  try {
    const { nodeOptions } = await buildNodeInject(join(work, 'dist'));
    mkdirSync(appTmp);
    const base = { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key', LOAD_CALLS: String(calls), LOAD_TASKS: opts.tasks, TMPDIR: appTmp };
    for (const k of Object.keys(base)) if (/^(NODE_OPTIONS|GEMINI_TRACE_|MLFLOW_)/.test(k)) delete base[k];
    const traced = (experiment) => ({
      ...base,
      NODE_OPTIONS: nodeOptions,
      GEMINI_TRACE_ACTIVE: '1',
      MLFLOW_TRACKING_URI: mlflowUrl,
      MLFLOW_EXPERIMENT_NAME: experiment,
      GEMINI_TRACE_RUN_ID: randomUUID(),
    });
    // One traced warm-up run, so a fresh server's slow first answers are not measured.
    await runApp(traced(`bench-load-warmup-${randomUUID().slice(0, 8)}`));

    const runs = { plain: [], traced: [] };
    for (let r = 0; r < rounds; r++) {
      for (const mode of r % 2 ? ['traced', 'plain'] : ['plain', 'traced']) {
        const experiment = `bench-load-${randomUUID().slice(0, 8)}`;
        const res = await runApp(mode === 'traced' ? traced(experiment) : base);
        if (res.ok !== calls) throw new Error(`${mode} run: ${res.ok} of ${calls} calls answered`);
        if (mode === 'traced') {
          // Every trace of this run readable, before the next run adds its own load.
          const t0 = performance.now();
          let n = 0;
          while ((n = await countTraces(mlflowUrl, experiment)) < calls && performance.now() - t0 < 180_000) await new Promise((d) => setTimeout(d, 500));
          res.traces = n;
          res.allReadableAfterExitMs = performance.now() - t0;
        }
        runs[mode].push(res);
        process.stdout.write(`round ${r + 1}/${rounds} ${mode}: peak RSS ${mib(res.kernelPeakRss ?? res.peakRss).toFixed(1)} MiB, calls ${res.ms} ms${mode === 'traced' ? `, ${res.traces}/${calls} traces readable ${Math.round(res.allReadableAfterExitMs)} ms after exit` : ''}\n`);
      }
    }

    const peak = (xs) => median(xs.map((x) => x.kernelPeakRss ?? x.peakRss));
    const sampled = (xs) => median(xs.map((x) => x.peakRss));
    const ms = (xs) => median(xs.map((x) => x.ms));
    const ratio = report('peak RSS, traced (median)', { value: mib(peak(runs.traced)), unit: 'MiB', baseline: mib(peak(runs.plain)), baselineLabel: 'untraced' });
    report('peak RSS added by the preload', { value: mib(peak(runs.traced) - peak(runs.plain)), unit: 'MiB' });
    report('peak RSS sampled in the app, traced', { value: mib(sampled(runs.traced)), unit: 'MiB', baseline: mib(sampled(runs.plain)), baselineLabel: 'untraced' });
    const timeRatio = report(`${calls} calls over ${opts.tasks} tasks, traced`, { value: ms(runs.traced), unit: 'ms', baseline: ms(runs.plain), baselineLabel: 'untraced' });
    const delivered = runs.traced.every((x) => x.traces === calls);
    const readable = median(runs.traced.map((x) => x.allReadableAfterExitMs));
    console.log(`traces in MLflow: ${runs.traced.map((x) => x.traces).join(', ')} of ${calls} per traced run; all readable ${Math.round(readable)} ms (median) after the app exited`);
    const file = writeResult('load-calls', {
      summary: {
        peakRssRatio: +ratio.toFixed(3), peakRssTracedMiB: +mib(peak(runs.traced)).toFixed(1), peakRssUntracedMiB: +mib(peak(runs.plain)).toFixed(1),
        callsTimeRatio: +timeRatio.toFixed(3), allTracesDelivered: delivered, readableAfterExitMs: Math.round(readable),
      },
      calls,
      tasks: Number(opts.tasks),
      rounds,
      rssSource: existsSync(TIME) ? '/usr/bin/time -v (kernel maxrss)' : 'process.memoryUsage.rss() sampled every 20 ms',
      runs,
      loadAverage: (await import('node:os')).loadavg(),
    });
    console.log(`wrote ${file}`);
    if (!delivered) {
      console.error('not every traced call reached MLflow');
      process.exitCode = 1;
    }
  } finally {
    reapSenders(appTmp);
    standin.stop();
    await ownMlflow?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
