#!/usr/bin/env node
// Opening a trace in the real product, end to end: "Open Trace by ID" in a real VS Code workbench
// (Chromium, driven by Playwright), the extension reading the trace from a real MLflow server,
// until the panel's first span rows are drawn. Each cold open reads a trace of its own (the
// extension keeps read traces); a reopen of the last one, with its trace kept, is reported apart. The traces are synthetic Gemini-shaped traces
// (bench/gen-trace.mjs), logged as the Python SDK logs them to an older server: StartTraceV3,
// then traces.json uploaded to the artifact store.
//   node bench/panel-open.mjs [--sizes 10000,100000] [--runs 2]
// Baselines, in the same run: a 10-span trace opened the same way (what every open pays: the
// command, the panel and its webview), and a plain `fetch` + JSON.parse of the same traces.json
// from this process (what any client pays for the bytes).
// How long the extension host is blocked while it reads is measured in-process by
// bench/host-read.mjs.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { openWorkbench } from '../scripts/lib/workbench.mjs';
import { generateTrace } from './gen-trace.mjs';
import { percentile, report, root, writeResult } from './lib.mjs';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '10000,100000' }, runs: { type: 'string', default: '2' } } });
const sizes = args.sizes.split(',').map(Number);
const runs = Number(args.runs);
const median = (xs) => percentile(xs, 50);
const elapsed = (() => {
  const t0 = Date.now();
  return () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
})();

/** Generating a 100k-span trace takes seconds, in which the server closes the idle keep-alive
 *  connection; the next request on it fails ("other side closed"). Such a failure is retried. */
async function retried(f) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (attempt === 3 || !(e instanceof TypeError)) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function rest(base, path, body) {
  const r = await retried(() => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  if (!r.ok) throw new Error(`${path} → ${r.status}: ${(await r.text()).slice(0, 300)}`);
  return r.json();
}

/** Logs a synthetic trace as the Python SDK does against a server without span storage. */
async function logTrace(base, experimentId, spans) {
  const g = generateTrace({ spans, encoding: 'python', seed: 7 });
  const traceId = `tr-${randomBytes(16).toString('hex')}`;
  const info = { ...g.info, trace_id: traceId, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } } };
  const started = await rest(base, '/api/3.0/mlflow/traces', { trace: { trace_info: info } });
  const path = started.trace.trace_info.tags['mlflow.artifactLocation'].replace(/^mlflow-artifacts:\/*/, '');
  const url = `${base}/api/2.0/mlflow-artifacts/artifacts/${path}/traces.json`;
  await retried(async () => {
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: g.spansJson });
    if (!put.ok) throw new Error(`PUT traces.json → ${put.status}`);
  });
  return { traceId, url, bytes: g.spansJson.length };
}

/** A plain client's floor: the bytes over HTTP and one JSON.parse. */
async function fetchAndParse(url) {
  const t0 = performance.now();
  JSON.parse(await (await fetch(url)).text());
  return performance.now() - t0;
}

const webview = (page) => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

/** Runs Open Trace by ID; resolves with the ms from accepting the id to the panel's first span rows. */
async function openOnce(page, traceId) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.fill('>Gemini Trace: Open Trace by ID');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Open Trace by ID' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget input[placeholder^="tr-"]').waitFor({ timeout: 15_000 });
  await input.fill(traceId);
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  await webview(page).locator('.viewport .row').first().waitFor({ timeout: 600_000 });
  const ms = Date.now() - t0;
  await page.keyboard.press('Control+W'); // close the panel: the next open starts from nothing
  await page.waitForTimeout(500);
  return ms;
}

execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
const mlflow = process.env.GT_MLFLOW_URL ? { url: process.env.GT_MLFLOW_URL, stop: async () => undefined } : await startMlflow();
let wb;
try {
  const { experiment_id: exp } = await rest(mlflow.url, '/api/2.0/mlflow/experiments/create', { name: `bench-panel-open-${randomBytes(3).toString('hex')}` });
  console.log(`[${elapsed()}] logging traces of ${[10, ...sizes].join(', ')} spans`);
  const small = [];
  for (let r = 0; r < runs; r++) small.push(await logTrace(mlflow.url, exp, 10));
  const big = [];
  for (const n of sizes) {
    const copies = [];
    for (let r = 0; r < runs; r++) copies.push(await logTrace(mlflow.url, exp, n));
    big.push({ n, copies });
  }
  console.log(`[${elapsed()}] opening the workbench`);
  wb = await openWorkbench({ settings: { 'geminiTrace.trackingUri': mlflow.url, 'workbench.startupEditor': 'none' } });
  // The palette lists the extension's commands once the workbench has read its contributions.
  await wb.page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' }).waitFor({ timeout: 90_000 });
  const results = [];
  const base = { open: [] };
  for (const t of small) {
    base.open.push(await openOnce(wb.page, t.traceId));
    console.log(`[${elapsed()}] 10 spans opened in ${base.open.at(-1)} ms`);
  }
  for (const { n, copies } of big) {
    const m = { n, bytes: copies[0].bytes, open: [], fetch: [], reopen: [] };
    for (const t of copies) {
      m.fetch.push(await fetchAndParse(t.url));
      m.open.push(await openOnce(wb.page, t.traceId));
      console.log(`[${elapsed()}] ${n} spans opened in ${m.open.at(-1)} ms`);
    }
    m.reopen.push(await openOnce(wb.page, copies.at(-1).traceId));
    results.push(m);
    const goal = { 10000: 300, 100000: 1500 }[n];
    report(`open ${n}-span trace in the real panel, command to first rows (${(m.bytes / 1e6).toFixed(0)} MB; median of ${runs})`, {
      value: median(m.open), unit: 'ms', baseline: median(m.fetch), baselineLabel: 'fetch + JSON.parse of the same traces.json in Node',
      goal: goal ? `≤ ${goal} ms (set for the webview's render, bench/panel-render.mjs)` : undefined, goalMet: goal ? median(m.open) <= goal : undefined,
    });
    report(`  the same, against a 10-span trace opened the same way`, { value: median(m.open), unit: 'ms', baseline: median(base.open), baselineLabel: '10-span trace' });
    report(`  reopened, its trace still kept by the extension`, { value: m.reopen[0], unit: 'ms', baseline: median(base.open), baselineLabel: '10-span trace' });
  }
  writeResult('panel-open', { results, base, summary: Object.fromEntries(results.map((m) => [`${m.n}`, { openMs: median(m.open), reopenMs: m.reopen[0], fetchParseMs: Math.round(median(m.fetch)), tenSpanOpenMs: median(base.open) }])) });
} catch (e) {
  if (mlflow.logFile) console.error(`MLflow's log ends:\n${readFileSync(mlflow.logFile, 'utf8').slice(-3000)}`);
  throw e;
} finally {
  await wb?.close();
  await mlflow.stop();
}
