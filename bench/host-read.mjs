#!/usr/bin/env node
// How long the extension host is busy, and how long it is blocked, reading a large trace for the
// panel: the body's JSON parse (src/mlflow/http.ts: sliced above 1 MB), normalising (src/model),
// and the panel's layout (src/panel/session.ts). The host is one thread shared by every extension, so the
// longest stretch without a turn of the event loop matters as much as the total.
//   node bench/host-read.mjs [--sizes 10000,100000] [--runs 3]
// Baseline, in the same run: JSON.parse of the same text, the least any reader of it pays in one
// block. "One go" is the read as it was before it was sliced (parseJsonLossless, normalizeTrace,
// new TraceSession).
import { require as tsRequire } from 'tsx/cjs/api';
import { generateTrace } from './gen-trace.mjs';
import { arg, percentile, report, writeResult } from './lib.mjs';

const sizes = String(arg('sizes', '10000,100000')).split(',').map(Number);
const runs = Number(arg('runs', 3));

const { parseJsonLossless } = tsRequire('../src/shared/jsonLossless.ts', import.meta.url);
const { parseJsonSteps } = tsRequire('../src/shared/jsonSteps.ts', import.meta.url);
const { runSliced } = tsRequire('../src/shared/steps.ts', import.meta.url);
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

const results = [];
for (const n of sizes) {
  console.log(`\n--- ${n.toLocaleString('en-US')} spans`);
  const { info, spansJson: text } = generateTrace({ spans: n, encoding: 'python', seed: 7 });
  const m = { n, bytes: text.length, parse: [], oneGo: [], sliced: [], slicedBlock: [] };
  // Interleaved rounds: load on a shared machine shifts within seconds.
  for (let r = 0; r < runs; r++) {
    globalThis.gc?.();
    m.parse.push((await watched(async () => JSON.parse(text))).ms);
    globalThis.gc?.();
    m.oneGo.push((await watched(async () => new TraceSession(check(normalizeTrace({ info, spans: parseJsonLossless(text) }))))).ms);
    globalThis.gc?.();
    const sliced = await watched(async () => {
      const spans = await runSliced(parseJsonSteps(text));
      return TraceSession.sliced(check(await normalizeTraceSliced({ info, spans })), undefined);
    });
    m.sliced.push(sliced.ms);
    m.slicedBlock.push(sliced.longest);
  }
  const mb = (text.length / 1e6).toFixed(0);
  report(`host read, one go, ${n} spans (${mb} MB; median of ${runs})`, { value: median(m.oneGo), unit: 'ms', baseline: median(m.parse), baselineLabel: 'JSON.parse of the same text' });
  report(`host read, sliced, ${n} spans: total`, { value: median(m.sliced), unit: 'ms', baseline: median(m.oneGo), baselineLabel: 'one go' });
  report(`host read, sliced, ${n} spans: longest block`, { value: median(m.slicedBlock), unit: 'ms', baseline: median(m.parse), baselineLabel: 'JSON.parse of the same text in one block' });
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
  },
});
