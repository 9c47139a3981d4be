// Interactions and Live in the real VS Code, end to end with real traces: the workspace's
// "Interactions app (traced)" launch configuration (examples/node-app/interactions.js) is started
// as F5 starts it; built-in js-debug runs it with the real Node preload against the Gemini stand-in
// and a real MLflow. Then, through the extension's own objects: the Traces view while the app runs
// (the background agent running with its elapsed time, then done) and after (one conversation node,
// turns in order; the Live session); the panel the Traces view opens (steps in order, a call and
// its result sharing an id, signature flags, the dropped-signature warning, the token header);
// the diff text of an interaction; the CodeLens at a call site; Compare across two runs; a run the
// process stopped watching, marked unfinished. The Traces view is left to its own live poll (a
// test that polled by hand would take the news of new and finished traces from CodeLens).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { compareSummary } from '../../src/diff/summary';
import type { CompareResult } from '../../src/diff/register';
import type { ExplorerHooks } from '../../src/explorer/register';
import type { ConversationNode, ExperimentNode, Node, RunNode, TraceNode } from '../../src/explorer/nodes';
import { RUN_ID_KEY } from '../../src/launch/debugRuns';
import type { Part } from '../../src/model/call/types';
import { GEMINI_ATTR } from '../../src/shared/runTags';
import type { Trace } from '../../src/model/types';
import type { TraceSession } from '../../src/panel/session';
import type { Services } from '../../src/core/services';
import type { Standin } from '../fixtures/gemini/standin';
import { closeAllEditors, hostStandin, getExtension, getServices, mlflowUrl, waitFor, withSetting, workspaceDir, getTestApi } from '../helpers/vscode';

const isExp = (n: Node): n is ExperimentNode => n.kind === 'experiment';
const isRun = (n: Node): n is RunNode => n.kind === 'run';
const isConv = (n: Node): n is ConversationNode => n.kind === 'conversation';
const isTrace = (n: Node): n is TraceNode => n.kind === 'trace';
const kinds = (parts: readonly Part[]) => parts.map((p) => (p.kind === 'toolCall' || p.kind === 'toolResult' ? `${p.kind}:${p.tool}` : p.kind));
const execFileP = promisify(execFile);

describe('Interactions and Live: a traced app in the Traces view, the panel, diffs and CodeLens', function () {
  this.timeout(300_000);
  let services: Services;
  let hooks: ExplorerHooks;
  let standin: Standin;
  let experiment: string;
  let runId: string;
  let app: string;
  let traces: Trace[] = [];
  const restore: (() => Promise<void> | void)[] = [];

  const children = (n?: Node) => hooks.provider.getChildren(n);
  const item = (n: Node) => hooks.provider.getTreeItem(n);
  /** What the view shows of `nodes` (label and state), for a failure's message. */
  const listing = (nodes: Node[]) => nodes.map((n) => `${String(item(n).label)} ${isTrace(n) ? n.summary.state : n.kind}`).join(', ');
  async function runNode(id: string): Promise<RunNode | undefined> {
    const exp = (await children()).find((n): n is ExperimentNode => isExp(n) && n.experiment.name === experiment);
    return exp && (await children(exp)).find((n): n is RunNode => isRun(n) && n.run.id === id);
  }
  /** The app's line that starts with `text` (1-based), where a call's span points. */
  const lineOf = (text: string) => readFileSync(app, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
  const traceAt = (line: number) => traces.find((t) => t.spans.some((s) => s.code?.lineno === line && !s.parentId));
  const panelSession = async (traceId: string): Promise<TraceSession> => {
    const api = await getTestApi();
    const manager = api.panels!.manager;
    await vscode.commands.executeCommand('geminiTrace.openTrace', { traceId });
    const p = await waitFor(() => manager.get(traceId), 10_000, `a panel for ${traceId}`);
    await waitFor(() => api.panelStats(p).renders.length > 0, 60_000, 'the panel to draw the trace');
    // The session the panel itself answers its span requests from.
    return (p as unknown as { session: TraceSession }).session;
  };

  before(async () => {
    services = await getServices();
    hooks = (await getTestApi()).explorer!;
    standin = await hostStandin();
    standin.reset();
    app = path.join(workspaceDir(), 'node-app', 'interactions.js');
    experiment = `interactions-it-${Date.now().toString(36)}`;
    restore.push(await withSetting('geminiTrace', 'experiment', experiment));
    await vscode.commands.executeCommand('geminiTrace.traces.focus');
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
    await closeAllEditors();
  });

  it('F5: the background agent shows as running with its elapsed time while the app polls it, then done', async () => {
    let session: vscode.DebugSession | undefined;
    const subs = [vscode.debug.onDidStartDebugSession((s) => { if (!session && s.configuration[RUN_ID_KEY]) session = s; })];
    const ended = new Promise<void>((resolve) => subs.push(vscode.debug.onDidTerminateDebugSession((s) => { if (s.id === session?.id) resolve(); })));
    try {
      // The app is open while it runs, so its call-site hints follow the run as it goes.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(app));
      await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(app));
      assert.equal(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], 'Interactions app (traced)'), true);
      runId = String((await waitFor(() => session, 60_000, 'the debug session')).configuration[RUN_ID_KEY]);
      // F5 brings up Run and Debug; the user looks at the Traces view while the app runs.
      await vscode.commands.executeCommand('geminiTrace.traces.focus');
      // The app polls its agent for 8 s (the stand-in's [[run:8000]]): catch it running.
      // Named while it runs: MLflow takes a trace's name from its root span, which lands last, so
      // the preload names the trace over REST once MLflow holds its first span (openRoots.ts). A
      // listing between the two shows it by its id (caught once with the e2e suite running beside).
      // What the view listed, each time it changed: a miss says which step never came.
      const seen: string[] = [];
      const since = Date.now();
      const running = await waitFor(async () => {
        const r = await runNode(runId);
        const list = r ? await children(r) : [];
        const now = r ? listing(list) || 'the run, no traces' : 'no run node';
        if (!seen.at(-1)?.endsWith(` ${now}`)) seen.push(`+${((Date.now() - since) / 1000).toFixed(1)} s ${now}`);
        return list.find((n): n is TraceNode => isTrace(n) && n.summary.state === 'IN_PROGRESS' && item(n).label === 'Interactions.background');
      }, 60_000, 'the background run in the Traces view, in progress and named', 250).catch((e: Error) => {
        throw new Error(`${e.message}; the view listed:\n  ${seen.join('\n  ')}`);
      });
      const first = item(running);
      assert.equal(first.label, 'Interactions.background', 'named while it runs (the preload names it in MLflow)');
      assert.match(String(first.description), /^(● · )?running \d/);
      assert.equal((first.iconPath as vscode.ThemeIcon).id, 'loading~spin');
      assert.ok(hooks.provider.runningTraceNodes().includes(running), 'its elapsed time is kept current');
      // Its panel, opened while it runs, follows it: a running trace is read again every 2 s.
      const api = await getTestApi();
      await vscode.commands.executeCommand('geminiTrace.openTrace', { traceId: running.traceId });
      const panel = await waitFor(() => api.panels!.manager.get(running.traceId), 10_000, 'a panel for the running trace');
      const shown = () => (panel as unknown as { session?: TraceSession }).session?.trace;
      const firstShown = await waitFor(() => shown(), 30_000, 'the panel to read the running trace');
      await new Promise((r) => setTimeout(r, 1_100));
      assert.notEqual(String(item(running).description), String(first.description), 'the elapsed time moved on');

      await Promise.race([ended, new Promise((_, rej) => setTimeout(() => rej(new Error('the app did not end within 120 s')), 120_000))]);
      const done = await waitFor(async () => {
        const n = (await children((await runNode(runId))!)).find((x): x is TraceNode => isTrace(x) && x.traceId === running.traceId);
        return n && n.summary.state === 'OK' ? n : undefined;
      }, 30_000, 'the background run to turn done');
      assert.doesNotMatch(String(item(done).description), /running/);
      assert.equal((item(done).iconPath as vscode.ThemeIcon).id, 'pass');
      const spans = await children(done);
      assert.equal(spans.length, 1, 'one root span');
      const polls = (await children(spans[0])).map((n) => item(n).label);
      assert.ok(polls.length >= 5 && polls[0] === 'Interactions.create' && polls.slice(1).every((l) => l === 'Interactions.get'), `create, then the polls: ${polls.join(', ')}`);
      const polled = (t: Trace | undefined) => t?.spans.filter((s) => s.name === 'Interactions.get').length ?? 0;
      await waitFor(() => shown()?.status === 'OK' && polled(shown()) === polls.length - 1, 30_000, `the panel (opened at ${firstShown.status} with ${firstShown.spans.length} spans) to show the finished run`).catch((e: Error) => {
        throw new Error(`${e.message}; it shows ${shown()?.status} with ${shown()?.spans.map((s) => s.name).join(', ')}`);
      });
    } finally {
      for (const s of subs) s.dispose();
    }
    const client = services.connection.client();
    const exp = (await client.getExperimentByName(experiment))!;
    const { traces: infos } = await client.searchTraces({ experimentIds: [exp.experiment_id], maxResults: 50, orderBy: ['timestamp_ms ASC'] });
    traces = await Promise.all(infos.map((t) => services.traces.get(t.trace_id, { force: true })));
    assert.equal(traces.length, 8, `conversation ×3, research, history by hand ×2, agent, Live: ${traces.map((t) => t.spans[0]?.name).join(', ')}`);
  });

  it('groups the three chained turns into one conversation node, first turn first; lists the Live session', async () => {
    const entries = await children((await runNode(runId))!);
    const convs = entries.filter(isConv);
    assert.equal(convs.length, 1, `one conversation among ${entries.map((e) => item(e).label).join(', ')}`);
    const turns = (await children(convs[0])).filter(isTrace);
    assert.equal(turns.length, 3);
    const byId = new Map(traces.map((t) => [t.summary.id, t]));
    const chain = turns.map((t) => byId.get(t.traceId)!.spans[0].attributes);
    assert.equal(chain[1][GEMINI_ATTR.previousInteractionId], chain[0][GEMINI_ATTR.interactionId], 'turn 2 continues turn 1');
    assert.equal(chain[2][GEMINI_ATTR.previousInteractionId], chain[1][GEMINI_ATTR.interactionId], 'turn 3 continues turn 2');
    const ci = item(convs[0]);
    assert.match(String(ci.label), /^What is the weather in Paris\?/);
    assert.match(String(ci.description), /^(● · )?3 turns · /);
    assert.equal((ci.iconPath as vscode.ThemeIcon).id, 'comment-discussion');
    // The Live session ends last and its root goes up with the exit flush: MLflow may hold it a
    // moment before the view's next poll lists it (seen beside four busy loops on two cores).
    let listed = entries;
    const live = await waitFor(async () => {
      listed = await children((await runNode(runId))!);
      return listed.find((e): e is TraceNode => isTrace(e) && item(e).label === 'Live.session');
    }, 15_000, 'the Live session listed by name').catch((e: Error) => {
      throw new Error(`${e.message}; listed: ${listing(listed)}`);
    });
    const [root] = await children(live);
    const turn = (await children(root))[0];
    assert.equal(item(turn).label, 'Live.turn');
    assert.deepEqual((await children(turn)).map((n) => item(n).label), ['lookup_time'], 'the tool call inside its turn');
  });

  it('shows an interaction in the panel: steps in order, call and result paired by id, signatures, the token header', async () => {
    const research = traceAt(lineOf('const res = await ai.interactions.create({'))!;
    const s = await panelSession(research.summary.id);
    const d = s.details(research.spans[0].id);
    const parts = d.chat!.response[0].message.parts as Part[];
    assert.deepEqual(kinds(parts), ['thought', 'toolCall:google_search', 'toolResult:google_search', 'toolCall:code_execution', 'toolResult:code_execution', 'text']);
    assert.equal((parts[0] as { signature?: true }).signature, true, 'the signed thought');
    assert.equal((parts[1] as { id?: string }).id, (parts[2] as { id?: string }).id, 'the search call and its result share an id (the panel pairs them)');
    assert.deepEqual(d.chat!.request.map((m) => m.role), ['user'], 'the echoed input is the request, not a step');
    const header = s.header();
    assert.equal(header.usage.total, research.spans[0].usage!.total);
    assert.ok(header.usage.thinking > 0 && header.usage.input > 0, 'tokens by kind');

    const turn1 = traceAt(lineOf('const first = await ai.interactions.create({'))!;
    const t1 = (await panelSession(turn1.summary.id)).details(turn1.spans[0].id).chat!;
    assert.equal(t1.status, 'requires_action');
    assert.deepEqual(kinds(t1.response[0].message.parts as Part[]), ['thought', 'functionCall']);
  });

  it('warns in the panel when a history kept by hand drops a thought signature, naming the call', async () => {
    const line = lineOf('const second = await ai.interactions.create({ model: MODEL, store: false');
    const replay = traceAt(line)!;
    const d = (await panelSession(replay.summary.id)).details(replay.spans[0].id);
    const first = traceAt(lineOf('const first = await ai.interactions.create({ model: MODEL, store: false'))!;
    const call = (first.spans[0].outputs as { steps: { type: string; id: string }[] }).steps.find((x) => x.type === 'function_call')!;
    assert.deepEqual(d.chat!.warnings, [
      `This turn resends the model's function_call get_weather (id ${call.id}) from interaction ${String(first.spans[0].attributes[GEMINI_ATTR.interactionId])} without the thought signature that came with it. ` +
        "Gemini rejects such a turn or answers it without its earlier reasoning: send the model's steps back exactly as they came, signature fields included.",
    ]);
    assert.deepEqual((await panelSession(first.summary.id)).details(first.spans[0].id).chat!.warnings, []);
  });

  it('shows a Live turn with the tool call beside the response the app sent', async () => {
    const live = traces.find((t) => t.spans[0].name === 'Live.session')!;
    const turn = live.spans.find((s) => s.name === 'Live.turn')!;
    const chat = (await panelSession(live.summary.id)).details(turn.id).chat!;
    assert.deepEqual(kinds(chat.response[0].message.parts as Part[]), ['functionCall', 'functionResponse', 'text']);
    assert.equal(chat.status, 'complete');
    assert.ok(chat.ids?.session, 'the turn names its session');
  });

  it('opens the diff text of an interaction: its input, then its steps in order, then its status', async () => {
    const turn1 = traceAt(lineOf('const first = await ai.interactions.create({'))!;
    const turn3 = traceAt(lineOf('const third = await ai.interactions.create('))!;
    const ref = (t: Trace) => ({ traceId: t.summary.id, spanId: t.spans[0].id });
    const r = await vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left: ref(turn1), right: ref(turn3), view: 'response' });
    assert.equal(r.error, undefined);
    const input = await waitFor(() => {
      const i = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return i instanceof vscode.TabInputTextDiff ? i : undefined;
    }, 10_000, 'a diff editor');
    const [left, right] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
    assert.match(left.getText(), /^── model ──\n\[thinking\]\nthinking about: What is the weather in Paris\?\n\[function call\] get_weather\n\{\n {2}"city": "Paris"\n\}\n\n── status ──\nrequires_action\n$/);
    assert.match(right.getText(), /^── model ──\necho: And what should I wear tomorrow\?\n\n── status ──\ncompleted\n$/);
    await vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left: ref(turn1), right: ref(turn3), view: 'prompt' });
    const p = await waitFor(() => {
      const i = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return i instanceof vscode.TabInputTextDiff && i.original.toString().includes('Prompt') ? i : undefined;
    }, 10_000, 'the prompt diff');
    assert.match((await vscode.workspace.openTextDocument(p.original)).getText(), /^── user ──\nWhat is the weather in Paris\? \[\[call:get_weather/);
    await closeAllEditors();
  });

  it('puts a CodeLens with latency and tokens above an interaction call and above the agent poll', async () => {
    const doc = await vscode.workspace.openTextDocument(app);
    await vscode.window.showTextDocument(doc);
    const lensAt = (line: number) => waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return lenses?.find((l) => l.range.start.line === line - 1 && l.command?.title.startsWith('⟲'));
    }, 30_000, `the CodeLens at line ${line}`);
    const research = lineOf('const res = await ai.interactions.create({');
    const total = traceAt(research)!.spans[0].usage!.total;
    assert.match((await lensAt(research)).command!.title, new RegExp(`^⟲ \\d+(\\.\\d+)? (µs|ms|s) · ${total} tok · 1 call in last run$`));
    // The poll line: the run's calls there, the last one (which saw it complete) with its tokens,
    // though the hints first saw the run while it was still going.
    const agent = traces.find((t) => t.spans[0].name === 'Interactions.background')!;
    const polls = agent.spans.filter((s) => s.name === 'Interactions.get');
    const last = polls.reduce((a, b) => (a.startNs > b.startNs ? a : b));
    assert.match((await lensAt(lineOf('run = await ai.interactions.get(run.id);'))).command!.title, new RegExp(`^⟲ \\d+(\\.\\d+)? (µs|ms|s) · ${last.usage!.total} tok · ${polls.length} calls in last run$`));
    await closeAllEditors();
  });

  it('compares two runs of the conversation turn by turn: paired by call site, nothing changed but the latency', async () => {
    const cli = path.join(getExtension().extensionPath, 'dist', 'cli.js');
    await execFileP(process.execPath, [cli, 'run', '-q', '--tracking-uri', mlflowUrl(), '--experiment', experiment, '--run-name', 'second run', '--', process.execPath, app], {
      cwd: path.dirname(app), env: { ...process.env, NODE_OPTIONS: '' },
    });
    const client = services.connection.client();
    const exp = (await client.getExperimentByName(experiment))!;
    const again = await waitFor(async () => {
      const { traces: infos } = await client.searchTraces({ experimentIds: [exp.experiment_id], maxResults: 50, filter: "tags.`gemini_trace.run_name` = 'second run'", orderBy: ['timestamp_ms ASC'] });
      return infos.length === 8 && infos.every((t) => t.state !== 'IN_PROGRESS') ? infos : undefined;
    }, 60_000, 'the second run\'s traces');
    const second = await Promise.all(again.map((t) => services.traces.get(t.trace_id)));
    // The same call site in the other run (each line of the app makes one trace per run).
    const site = (t: Trace) => `${t.spans[0].name}:${t.spans[0].code?.lineno}`;
    for (const a of traces) {
      const b = second.find((x) => site(x) === site(a));
      assert.ok(b, `the second run has a trace at ${site(a)}: ${second.map(site).join(", ")}`);
      const summary = compareSummary(a, b);
      assert.ok(summary.pairs.length >= 1);
      summary.pairs.forEach((pair, i) => {
        assert.equal(pair.by, 'site', `${a.spans[0].name}: paired by call site`);
        assert.equal(pair.promptChanged, false, `${a.spans[0].name}: same prompt`);
        // A background run's polls before the last saw the run at moments the machine's load
        // decides (how far it had got), so only its create and its last poll must answer alike.
        const poll = pair.name === 'Interactions.get' && i < summary.pairs.length - 1;
        if (!poll) assert.equal(pair.responseChanged, false, `${a.spans[0].name}: same response (new call ids are no change)`);
      });
      assert.equal(summary.tokenDelta.total, 0, `${a.spans[0].name}: same tokens`);
    }
  });

  it('marks a background run its process stopped watching as unfinished, not running', async () => {
    const program = path.join(getExtension().extensionPath, 'test', 'fixtures', 'apps', 'node-cjs', 'interactions-exit.cjs');
    let id: string | undefined;
    const sub = vscode.debug.onDidStartDebugSession((s) => { if (!id && s.configuration[RUN_ID_KEY]) id = String(s.configuration[RUN_ID_KEY]); });
    try {
      assert.equal(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], { type: 'node', request: 'launch', name: 'agent left running', program, args: ['exit'], console: 'internalConsole', geminiTrace: true }), true);
      await vscode.commands.executeCommand('geminiTrace.traces.focus');
      const node = await waitFor(async () => {
        const r = id ? await runNode(id) : undefined;
        return r && (await children(r)).find((n): n is TraceNode => isTrace(n) && n.summary.tags['gemini_trace.unfinished'] === 'true');
      }, 60_000, 'the unfinished run in the Traces view');
      assert.match(String(item(node).description), /^(● · )?unfinished · /);
      assert.equal((item(node).iconPath as vscode.ThemeIcon).id, 'debug-disconnect');
      assert.ok(!hooks.provider.runningTraceNodes().includes(node));
    } finally {
      sub.dispose();
    }
  });
});
