// Interactions in the real VS Code against a real MLflow: a run's chained interactions form one
// conversation node, first turn first; a background agent's trace shows as running with its
// elapsed time and turns to done live when its root span lands; the panel opens an interaction and
// answers its span details. The traces are the fixtures of test/fixtures/surfaces, written over
// OTLP as the Node tracer writes them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExplorerHooks } from '../../src/explorer/register';
import type { ConversationNode, ExperimentNode, Node, RunNode, TraceNode } from '../../src/explorer/nodes';
import type { PanelManager } from '../../src/panel/register';
import { agentRun, conversation, single } from '../fixtures/surfaces/interactions';
import { experimentId, writeOtlp, type Written } from '../fixtures/surfaces/spec';
import { GEMINI_TAG } from '../../src/model/runTags';
import { getServices, mlflowUrl, waitFor, withSetting } from '../helpers/vscode';

const isExp = (n: Node): n is ExperimentNode => n.kind === 'experiment';
const isRun = (n: Node): n is RunNode => n.kind === 'run';
const isConv = (n: Node): n is ConversationNode => n.kind === 'conversation';
const isTrace = (n: Node): n is TraceNode => n.kind === 'trace';

describe('Interactions in the Traces view and the panel', function () {
  this.timeout(180_000);
  let hooks: ExplorerHooks;
  let restore: (() => Promise<void>)[] = [];
  let expId: string;
  let turns: Written[];
  let agent: Written;
  let unfinished: Written;
  const start = Date.now() - 60_000;

  const children = (n?: Node) => hooks.provider.getChildren(n);
  const item = (n: Node) => hooks.provider.getTreeItem(n);
  const run = async () => {
    const exp = (await children()).find((n): n is ExperimentNode => isExp(n) && n.experimentId === expId);
    assert.ok(exp, 'our experiment is in the tree');
    const r = (await children(exp)).find((n): n is RunNode => isRun(n) && n.run.id === 'run-it');
    assert.ok(r, 'the traced run is under the experiment');
    return r;
  };

  before(async () => {
    await getServices(); // activates the extension when this file runs alone
    hooks = (await vscode.commands.executeCommand('geminiTrace.explorer.testHooks')) as ExplorerHooks;
    const name = `interactions-it-${Date.now().toString(36)}`;
    expId = await experimentId(mlflowUrl(), name);
    turns = [];
    const specs = conversation('run-it');
    for (let i = 0; i < specs.length; i++) turns.push(await writeOtlp(mlflowUrl(), expId, specs[i], start + i * 5_000));
    await writeOtlp(mlflowUrl(), expId, single('run-it'), start + 20_000);
    agent = await writeOtlp(mlflowUrl(), expId, agentRun({ running: true, run: 'run-it' }), Date.now() - 3_000);
    // A run whose process exited before the agent finished: exported as it stood, tagged unfinished.
    const cut = agentRun({ run: 'run-it' });
    unfinished = await writeOtlp(mlflowUrl(), expId, { ...cut, name: 'cut short', tags: { ...cut.tags, [GEMINI_TAG.unfinished]: 'true' } }, start + 30_000);
    restore.push(await withSetting('geminiTrace', 'experiment', name));
    await vscode.commands.executeCommand('geminiTrace.traces.focus');
    await vscode.commands.executeCommand('geminiTrace.refresh');
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
    restore = [];
  });

  it('groups the chained interactions of a run into one conversation node, first turn first', async () => {
    const entries = await waitFor(async () => {
      const list = await children(await run());
      return list.length >= 3 ? list : undefined;
    }, 30_000, 'the run to list its traces');
    const convs = entries.filter(isConv);
    assert.equal(convs.length, 1, `one conversation among ${entries.map((e) => e.kind).join(', ')}`);
    assert.equal(entries.filter(isTrace).length, 3, 'the single interaction and the agent runs stay traces');
    const conv = convs[0];
    assert.equal(conv.conversationId, 'int_conv_1');
    const inside = (await children(conv)).filter(isTrace);
    assert.deepEqual(inside.map((t) => t.traceId), turns.map((w) => w.traceId), 'turns in the order they were made');
    const ci = item(conv);
    assert.match(String(ci.description), /^3 turns · /);
    assert.equal((ci.iconPath as vscode.ThemeIcon).id, 'comment-discussion');
    assert.equal(inside[0].parent, conv, 'a turn reveals under its conversation');
  });

  it('shows a background agent as running with its elapsed time, and done once it finishes', async () => {
    const runningNode = async () => (await children(await run())).find((n): n is TraceNode => isTrace(n) && n.traceId === agent.traceId);
    const node = await waitFor(runningNode, 30_000, 'the agent trace in the tree');
    assert.equal(node.summary.state, 'IN_PROGRESS');
    const first = String(item(node).description);
    assert.match(first, /^running \d/);
    assert.equal((item(node).iconPath as vscode.ThemeIcon).id, 'loading~spin');
    assert.ok(hooks.provider.runningTraceNodes().some((n) => n.traceId === agent.traceId), 'its elapsed time is kept current');
    await new Promise((r) => setTimeout(r, 1_100));
    assert.notEqual(String(item(node).description), first, 'the elapsed time moved on');

    await agent.finish({ root: { endMs: 9000, attributes: { 'mlflow.spanOutputs': { id: 'int_agent_1', status: 'completed' } } } });
    const done = await waitFor(async () => {
      await hooks.provider.pollOnce();
      const n = await runningNode();
      return n && n.summary.state === 'OK' ? n : undefined;
    }, 30_000, 'the agent trace to turn done');
    assert.doesNotMatch(String(item(done).description), /running/);
    assert.equal((item(done).iconPath as vscode.ThemeIcon).id, 'pass');
    const spans = await children(done);
    assert.ok(spans.length >= 1, 'its spans read again after it finished');
  });

  it('marks a run its process did not see to the end as unfinished, not running', async () => {
    const node = (await children(await run())).find((n): n is TraceNode => isTrace(n) && n.traceId === unfinished.traceId);
    assert.ok(node, 'the cut-short agent trace is listed');
    assert.match(String(item(node).description), /^unfinished · /);
    assert.equal((item(node).iconPath as vscode.ThemeIcon).id, 'debug-disconnect');
    assert.ok(!hooks.provider.runningTraceNodes().includes(node));
  });

  it('opens an interaction in the panel and answers its span details', async () => {
    const manager = ((await vscode.commands.executeCommand('geminiTrace.panel.testHooks')) as { manager: PanelManager }).manager;
    const traceId = turns[0].traceId;
    const spanId = turns[0].spanIds.get('c')!;
    await vscode.commands.executeCommand('geminiTrace.openTrace', { traceId, spanId, experimentId: expId });
    const p = await waitFor(() => manager.get(traceId), 10_000, 'a panel for the interaction');
    await waitFor(() => p.renders.length > 0 && p.state.spanId === spanId && (p.answered.spanDetails ?? 0) > 0, 60_000, 'the webview to draw and ask for the interaction span');
    p.dispose();
  });
});
