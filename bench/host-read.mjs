#!/usr/bin/env node
// How long the extension host is busy, and how long it is blocked, reading a large trace for the
// panel: the body's JSON parse (src/mlflow/http.ts: sliced above 1 MB), the table drawn from the raw
// span list and packed to post (src/panel/directTable.ts), normalising (src/model), the session that
// adopts that table (src/panel/session.ts) and the history check. The
// host is one thread shared by every extension, so the longest stretch without a turn of the event
// loop matters as much as the total.
//   node bench/host-read.mjs [--sizes 10000,100000,300000] [--runs 3] [--rate 50 --rate-spans 100000]
// (--rate 0 skips the part with the body served at a network's pace)
// The body comes from a loopback HTTP server in this process, read by the extension's own HTTP
// layer (src/mlflow/http.ts: parsed in slices while it downloads), so the fetch's blocks count too.
// Baselines, in the same run: the floor, fetch + JSON.parse of the same body (what any client pays
// for the bytes, in one block), and JSON.parse alone. "One go" is the read as it was before it was
// sliced (parseJsonLossless, normalizeTrace, new TraceSession). Memory: this process's resident
// and heap figures with the last session still held, and its peak resident size.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTrace } from './gen-trace.mjs';
import { arg, percentile, report, writeResult } from './lib.mjs';
import { loadBuilt } from './lib/built.mjs';

const sizes = String(arg('sizes', '10000,100000,300000')).split(',').map(Number);
const runs = Number(arg('runs', 3));
/** The body served from another process at this many MB/s, as a server across a network sends
 *  it: the host then waits for bytes, and reads spans in that time (src/model/earlySpans.ts). */
const rate = Number(arg('rate', 50));
const rateSpans = Number(arg('rate-spans', 100000));

// As the extension bundles them (lib/built.mjs), in one bundle.
const [{ parseJsonLossless }, { bodyText }, { Http }, { resolveEndpoint }, { normalizeTrace, normalizeTraceSliced, isTraceError }, { EarlySpans }, { TraceSession }, { loopTurns }, { runSliced }, { directTableSteps }, { PostedTable }] = loadBuilt([
  'src/shared/jsonLossless.ts', 'src/mlflow/bodyText.ts', 'src/mlflow/http.ts', 'src/mlflow/auth.ts', 'src/model/normalize.ts', 'src/model/earlySpans.ts', 'src/panel/session.ts', 'test/helpers/loopTurns.ts',
  'src/shared/steps.ts', 'src/panel/directTable.ts', 'src/panel/postedTable.ts',
]);
const median = (xs) => percentile(xs, 50);

/** Wall time of `work`, and the longest gap between turns of the event loop while it ran. */
async function watched(work) {
  const t0 = performance.now();
  const { longestGapMs } = await loopTurns(work);
  return { ms: performance.now() - t0, longest: longestGapMs };
}

const check = (t) => {
  if (isTraceError(t)) throw new Error(t.error);
  return t;
};

/** The span list of traces.json watched as src/mlflow/spans.ts watches it. */
const spanItems = (early) => ({ path: ['spans'], each: (v, i) => early.add(v, i), idle: (ms) => early.readSome(ms) });

/** Serves whatever `body.current` holds, as MLflow's artifact endpoint serves traces.json. */
const body = { current: Buffer.alloc(0) };
const server = createServer((_req, res) => {
  // No keep-alive: generating the next size takes longer than the server keeps an idle connection.
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.current.length, connection: 'close' });
  res.end(body.current);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/traces.json`;
const fetchText = async () => bodyText(await fetch(url));
const http = new Http(resolveEndpoint(url.replace(/\/traces\.json$/, '')), { timeoutMs: 600_000 });

const results = [];
let held;
for (const n of sizes) {
  console.log(`\n--- ${n.toLocaleString('en-US')} spans`);
  const { info, spansJson: text } = generateTrace({ spans: n, encoding: 'python', seed: 7 });
  body.current = Buffer.from(text);
  const m = { n, bytes: text.length, floor: [], parse: [], oneGo: [], sliced: [], slicedBlock: [], table: [] };
  // Interleaved rounds: load on a shared machine shifts within seconds.
  for (let r = 0; r < runs; r++) {
    held = undefined;
    globalThis.gc?.();
    m.floor.push((await watched(async () => JSON.parse(await fetchText()))).ms);
    globalThis.gc?.();
    m.parse.push((await watched(async () => JSON.parse(text))).ms);
    globalThis.gc?.();
    m.oneGo.push((await watched(async () => new TraceSession(check(normalizeTrace({ info, spans: parseJsonLossless(text) }))))).ms);
    globalThis.gc?.();
    const t0 = performance.now();
    const sliced = await watched(async () => {
      // As the trace store reads it (src/core/traceStore.ts): spans read while the body waits.
      const early = new EarlySpans();
      const { spans } = await http.request({ method: 'GET', path: '/traces.json', items: spanItems(early) });
      // As the panel reads it (src/panel/panelHost.ts): the table from the raw list, packed and
      // posted in pieces, one per turn (a trace of up to 20,000 spans goes the usual road).
      const table = n > 20_000 ? await runSliced(directTableSteps(info, spans, early)) : undefined;
      if (n > 20_000 && !table) throw new Error('the generated trace was not read directly');
      const posted = table && new PostedTable(table.table, () => ({}));
      if (posted) for (const _ of posted.payloads(1)) await new Promise((r) => setTimeout(r, 0));
      m.table.push(performance.now() - t0);
      held = await TraceSession.of(check(await normalizeTraceSliced({ info, spans, early })), undefined, undefined, posted && { table, posted, mismatch: (why) => { throw new Error(why); } });
      // The usual road packs the session's own table to post.
      if (!posted) for (const _ of held.payloads(1)) await new Promise((r) => setTimeout(r, 0));
      await held.resendsHistory();
    });
    m.sliced.push(sliced.ms);
    m.slicedBlock.push(sliced.longest);
  }
  const mb = (text.length / 1e6).toFixed(0);
  report(`host read, one go, ${n} spans (${mb} MB; median of ${runs})`, { value: median(m.oneGo), unit: 'ms', baseline: median(m.parse), baselineLabel: 'JSON.parse of the same text' });
  report(`host read, sliced, ${n} spans: fetch to whole table posted`, { value: median(m.table), unit: 'ms', baseline: median(m.floor), baselineLabel: 'floor: fetch + JSON.parse' });
  report(`host read, sliced, ${n} spans: fetch to session`, { value: median(m.sliced), unit: 'ms', baseline: median(m.floor), baselineLabel: 'floor: fetch + JSON.parse' });
  report(`host read, sliced, ${n} spans: longest block`, { value: median(m.slicedBlock), unit: 'ms', baseline: median(m.parse), baselineLabel: 'JSON.parse of the same text in one block', goal: '< 100 ms', goalMet: median(m.slicedBlock) < 100 });
  globalThis.gc?.();
  const mem = process.memoryUsage();
  m.memory = { rssMb: Math.round(mem.rss / 2 ** 20), heapUsedMb: Math.round(mem.heapUsed / 2 ** 20), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  console.log(`host memory with the ${held.table.n}-span session held: ${m.memory.rssMb} MB resident (heap ${m.memory.heapUsedMb} MB), peak ${m.memory.peakRssMb} MB so far`);
  results.push(m);
}

/** Serves `text` from a child process at `mbps` MB/s; resolves with its URL and a stop(). */
async function throttledServer(text, mbps) {
  const dir = mkdtempSync(join(tmpdir(), 'host-read-'));
  writeFileSync(join(dir, 'traces.json'), text);
  const child = spawn(process.execPath, ['-e', `
    const body = require('fs').readFileSync(${JSON.stringify(join(dir, 'traces.json'))});
    require('http').createServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, connection: 'close' });
      const t0 = Date.now();
      let at = 0;
      (function send() {
        const due = Math.min(body.length, Math.floor(((Date.now() - t0 + 5) / 1000) * ${mbps} * 1e6));
        if (due > at) res.write(body.subarray(at, (at = due)));
        if (at >= body.length) res.end();
        else setTimeout(send, 5);
      })();
    }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}`, stop: () => (child.kill(), rmSync(dir, { recursive: true, force: true })) };
}

if (rate > 0) {
  console.log(`\n--- ${rateSpans.toLocaleString('en-US')} spans served at ${rate} MB/s from another process`);
  const { info, spansJson: text } = generateTrace({ spans: rateSpans, encoding: 'python', seed: 7 });
  const served = await throttledServer(text, rate);
  const remote = new Http(resolveEndpoint(served.url), { timeoutMs: 600_000 });
  const ms = { floor: [], plain: [], early: [], table: [], tableDecoded: [] };
  const read = async (early) => {
    const { spans } = await remote.request({ method: 'GET', path: '/traces.json', items: early && spanItems(early) });
    return check(await normalizeTraceSliced({ info, spans, early }));
  };
  // The panel's table (directTable.ts) after the same download: its rows from the spans read
  // early, or every span decoded again after the download (the road before the rows were taken from them).
  const table = async (fromEarly) => {
    const early = new EarlySpans();
    const { spans } = await remote.request({ method: 'GET', path: '/traces.json', items: spanItems(early) });
    if (!(await runSliced(directTableSteps(info, spans, fromEarly ? early : undefined)))) throw new Error('the generated trace was not read directly');
  };
  const modes = { plain: () => read(undefined), early: () => read(new EarlySpans()), table: () => table(true), tableDecoded: () => table(false) };
  for (let r = 0; r < runs; r++) {
    globalThis.gc?.();
    ms.floor.push((await watched(async () => JSON.parse(await bodyText(await fetch(`${served.url}/traces.json`))))).ms);
    const order = Object.keys(modes);
    for (const mode of r % 2 ? order.reverse() : order) {
      globalThis.gc?.();
      ms[mode].push((await watched(modes[mode])).ms);
    }
  }
  served.stop();
  report(`fetch to whole table at ${rate} MB/s, rows from the spans read while the body downloads`, { value: median(ms.table), unit: 'ms', baseline: median(ms.tableDecoded), baselineLabel: 'every span decoded again after the download' });
  report(`  against the floor at ${rate} MB/s`, { value: median(ms.table), unit: 'ms', baseline: median(ms.floor), baselineLabel: 'fetch + JSON.parse at that rate' });
  report(`fetch to normalised trace at ${rate} MB/s, spans read while the body downloads`, { value: median(ms.early), unit: 'ms', baseline: median(ms.plain), baselineLabel: 'the same read after the download' });
  report(`  against the floor at ${rate} MB/s`, { value: median(ms.early), unit: 'ms', baseline: median(ms.floor), baselineLabel: 'fetch + JSON.parse at that rate' });
  results.push({ n: rateSpans, rate, ...ms });
}

const big = results.filter((m) => !m.rate).at(-1);
writeResult('host-read', {
  results,
  summary: {
    spans: big.n,
    oneGoMs: Math.round(median(big.oneGo)),
    tableMs: Math.round(median(big.table)),
    slicedMs: Math.round(median(big.sliced)),
    longestBlockMs: Math.round(median(big.slicedBlock)),
    jsonParseMs: Math.round(median(big.parse)),
    floorMs: Math.round(median(big.floor)),
    memory: big.memory,
  },
});
server.close();
