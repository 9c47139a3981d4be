#!/usr/bin/env node
// Cost of one incremental live poll when nothing changed, against the cost of the full cold
// first page measured in the same run, on the same 10,000-trace experiment and real MLflow.
// Goal (issue 4): ≤ 5 % of the first page. Also checks that such a poll transfers zero traces,
// and reports bytes on the wire beside time (an empty MLflow search has a fixed server cost of a
// few ms, most of the idle poll's time).
import { report, writeResult } from './lib.mjs';
import { benchExperiment, coldFirstPage, loadExplorer, median, mlflowServer } from './lib/explorer.mjs';

const COUNT = Number(process.env.GT_BENCH_TRACES) || 10_000;
const PAGES = 20;
const POLLS = 80;
const GOAL = 0.05;

// Bytes on the wire (request and response bodies), counted around the global fetch the client uses.
const bytes = { n: 0 };
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  bytes.n += typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0;
  const res = await realFetch(input, init);
  const buf = Buffer.from(await res.arrayBuffer());
  bytes.n += buf.length;
  return new globalThis.Response(buf, { status: res.status, statusText: res.statusText, headers: res.headers });
};
const measureBytes = async (fn) => {
  const before = bytes.n;
  await fn();
  return bytes.n - before;
};

const server = await mlflowServer();
try {
  const mods = await loadExplorer();
  const exp = await benchExperiment(server.url, COUNT);
  const client = new mods.MlflowClient({ trackingUri: server.url });
  await coldFirstPage(mods, client, exp.name); // warm-up

  // The view's poller after a first page: seeded with what it showed, then polling. Pages and
  // polls alternate, so load from other processes on a shared machine hits both alike.
  const first = await coldFirstPage(mods, new mods.MlflowClient({ trackingUri: server.url }), exp.name);
  const poll = new mods.IncrementalPoll(() => client);
  poll.seed(first.items);
  poll.markBaselined(first.experimentId);
  await poll.poll([first.experimentId], undefined); // warm-up
  const pages = [];
  const polls = [];
  let rows = 0;
  for (let i = 0; i < PAGES; i++) {
    const page = await coldFirstPage(mods, new mods.MlflowClient({ trackingUri: server.url }), exp.name);
    pages.push(page.totalMs);
    for (let j = 0; j < POLLS / PAGES; j++) {
      const t = performance.now();
      const r = await poll.poll([first.experimentId], undefined);
      polls.push(performance.now() - t);
      rows += r.rows + r.added.length + r.updated.length;
    }
  }
  const pageBytes = await measureBytes(() => coldFirstPage(mods, new mods.MlflowClient({ trackingUri: server.url }), exp.name));
  const pollBytes = await measureBytes(() => poll.poll([first.experimentId], undefined));
  if (rows) throw new Error(`an idle poll returned ${rows} traces; it must return none`);

  const pageMs = median(pages);
  const pollMs = median(polls);
  const ratio = pollMs / pageMs;
  console.log(`experiment ${exp.name} (${COUNT} traces); poll filter: ${poll.pollFilter(undefined).slice(0, 120)}…`);
  report('idle incremental poll', { value: pollMs, unit: 'ms', baseline: pageMs, baselineLabel: 'cold first page', goal: `≤ ${GOAL * 100} %`, goalMet: ratio <= GOAL });
  report('  bytes on the wire', { value: pollBytes, unit: 'B', baseline: pageBytes, baselineLabel: 'cold first page' });
  const file = writeResult('live-poll', {
    summary: `${(ratio * 100).toFixed(1)} % of first page (${pollMs.toFixed(1)} / ${pageMs.toFixed(0)} ms; goal ≤ ${GOAL * 100} %: ${ratio <= GOAL ? 'met' : 'NOT met'})`,
    traces: COUNT,
    pollMedianMs: pollMs,
    pollP90Ms: [...polls].sort((a, b) => a - b)[Math.ceil(POLLS * 0.9) - 1],
    firstPageMedianMs: pageMs,
    ratio,
    rowsReturnedByIdlePolls: rows,
    pollBytes,
    firstPageBytes: pageBytes,
    bytesRatio: pollBytes / pageBytes,
    goalMet: ratio <= GOAL,
  });
  console.log(`results: ${file}`);
} finally {
  await server.stop();
}
