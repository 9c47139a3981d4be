#!/usr/bin/env node
// Where the extension host's read of a large trace for the panel goes, phase by phase, as the host
// runs them (in slices): parse the body, the table drawn from the raw span list and packed before
// the trace is read (src/panel/directTable.ts: what the panel posts first), normalise (src/model),
// lay out and pack the table (src/panel/session.ts: what the panel posted before directTable.ts,
// and still does for a trace that reads differently), the history check that follows the post,
// timed in the code as esbuild
// bundles it for the extension (lib/built.mjs). Several rounds; the shortest and
// the median of each phase, each against JSON.parse of the same text measured in the same run
// (load on a shared machine moves whole runs; the shortest round says most about the code).
//   node --expose-gc bench/host-phases.mjs [--spans 100000] [--runs 5]
// "total" is the panel's road for such a trace: parse, direct table, normalise, history check.
// For A/B against another commit, run the same file in a checkout of it, alternating.
import { generateTrace } from './gen-trace.mjs';
import { arg, report, writeResult } from './lib.mjs';
import { loadBuilt } from './lib/built.mjs';

const n = Number(arg('spans', 100000));
const runs = Number(arg('runs', 5));
const [{ parseJsonSteps }, { runSliced }, { normalizeTraceSliced }, { TraceSession }, { directTableSteps }, { PostedTable }] = loadBuilt(['src/shared/jsonSteps.ts', 'src/shared/steps.ts', 'src/model/normalize.ts', 'src/panel/session.ts', 'src/panel/directTable.ts', 'src/panel/postedTable.ts']);

const { info, spansJson: text } = generateTrace({ spans: n, encoding: 'python', seed: 7 });
const ms = { 'JSON.parse': [], parse: [], 'direct table and pack': [], normalise: [], 'layout and pack': [], 'history check': [], total: [] };
for (let r = 0; r < runs; r++) {
  globalThis.gc?.();
  let t = performance.now();
  JSON.parse(text);
  ms['JSON.parse'].push(performance.now() - t);
  globalThis.gc?.();
  const t0 = performance.now();
  t = t0;
  const lap = (phase) => {
    const now = performance.now();
    ms[phase].push(now - t);
    t = now;
  };
  const spans = await runSliced(parseJsonSteps(text));
  lap('parse');
  // The body is {"spans": [...]}: the trace store hands the panel the list.
  const direct = await runSliced(directTableSteps(info, Array.isArray(spans) ? spans : spans.spans));
  if (!direct) throw new Error('the generated trace was not read directly');
  for (const _ of new PostedTable(direct.table, () => ({})).payloads(1));
  lap('direct table and pack');
  const trace = await normalizeTraceSliced({ info, spans });
  lap('normalise');
  const session = await TraceSession.sliced(trace, undefined);
  session.payload(1);
  lap('layout and pack');
  await session.resendsHistory();
  lap('history check');
  // The panel's road: the session adopts the direct table, so layout and pack are not on it.
  ms.total.push(performance.now() - t0 - ms['layout and pack'].at(-1));
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const min = (xs) => sorted(xs)[0];
const med = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const base = min(ms['JSON.parse']);
console.log(`${n.toLocaleString('en-US')} spans (${(text.length / 1e6).toFixed(0)} MB), ${runs} rounds`);
for (const [phase, xs] of Object.entries(ms)) {
  if (phase === 'JSON.parse') continue;
  report(`host ${phase}, shortest of ${runs} (median ${Math.round(med(xs))} ms)`, { value: min(xs), unit: 'ms', baseline: base, baselineLabel: 'JSON.parse of the same text, shortest' });
}
// Shortest of the rounds per phase, as printed (npm run bench's summary reads the file).
const summary = Object.fromEntries(Object.entries(ms).map(([phase, xs]) => [phase, Math.round(min(xs))]));
console.log(`results: ${writeResult('host-phases', { summary, spans: n, runs, ms })}`);
