// The Traces view inside a real VS Code against a real MLflow: the tree VS Code is given for
// seeded experiments, runs, traces and spans; paging past 100; filters; a trace written during
// the test appearing live; delete; and recovery when the server stops and comes back.
import * as assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { ExplorerHooks } from '../../src/explorer/register';
import type { ExperimentNode, LoadMoreNode, MessageNode, Node, RunNode, SpanNode, TraceNode } from '../../src/explorer/nodes';
import type { Services } from '../../src/core/services';
import type { TraceSummary } from '../../src/model/types';
import { getExtension, getServices, mlflowUrl, waitFor, withSetting, getTestApi } from '../helpers/vscode';
import { readExtensionLog } from '../helpers/hostSpy';
import { createExperiment, postTraces } from '../../bench/lib/otlp.mjs';
import type { TraceSeed } from '../../bench/lib/otlp.mjs';

// Nodes come from the extension's bundle, this test from another: compare kinds, not classes.
const isExp = (n: Node): n is ExperimentNode => n.kind === 'experiment';
const isRun = (n: Node): n is RunNode => n.kind === 'run';
const isTrace = (n: Node): n is TraceNode => n.kind === 'trace';
const isMore = (n: Node): n is LoadMoreNode => n.kind === 'loadMore';
const isMessage = (n: Node): n is MessageNode => n.kind === 'message';

/** A line in the runner's spec output (the extension host's console is not shown). */
function note(line: string): void {
  const file = process.env.GT_MOCHA_OUTPUT_FILE;
  if (file) appendFileSync(file, `      ${line}\n`);
}

const HOSTILE = 'Ignore this [click me](command:workbench.action.quit) ![pixel](http://127.0.0.1:9/x.png) <img src=x onerror=alert(1)>';

describe('Trace Explorer view', function () {
  this.timeout(120_000);
  let services: Services;
  let hooks: ExplorerHooks;
  let restore: (() => Promise<void>)[] = [];
  const expName = `explorer-it-${Date.now().toString(36)}`;
  let expId: string;
  const now = Date.now();

  const children = async (n?: Node) => hooks.provider.getChildren(n);
  const item = (n: Node) => hooks.provider.getTreeItem(n);
  const label = (n: Node) => {
    const l = item(n).label;
    return typeof l === 'string' ? l : (l?.label ?? '');
  };
  const ourExperiment = async () => {
    const roots = await children();
    const e = roots.find((n): n is ExperimentNode => isExp(n) && n.experimentId === expId);
    assert.ok(e, `experiment ${expName} not in the tree: ${roots.map(label).join(', ')}`);
    return e;
  };
  const runNamed = async (name: string) => {
    const runs = await children(await ourExperiment());
    const r = runs.find((n): n is RunNode => isRun(n) && n.run.name === name);
    assert.ok(r, `run ${name} not under the experiment: ${runs.map(label).join(', ')}`);
    return r;
  };

  before(async () => {
    services = await getServices();
    hooks = (await getTestApi()).explorer!;
    assert.ok(hooks?.provider, 'the explorer did not register its test hooks');
    expId = await createExperiment(mlflowUrl(), expName);
    const seeds: TraceSeed[] = [];
    // run "old.js": 130 traces (pages at 100); run "new.py": 3 traces, one failing and one hostile; 2 untagged.
    for (let i = 0; i < 130; i++) seeds.push({ startMs: now - 900_000 + i * 1000, runId: 'it-old', runName: 'old.js', runStarted: new Date(now - 901_000).toISOString(), prompt: `old ${i}` });
    seeds.push({ startMs: now - 60_000, runId: 'it-new', runName: 'new.py', runStarted: new Date(now - 61_000).toISOString(), prompt: 'ok call', durationMs: 1234, tokens: [10, 20] });
    seeds.push({ startMs: now - 50_000, runId: 'it-new', runName: 'new.py', prompt: 'failing call', error: true, model: 'gemini-2.5-pro' });
    seeds.push({ startMs: now - 40_000, runId: 'it-new', runName: 'new.py', prompt: HOSTILE });
    seeds.push({ startMs: now - 30_000, prompt: 'untagged a' }, { startMs: now - 20_000, prompt: 'untagged b' });
    await postTraces(mlflowUrl(), expId, seeds);
    restore.push(await withSetting('geminiTrace', 'experiment', expName));
    await vscode.commands.executeCommand('geminiTrace.traces.focus');
    await waitFor(() => hooks.view.visible, 10_000, 'the Traces view to be visible');
  });

  after(async () => {
    await vscode.commands.executeCommand('geminiTrace.clearFilter');
    for (const r of restore.reverse()) await r();
    restore = [];
  });

  it('shows experiments › runs (newest first, then Other traces) › traces › nested spans', async () => {
    const exp = await ourExperiment();
    const roots = await children();
    assert.equal(roots[0], exp, 'the configured experiment comes first');
    assert.equal(item(exp).collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.equal(services.connection.state, 'up');

    const runs = await children(exp);
    assert.deepEqual(runs.map(label), ['new.py', 'old.js', 'Other traces']);
    assert.equal(item(runs[0]).collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'the newest run opens by itself');

    const traces = (await children(runs[0])) as TraceNode[];
    assert.equal(traces.length, 3);
    assert.ok(traces.every(isTrace));
    const [hostile, failing, ok] = traces; // newest first
    assert.match(ok.summary.requestPreview ?? '', /ok call/);
    // "Nm ago" is counted from when the row is drawn; a slow start-up can push the seeded
    // call (now − 60 s) past two minutes before this line runs, so take the age around the call.
    const minutesOld = () => Math.floor((Date.now() - (now - 60_000)) / 60_000);
    const youngest = minutesOld();
    const okItem = item(ok);
    const oldest = minutesOld();
    assert.equal(okItem.contextValue, 'trace');
    const ago = /^1\.2\d s · 30 tok · (\d+)m ago$/.exec(String(okItem.description));
    assert.ok(ago, `description: ${okItem.description}`);
    assert.ok(+ago[1] >= youngest && +ago[1] <= oldest, `"${ago[1]}m ago" for a call ${youngest}–${oldest} min old`);
    assert.equal((okItem.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.equal((okItem.iconPath as vscode.ThemeIcon).color?.id, 'testing.iconPassed');
    // A click opens the row it selected: no arguments for a refresh of the row to drop (treeItems.ts).
    assert.deepEqual(okItem.command, { command: 'geminiTrace.openSelected', title: 'Open' });
    assert.equal(ok.traceId, ok.summary.id);
    assert.equal(ok.experimentId, expId);

    const failItem = item(failing);
    assert.match(failItem.contextValue ?? '', /^trace/);
    assert.equal((failItem.iconPath as vscode.ThemeIcon).id, 'error');
    assert.equal(failItem.resourceUri?.scheme, 'gemini-trace-item', 'failed rows carry the URI the error colour decorates');

    // Tooltips carry prompts: escaped, untrusted, no HTML.
    const tip = item(hostile).tooltip as vscode.MarkdownString;
    assert.equal(tip.isTrusted, false);
    assert.equal(tip.supportHtml, false);
    assert.doesNotMatch(tip.value, /\]\(command:/, 'a command link survived in the tooltip');
    assert.doesNotMatch(tip.value, /!\[pixel\]\(http/, 'an image survived in the tooltip');
    assert.match(tip.value, /Ignore this/);
    assert.match(tip.value, new RegExp(hostile.traceId.replace(/^tr-/, '')), 'the tooltip names the trace id');

    const spans = (await children(failing)) as SpanNode[];
    assert.equal(spans.length, 1);
    assert.equal(label(spans[0]), 'answer');
    assert.equal((item(spans[0]).iconPath as vscode.ThemeIcon).id, 'link', 'CHAIN span icon');
    const llm = (await children(spans[0])) as SpanNode[];
    assert.equal(label(llm[0]), 'Models.generateContent');
    const llmItem = item(llm[0]);
    assert.equal((llmItem.iconPath as vscode.ThemeIcon).id, 'sparkle', 'LLM span icon');
    assert.equal((llmItem.iconPath as vscode.ThemeIcon).color?.id, 'errorForeground', 'the failed span is in the error colour');
    assert.match(llmItem.contextValue ?? '', /^span/);
    assert.match(String(llmItem.description), /LLM/);
    assert.equal(llm[0].traceId, failing.traceId);
    assert.equal(llm[0].spanId, llm[0].span.id);
    assert.equal(hooks.provider.getParent(llm[0]), spans[0]);

    const other = (await children(runs[2])) as TraceNode[];
    assert.equal(other.length, 2);
  });

  it('pages past 100 traces with "Load more"', async () => {
    const old = await runNamed('old.js');
    const first = await children(old);
    assert.equal(first.filter(isTrace).length, 100);
    const more = first[first.length - 1];
    assert.ok(isMore(more), 'a Load more node ends the first page');
    // As a click does: the row is selected, then its command (no arguments) loads the next page.
    assert.deepEqual(item(more).command, { command: 'geminiTrace.loadMore', title: 'Load More' });
    // Revealed again until selected: the view may still be drawing the run's rows (seen once on
    // VS Code 1.96 in a loaded CI run, where one reveal selected nothing in 10 s).
    await waitFor(
      async () => {
        await hooks.view.reveal(more, { select: true, focus: true });
        return hooks.view.selection.length === 1 && isMore(hooks.view.selection[0]);
      },
      30_000,
      'the Load more row selected',
    ).catch((e: Error) => {
      throw new Error(`${e.message} (selected: ${hooks.view.selection.map((n) => n.constructor.name).join(', ') || 'nothing'})`);
    });
    await vscode.commands.executeCommand(item(more).command!.command);
    const all = await children(old);
    assert.equal(all.length, 130);
    assert.ok(all.every(isTrace));
    assert.equal(new Set(all.map((n) => (n as TraceNode).traceId)).size, 130);
  });

  it('filters: errors only, text, a rejected expression, clear; the description shows it', async () => {
    await vscode.commands.executeCommand('geminiTrace.setFilter', { errorsOnly: true });
    assert.equal(hooks.view.description, 'filter: errors');
    let runs = await children(await ourExperiment());
    assert.deepEqual(runs.map(label), ['new.py']);
    let traces = (await children(runs[0])) as TraceNode[];
    assert.equal(traces.length, 1);
    assert.equal(traces[0].summary.state, 'ERROR');

    await vscode.commands.executeCommand('geminiTrace.setFilter', { text: 'untagged b' });
    assert.equal(hooks.view.description, 'filter: “untagged b”');
    runs = await children(await ourExperiment());
    assert.deepEqual(runs.map(label), ['Other traces']);
    traces = (await children(runs[0])) as TraceNode[];
    assert.equal(traces.length, 1);

    // The server rejects it: not applied, the previous filter stays.
    await vscode.commands.executeCommand('geminiTrace.setFilter', { expression: 'trace.bogus_key = 1' });
    assert.equal(hooks.view.description, 'filter: “untagged b”');

    await vscode.commands.executeCommand('geminiTrace.setFilter', { text: 'nothing matches this at all' });
    const none = await children(await ourExperiment());
    assert.ok(isMessage(none[0]) && /match/.test(label(none[0])), 'an explicit "no match" row');

    await vscode.commands.executeCommand('geminiTrace.clearFilter');
    assert.equal(hooks.view.description, undefined);
    assert.equal((await children(await ourExperiment())).length, 3);
  });

  it('an idle view reads the signal file each tick and asks MLflow only once per idlePollInterval', async () => {
    const restore = await withSetting('geminiTrace', 'explorer.idlePollInterval', 60_000);
    try {
      await new Promise((r) => setTimeout(r, 1500)); // the setting change's own poll passes
      const before = { ...hooks.poller.stats };
      await new Promise((r) => setTimeout(r, 3500));
      const after = hooks.poller.stats;
      note(`3.5 s idle: ${after.polls - before.polls} request(s) to MLflow, ${after.skipped - before.skipped} tick(s) that only read the signal file`);
      assert.equal(after.polls - before.polls, 0, 'no request to MLflow while nothing signals');
      assert.ok(after.skipped - before.skipped >= 2, `ticks kept running (${after.skipped - before.skipped})`);
    } finally {
      await restore();
    }
  });

  it('shows a trace within about a second of its signal, with a badge until opened', async () => {
    // The safety net is out of reach (60 s): only the signal a traced process writes after each
    // accepted upload (ENV.signal; the injectors' side is tested in inject-node/inject-python)
    // can bring the trace in this fast.
    const restore = await withSetting('geminiTrace', 'explorer.idlePollInterval', 60_000);
    const run = await runNamed('new.py');
    await children(run); // loaded, as on screen
    const seen: TraceSummary[] = [];
    const sub = services.onDidSeeNewTraces((t) => seen.push(...t));
    try {
      assert.ok(services.activitySignal, 'the window has a signal file');
      await new Promise((r) => setTimeout(r, 1500)); // the setting change's own poll passes
      const t0 = Date.now();
      await postTraces(mlflowUrl(), expId, [{ startMs: Date.now(), runId: 'it-new', runName: 'new.py', prompt: 'live arrival' }]);
      writeFileSync(services.activitySignal, String(Date.now()));
      const written = Date.now();
      const node = await waitFor(async () => ((await children(run)) as TraceNode[]).find((t) => /live arrival/.test(t.summary.requestPreview ?? '')), 5000, 'the live trace in the run');
      const latency = Date.now() - written;
      note(`live trace shown ${latency} ms after it was written (write took ${written - t0} ms)`);
      assert.ok(latency <= 2000, `took ${latency} ms`);
      assert.equal(((await children(run))[0] as TraceNode).traceId, node.traceId, 'newest first');
      assert.ok(seen.some((s) => s.id === node.traceId), 'onDidSeeNewTraces fired with it');
      assert.ok((hooks.view.badge?.value ?? 0) >= 1, 'the badge counts it');
      assert.match(String(item(node).description), /^●/);
      // Let the view apply the refresh the live update queued before revealing into it.
      await new Promise((r) => setTimeout(r, 500));
      await hooks.view.reveal(node, { select: true, focus: true });
      await waitFor(() => !hooks.provider.unseen.has(node.traceId), 5000, 'selecting the trace to mark it seen');
    } finally {
      sub.dispose();
      await restore();
    }
  });

  it('opens the selected trace when its run refreshes between the click and the command', async () => {
    // A refresh of a node makes VS Code forget its children until the tree asks for them again, so
    // for that moment `view.selection` is empty. A click's command (no arguments, treeItems.ts)
    // that lands then must still open the row it selected, as a live poll refreshes runs often.
    const manager = (await getTestApi()).panels!.manager;
    const run = await runNamed('new.py');
    const node = ((await children(run)) as TraceNode[])[0];
    const selected = () => hooks.view.selection.length === 1 && hooks.view.selection[0]?.id === node.id;
    await waitFor(async () => selected() || (await hooks.view.reveal(node, { select: true, focus: true }), selected()), 20_000, 'the row selected');
    let caught = 0;
    for (let attempt = 0; attempt < 5 && !manager.get(node.traceId); attempt++) {
      hooks.provider.refreshNode(run);
      const until = Date.now() + 3000;
      while (hooks.view.selection.length && Date.now() < until) await new Promise((r) => setImmediate(r));
      if (hooks.view.selection.length) continue;
      caught++;
      await vscode.commands.executeCommand('geminiTrace.openSelected');
    }
    note(`the selection was empty after a refresh in ${caught} attempt(s)`);
    assert.ok(caught > 0, 'the refresh never emptied the selection, so the case was not exercised');
    const panel = manager.get(node.traceId);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.ok(panel, `no panel opened for ${node.traceId} although it stayed selected (selection now: ${hooks.view.selection.length} row(s))`);
  });

  it('toggles "current run only" to the newest traced run of this window', async () => {
    services.runs.add({ id: 'it-new', name: 'new.py', startedAt: new Date(now - 61_000), kind: 'terminal', experimentName: expName });
    try {
      await vscode.commands.executeCommand('geminiTrace.currentRunOnly');
      assert.equal(hooks.provider.currentRunOnly, true);
      assert.equal(hooks.view.description, 'current run');
      const roots = await children();
      assert.equal(roots.length, 1, `only the run's experiment: ${roots.map(label).join(', ')}`);
      const runs = await children(roots[0]);
      assert.deepEqual(runs.map(label), ['new.py']);
      assert.equal(item(runs[0]).contextValue, 'run:active');
      assert.match(String(item(runs[0]).description), /^running/);
      assert.ok((await children(runs[0])).every(isTrace));
    } finally {
      services.runs.end('it-new');
      await vscode.commands.executeCommand('geminiTrace.allRuns');
    }
    assert.equal(hooks.view.description, undefined);
    assert.ok((await children(await ourExperiment())).length >= 3);
  });

  it('deletes only after confirmation; deleted traces leave the tree and the server', async () => {
    const run = await runNamed('Other traces');
    const [a, b] = (await children(run)) as TraceNode[];
    // Confirmation on: the test workbench refuses dialogs, which counts as "No".
    await vscode.commands.executeCommand('geminiTrace.deleteTrace', a, [a, b]);
    assert.equal((await children(run)).length, 2, 'deleted without confirmation');

    restore.push(await withSetting('geminiTrace', 'explorer.confirmDelete', false));
    await vscode.commands.executeCommand('geminiTrace.deleteTrace', a, [a, b]);
    const left = await children(run);
    assert.equal(left.length, 1);
    assert.ok(isMessage(left[0]), 'the emptied run says so');
    const page = await services.connection.client().searchTraces({ experimentIds: [expId], filter: "tags.`gemini_trace.run_id` IS NULL", maxResults: 10 });
    assert.equal(page.traces.length, 0, 'still on the server');
  });

  it('shows the error state when the server stops, then the traces again, and nothing throws', async function () {
    this.timeout(600_000); // starts a second MLflow, twice: slow on a loaded machine
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('unhandledRejection', onError);
    process.on('uncaughtException', onError);
    const lib = (await import(pathToFileURL(join(getExtension().extensionPath, 'scripts/lib/mlflow.mjs')).href)) as {
      startMlflow(o?: object): Promise<{ url: string; restart(): Promise<void>; stop(): Promise<void> }>;
    };
    // Every poll in the log (debug), for a failure to quote.
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'debug');
    restore.push(async () => { await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'info'); });
    const t0 = Date.now();
    const second = await lib.startMlflow();
    note(`second MLflow up at ${second.url} in ${Date.now() - t0} ms`);
    try {
      restore.push(await withSetting('geminiTrace', 'experiment', 'Default-2'));
      const undo = await withSetting('geminiTrace', 'trackingUri', second.url);
      try {
        // A fresh server has no traces: an empty tree (the "No traces yet" welcome) and the context key.
        await waitFor(async () => (await children()).length === 0 && services.connection.state === 'up' && hooks.provider.isEmpty, 30_000, 'the empty state of a fresh server');
        note(`empty state on the fresh server after ${Date.now() - t0} ms`);
        // The app creates its experiment and writes a trace: the live poll brings the tree in.
        const exp2 = await createExperiment(second.url, 'Default-2');
        await postTraces(second.url, exp2, [{ startMs: Date.now() - 1000, runId: 'r2', runName: 'second.js', prompt: 'on the second server' }]);
        note(`trace posted to the second server after ${Date.now() - t0} ms`);
        // The idle poll asks MLflow every idlePollInterval (5 s) and a loaded fresh server answers
        // its first searches slowly: a minute, and on failure what the tree held instead.
        await waitFor(async () => !hooks.provider.isEmpty && (await children()).some((n) => isExp(n) && n.experiment.name === 'Default-2'), 60_000, 'the second server\'s first trace in the tree').catch(async (e: Error) => {
          const shown = (await children()).map((n) => (isExp(n) ? `experiment ${n.experiment.name}` : n.kind)).join(', ') || 'nothing';
          const poll = `${JSON.stringify(hooks.poller.stats)}, polling ${hooks.poller.active}, view visible ${hooks.view.visible}, root empty ${hooks.provider.isEmpty}`;
          const log = readExtensionLog(services).split('\n').filter((l) => /explorer|connection|experiments/.test(l)).slice(-25).join('\n');
          throw new Error(`${e.message}; the tree shows ${shown}; connection ${services.connection.state} to ${services.connection.trackingUri}${services.connection.lastError ? ` (${services.connection.lastError})` : ''}; live poll ${poll}\nthe extension's log:\n${log}`);
        });
        assert.equal(services.connection.state, 'up');
        note(`tree shows the second server after ${Date.now() - t0} ms`);

        // restart() stops the server (SIGTERM) and starts it again on the same port and store.
        const restarting = second.restart();
        await waitFor(() => services.connection.state === 'down', 60_000, 'the connection to be down');
        assert.match(services.connection.lastError ?? '', /127\.0\.0\.1/);
        assert.deepEqual(await children(), [], 'an empty tree lets the "no server" welcome view show');
        note(`down after ${Date.now() - t0} ms: ${services.connection.lastError}`);

        await restarting;
        note(`second MLflow restarted after ${Date.now() - t0} ms`);
        await waitFor(() => services.connection.state === 'up', 30_000, 'the connection to come back (poll back-off is at most 10 s)');
        const back = await waitFor(async () => (await children()).find((n): n is ExperimentNode => isExp(n) && n.experiment.name === 'Default-2'), 10_000, 'the traces again');
        const runs = await children(back);
        assert.deepEqual(runs.map(label), ['second.js']);
        assert.equal((await children(runs[0])).length, 1);
      } finally {
        await undo();
      }
    } finally {
      process.off('unhandledRejection', onError);
      process.off('uncaughtException', onError);
      await second.stop();
    }
    assert.deepEqual(errors.map(String), [], 'exceptions escaped');
  });

  it('starts a local MLflow server on demand in the workspace\'s .mlflow/ folder, and stops it', async function () {
    this.timeout(600_000);
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const target = `http://127.0.0.1:${port}`;
    const ext = getExtension().extensionPath;
    const undoPython = await withSetting('geminiTrace', 'localServer.python', join(ext, '.venv', 'bin', 'python'));
    const undoUri = await withSetting('geminiTrace', 'trackingUri', target);
    try {
      await waitFor(() => services.connection.state === 'down', 30_000, `nothing to answer at ${target}`);
      const t0 = Date.now();
      const url = await vscode.commands.executeCommand<string | undefined>('geminiTrace.startLocalServer');
      note(`local server up at ${url} in ${Date.now() - t0} ms`);
      assert.equal(url, target, 'the configured loopback port is used when free');
      assert.equal(services.connection.trackingUri, target);
      await waitFor(() => services.connection.state === 'up', 30_000, 'the connection to the local server');
      const ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
      const { existsSync, readFileSync } = await import('node:fs');
      assert.ok(existsSync(join(ws, '.mlflow', 'mlflow.db')), 'no sqlite store in the workspace .mlflow/');
      assert.match(readFileSync(join(ws, '.mlflow', '.gitignore'), 'utf8'), /^\*$/m);
      const env = await services.connection.injectionEnv();
      assert.equal(env.MLFLOW_TRACKING_URI, target, 'traced processes are pointed at it');

      await vscode.commands.executeCommand('geminiTrace.stopLocalServer');
      const down = await fetch(`${target}/health`).then(() => false, () => true);
      assert.ok(down, 'the server still answers after Stop');
    } finally {
      await undoUri();
      await undoPython();
    }
  });
});
