#!/usr/bin/env node
// How long the extension host is busy, and how long it is blocked, reading a large trace for the
// panel: the body's JSON parse (src/mlflow/http.ts: sliced above 1 MB), normalising (src/model),
// the panel's layout (src/panel/session.ts), packing the table to post and the history check. The
// host is one thread shared by every extension, so the longest stretch without a turn of the event
// loop matters as much as the total.
//   node bench/host-read.mjs [--sizes 10000,100000,300000] [--runs 3]
// The body comes from a loopback HTTP server in this process, read by the extension's own HTTP
// layer (src/mlflow/http.ts: parsed in slices while it downloads), so the fetch's blocks count too.
// Baselines, in the same run: the floor, fetch + JSON.parse of the same body (what any client pays
// for the bytes, in one block), and JSON.parse alone. "One go" is the read as it was before it was
// sliced (parseJsonLossless, normalizeTrace, new TraceSession). Memory: this process's resident
// and heap figures with the last session still held, and its peak resident size.
import { createServer } from 'node:http';
import { require as tsRequire } from 'tsx/cjs/api';
import { generateTrace } from './gen-trace.mjs';
import { arg, percentile, report, writeResult } from './lib.mjs';

const sizes = String(arg('sizes', '10000,100000,300000')).split(',').map(Number);
const runs = Number(arg('runs', 3));

const { parseJsonLossless } = tsRequire('../src/shared/jsonLossless.ts', import.meta.url);
const { bodyText } = tsRequire('../src/mlflow/bodyText.ts', import.meta.url);
const { Http } = tsRequire('../src/mlflow/http.ts', import.meta.url);
const { resolveEndpoint } = tsRequire('../src/mlflow/auth.ts', import.meta.url);
const { normalizeTrace, normalizeTraceSliced, isTraceError } = tsRequire('../src/model/normalize.ts', import.meta.url);
const { TraceSession } = tsRequire('../src/panel/session.ts', import.meta.url);
const { loopTurns } = tsRequire('../test/helpers/loopTurns.ts', import.meta.url);
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
  const m = { n, bytes: text.length, floor: [], parse: [], oneGo: [], sliced: [], slicedBlock: [] };
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
    const sliced = await watched(async () => {
      const spans = await http.request({ method: 'GET', path: '/traces.json' });
      held = await TraceSession.sliced(check(await normalizeTraceSliced({ info, spans })), undefined);
      // What the panel does next (src/panel/panelHost.ts): packs the table to post (in pieces,
      // one per turn), then asks whether the trace resends history.
      if (held.payloads) for (const _ of held.payloads(1)) await new Promise((r) => setTimeout(r, 0));
      else held.payload(1); // the code before tables were posted in pieces
      await held.resendsHistory();
    });
    m.sliced.push(sliced.ms);
    m.slicedBlock.push(sliced.longest);
  }
  const mb = (text.length / 1e6).toFixed(0);
  report(`host read, one go, ${n} spans (${mb} MB; median of ${runs})`, { value: median(m.oneGo), unit: 'ms', baseline: median(m.parse), baselineLabel: 'JSON.parse of the same text' });
  report(`host read, sliced, ${n} spans: fetch to session`, { value: median(m.sliced), unit: 'ms', baseline: median(m.floor), baselineLabel: 'floor: fetch + JSON.parse' });
  report(`host read, sliced, ${n} spans: longest block`, { value: median(m.slicedBlock), unit: 'ms', baseline: median(m.parse), baselineLabel: 'JSON.parse of the same text in one block', goal: '< 100 ms', goalMet: median(m.slicedBlock) < 100 });
  globalThis.gc?.();
  const mem = process.memoryUsage();
  m.memory = { rssMb: Math.round(mem.rss / 2 ** 20), heapUsedMb: Math.round(mem.heapUsed / 2 ** 20), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  console.log(`host memory with the ${held.table.n}-span session held: ${m.memory.rssMb} MB resident (heap ${m.memory.heapUsedMb} MB), peak ${m.memory.peakRssMb} MB so far`);
  results.push(m);
}

const big = results[results.length - 1];
writeResult('host-read', {
  results,
  summary: {
    spans: big.n,
    oneGoMs: Math.round(median(big.oneGo)),
    slicedMs: Math.round(median(big.sliced)),
    longestBlockMs: Math.round(median(big.slicedBlock)),
    jsonParseMs: Math.round(median(big.parse)),
    floorMs: Math.round(median(big.floor)),
    memory: big.memory,
  },
});
server.close();
