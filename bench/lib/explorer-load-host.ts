// Runs inside the extension host of the real VS Code (as extensionTestsPath) for
// bench/explorer-load.mjs. For each experiment in $GT_BENCH_PHASES it points the Traces view at it,
// tells the bench (through $GT_BENCH_PHASE_FILE) to keep its live runs writing, times Refresh up
// to the newest run's first page the way the view loads it (through the view's own tree data
// provider), lets the live poll run, and records the host's memory. Results go to $GT_BENCH_OUT.
// Bundled by esbuild into out/bench/; only types come from src/ (the classes live in the
// extension's own bundle, so nodes are told apart by their `kind`, never by instanceof).
import { writeFileSync } from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { ExplorerHooks } from '../../src/explorer/register';
import type { Node } from '../../src/explorer/nodes';
import type { Services } from '../../src/core/services';
import type { TestApi } from '../../src/testApi';

interface PhaseSpec {
  key: string;
  name: string;
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** Where a refresh spends its time: experiment list and "any traces?" probe, run discovery, the newest run's page, tree items. */
interface RefreshSteps {
  experiments: number;
  runs: number;
  firstPage: number;
  items: number;
}

export interface PhaseResult {
  key: string;
  experiment: string;
  /** Refresh → experiments → runs → newest run's first page, ms, per round. */
  refreshMs: number[];
  refreshStepsMs: RefreshSteps[];
  /** Expanding the newest run that is not live (a page of its traces), ms, per round. */
  olderRunPageMs: number[];
  runsShown: number;
  /** Trace rows the view holds at the end of the phase: bounded by pages, not by the experiment. */
  tracesLoaded: number;
  newestRunTraces: number;
  olderRunTraces: number;
  /** Live poll over the watch window: traces it reported new, and live traces the view holds before/after. */
  live: { seconds: number; newLiveTraces: number; polls: number; rows: number; failures: number; liveTracesBefore: number; liveTracesAfter: number };
  memoryBefore: Memory;
  memoryAfter: Memory;
  memoryPeak: Memory;
}

const EXTENSION_ID = 'gemini-trace-explorer.gemini-trace-explorer';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A forced collection before each reading, so heapUsed is what is retained, not garbage.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function memory(collect: boolean): Memory {
  if (collect) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
}

async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

const isLive = (n: Node) => n.kind === 'run' && n.run.id.startsWith('live-');

async function measurePhase(spec: PhaseSpec, services: Services, hooks: ExplorerHooks, opts: { rounds: number; liveSeconds: number; phaseFile: string }): Promise<PhaseResult> {
  const { provider, poller } = hooks;
  // The previous experiment stays expanded in the view otherwise, and VS Code would keep loading
  // (and the poll keep watching) it: collapse it, as a user moving on would. The pause lets the
  // bench take its screenshot of the previous phase first.
  await sleep(1500);
  await vscode.commands.executeCommand('workbench.actions.treeView.geminiTrace.traces.collapseAll');
  await vscode.workspace.getConfiguration('geminiTrace').update('experiment', spec.name, vscode.ConfigurationTarget.Global);
  await waitFor(`the connection to switch to ${spec.name}`, () => services.connection.experimentName === spec.name && services.connection.state === 'up');
  const memoryBefore = memory(true);
  const peak = { ...memoryBefore };
  const sampler = setInterval(() => {
    const m = memory(false);
    for (const k of Object.keys(peak) as (keyof Memory)[]) peak[k] = Math.max(peak[k], m[k]);
  }, 250);

  // The bench's live runs write while everything below runs.
  writeFileSync(opts.phaseFile, JSON.stringify({ key: spec.key }));
  try {
    await sleep(3000);
    const refreshMs: number[] = [];
    const olderRunPageMs: number[] = [];
    const refreshStepsMs: RefreshSteps[] = [];
    let runsShown = 0;
    let newestRunTraces = 0;
    let olderRunTraces = 0;
    for (let i = 0; i < opts.rounds; i++) {
      const t0 = performance.now();
      await vscode.commands.executeCommand('geminiTrace.refresh');
      const roots = await provider.getChildren();
      const tRoots = performance.now();
      const exp = roots.find((n) => n.kind === 'experiment' && n.experiment.name === spec.name);
      if (!exp) throw new Error(`experiment ${spec.name} is not in the tree: ${roots.map((n) => n.id).join(', ')}`);
      const runs = await provider.getChildren(exp);
      const tRuns = performance.now();
      const newest = runs.find((n) => n.kind === 'run');
      if (!newest) throw new Error(`no runs under ${spec.name}: ${runs.map((n) => n.id).join(', ')}`);
      const traces = await provider.getChildren(newest);
      const tPage = performance.now();
      // Building the items is part of what the view does before it can paint.
      for (const n of [...roots, ...runs, ...traces]) provider.getTreeItem(n);
      const tEnd = performance.now();
      refreshMs.push(tEnd - t0);
      refreshStepsMs.push({ experiments: tRoots - t0, runs: tRuns - tRoots, firstPage: tPage - tRuns, items: tEnd - tPage });
      // Open the newest run in the view, as the user looking at it would (a newly configured
      // experiment keeps the collapsed state VS Code remembers for it): live traces then show there.
      if (i === 0) await hooks.view.reveal(newest, { expand: true, focus: false, select: false });

      const older = runs.find((n) => n.kind === 'run' && !isLive(n));
      const t1 = performance.now();
      const olderTraces = older ? await provider.getChildren(older) : [];
      for (const n of olderTraces) provider.getTreeItem(n);
      olderRunPageMs.push(performance.now() - t1);

      runsShown = runs.filter((n) => n.kind === 'run').length;
      newestRunTraces = traces.filter((n) => n.kind === 'trace').length;
      olderRunTraces = olderTraces.filter((n) => n.kind === 'trace').length;
      await sleep(500);
    }

    // The live poll, as a user watching the view sees it.
    const liveTraces = () => provider.loadedSummaries().filter((s) => s.experimentId && s.tags['gemini_trace.run_id']?.startsWith('live-')).length;
    const stats0 = { ...poller.stats };
    const liveBefore = liveTraces();
    let delivered = 0;
    const sub = services.onDidSeeNewTraces((ts) => {
      delivered += ts.filter((t) => t.experimentId && t.tags['gemini_trace.run_id']?.startsWith('live-')).length;
    });
    const t2 = Date.now();
    await sleep(opts.liveSeconds * 1000);
    sub.dispose();
    const live = {
      newLiveTraces: delivered,
      seconds: (Date.now() - t2) / 1000,
      polls: poller.stats.polls - stats0.polls,
      rows: poller.stats.rows - stats0.rows,
      failures: poller.stats.failures - stats0.failures,
      liveTracesBefore: liveBefore,
      liveTracesAfter: liveTraces(),
    };
    return {
      key: spec.key, experiment: spec.name, refreshMs, refreshStepsMs, olderRunPageMs, runsShown, tracesLoaded: provider.loadedSummaries().length, newestRunTraces, olderRunTraces, live,
      memoryBefore, memoryAfter: memory(true), memoryPeak: peak,
    };
  } finally {
    clearInterval(sampler);
    writeFileSync(opts.phaseFile, JSON.stringify({ key: null }));
  }
}

export async function run(): Promise<void> {
  const out = process.env.GT_BENCH_OUT!;
  try {
    const phases = JSON.parse(process.env.GT_BENCH_PHASES ?? '[]') as PhaseSpec[];
    const opts = { rounds: Number(process.env.GT_BENCH_ROUNDS) || 5, liveSeconds: Number(process.env.GT_BENCH_LIVE_SECONDS) || 20, phaseFile: process.env.GT_BENCH_PHASE_FILE! };
    // Start-up activations (git, js-debug, …) share this host's one thread: let them finish.
    await sleep(Number(process.env.GT_BENCH_SETTLE_MS) || 3000);
    const memoryHostIdle = memory(true);
    // Run as extension tests, so activate() returns the test API (src/testApi.ts).
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as TestApi | undefined;
    if (!api?.explorer) throw new Error('the extension returned no test API with the Traces view (see its log)');
    const { services, explorer: hooks } = api;
    const memoryActivated = memory(true);
    // The view must be visible: VS Code asks it for rows, and the live poll runs while it shows.
    await vscode.commands.executeCommand('geminiTrace.traces.focus');
    await waitFor('the Traces view to be visible', () => hooks.view.visible);
    const results: PhaseResult[] = [];
    for (const p of phases) results.push(await measurePhase(p, services, hooks, opts));
    await sleep(1500); // the bench's screenshot of the last phase
    writeFileSync(out, JSON.stringify({ vscode: vscode.version, node: process.version, memoryHostIdle, memoryActivated, phases: results }));
  } catch (e) {
    writeFileSync(out, JSON.stringify({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  }
}
