#!/usr/bin/env node
// Cost of one incremental live poll when nothing changed, against the cost of the full cold
// first page measured in the same run, on the same 10,000-trace experiment and real MLflow.
// Goal (issue 4): ≤ 5 % of the first page. Also checks that such a poll transfers zero traces.
import { report, writeResult } from './lib.mjs';
import { benchExperiment, coldFirstPage, loadExplorer, median, mlflowServer } from './lib/explorer.mjs';

const COUNT = Number(process.env.GT_BENCH_TRACES) || 10_000;
const PAGES = 10;
const POLLS = 40;
const GOAL = 0.05;

const server = await mlflowServer();
try {
  const mods = await loadExplorer();
  const exp = await benchExperiment(server.url, COUNT);
  const client = new mods.MlflowClient({ trackingUri: server.url });
  await coldFirstPage(mods, client, exp.name); // warm-up

  const pages = [];
  let page;
  for (let i = 0; i < PAGES; i++) {
    page = await coldFirstPage(mods, new mods.MlflowClient({ trackingUri: server.url }), exp.name);
    pages.push(page.totalMs);
  }

  // The view's poller after that first page: seeded with what it showed, then polling.
  const poll = new mods.IncrementalPoll(() => client);
  poll.seed(page.items);
  poll.markBaselined(page.experimentId);
  await poll.poll([page.experimentId], undefined); // warm-up
  const polls = [];
  let rows = 0;
  for (let i = 0; i < POLLS; i++) {
    const t = performance.now();
    const r = await poll.poll([page.experimentId], undefined);
    polls.push(performance.now() - t);
    rows += r.rows + r.added.length + r.updated.length;
  }
  if (rows) throw new Error(`an idle poll returned ${rows} traces; it must return none`);

  const pageMs = median(pages);
  const pollMs = median(polls);
  const ratio = pollMs / pageMs;
  console.log(`experiment ${exp.name} (${COUNT} traces); poll filter: ${poll.pollFilter(undefined).slice(0, 120)}…`);
  report('idle incremental poll', { value: pollMs, unit: 'ms', baseline: pageMs, baselineLabel: 'cold first page', goal: `≤ ${GOAL * 100} %`, goalMet: ratio <= GOAL });
  const file = writeResult('live-poll', {
    summary: `${(ratio * 100).toFixed(1)} % of first page (${pollMs.toFixed(1)} / ${pageMs.toFixed(0)} ms; goal ≤ ${GOAL * 100} %: ${ratio <= GOAL ? 'met' : 'NOT met'})`,
    traces: COUNT,
    pollMedianMs: pollMs,
    pollP90Ms: [...polls].sort((a, b) => a - b)[Math.ceil(POLLS * 0.9) - 1],
    firstPageMedianMs: pageMs,
    ratio,
    rowsReturnedByIdlePolls: rows,
    goalMet: ratio <= GOAL,
  });
  console.log(`results: ${file}`);
} finally {
  await server.stop();
}
