// Feedback, sessions and replay in the real VS Code against a real MLflow: feedback added through
// the extension's command is what MLflow's REST API returns afterwards (and the open panel is
// told); the Traces view groups a run's two chats and an MLflow session, filters by session, user
// and thumbs with clauses the real server runs; Open Session draws the transcript; a replay is
// sent to the Gemini stand-in, traced as a new trace in the replays run, and opened in a diff
// editor. The original call comes from the real CLI and Node preload; the session fixtures are
// written over OTLP as the tracers write them (test/fixtures/surfaces/spec.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { ExplorerHooks } from '../../src/explorer/register';
import type { ConversationNode, ExperimentNode, Node, RunNode, TraceNode } from '../../src/explorer/nodes';
import type { SessionPanel } from '../../src/panel/sessionPanel';
import { GEMINI_TAG, TAG } from '../../src/shared/runTags';
import type { Services } from '../../src/core/services';
import { startStandin, type Standin } from '../fixtures/gemini/standin';
import { experimentId as expIdOf, writeOtlp } from '../fixtures/surfaces/spec';
import { spyOnWebviewPanels, type PanelSpy } from '../helpers/hostSpy';
import { closeAllEditors, getServices, mlflowUrl, waitFor, withSetting, workspaceDir, getTestApi } from '../helpers/vscode';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..', '..', '..');
const APP = `const { GoogleGenAI } = require('@google/genai');
const ai = new GoogleGenAI({ apiKey: 'test-key' });
ai.models.generateContent({ model: 'gemini-3-flash-preview', contents: 'What is the capital of Portugal?', config: { temperature: 0.2 } }).then((r) => console.log(r.text));
`;

type Json = Record<string, unknown>;
const rest = async <T = Json>(p: string): Promise<T> => {
  const r = await fetch(`${mlflowUrl()}${p}`);
  if (!r.ok) throw new Error(`GET ${p} -> ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
};

/** One chat turn as the Node tracer writes it (the chat's span around its model call), tagged with its chat. */
function chatTurn(chat: string, n: number, question: string, extra: Json = {}) {
  const history = n > 1 ? [{ role: 'user', parts: [{ text: `${chat} turn 1` }] }, { role: 'model', parts: [{ text: `echo: ${chat} turn 1` }] }] : [];
  return {
    name: 'Chat.sendMessage',
    tags: { [TAG.runId]: 'run-chat', [TAG.runName]: 'node chat.js', [GEMINI_TAG.chat]: chat },
    spans: [{ key: 'root', name: 'Chat.sendMessage', type: 'CHAIN', startMs: 0, endMs: 45, attributes: { 'mlflow.spanType': 'CHAIN', 'mlflow.spanInputs': { message: question }, 'mlflow.spanOutputs': { text: `echo: ${question}` }, ...extra } },
      { key: 'c', parent: 'root', name: 'Models.generateContent', type: 'CHAT_MODEL', startMs: 2, endMs: 40, attributes: {
      'mlflow.spanType': 'CHAT_MODEL', 'mlflow.message.format': 'gemini', 'mlflow.llm.model': 'gemini-3-flash-preview',
      'mlflow.spanInputs': { model: 'gemini-3-flash-preview', contents: [...history, { role: 'user', parts: [{ text: question }] }] },
      'mlflow.spanOutputs': { candidates: [{ content: { role: 'model', parts: [{ text: `echo: ${question}` }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 4 * n, candidatesTokenCount: 3, totalTokenCount: 4 * n + 3 } },
      'mlflow.chat.tokenUsage': { input_tokens: 4 * n, output_tokens: 3, total_tokens: 4 * n + 3 },
    } }],
  };
}

describe('feedback, sessions and replay', function () {
  this.timeout(300_000);
  let services: Services;
  let hooks: ExplorerHooks;
  let standin: Standin;
  let spy: PanelSpy;
  let experiment: string;
  let expId: string;
  let original: string;
  const restore: (() => Promise<void>)[] = [];
  const children = (n?: Node) => hooks.provider.getChildren(n);

  async function runNode(id: string): Promise<RunNode> {
    const exp = (await children()).find((n): n is ExperimentNode => n.kind === 'experiment' && n.experimentId === expId);
    assert.ok(exp, 'our experiment is in the tree');
    return waitFor(async () => (await children(exp)).find((n): n is RunNode => n.kind === 'run' && n.run.id === id), 20_000, `run ${id}`);
  }

  before(async () => {
    services = await getServices();
    hooks = (await getTestApi()).explorer!;
    spy = spyOnWebviewPanels();
    standin = await startStandin();
    experiment = `feedback-it-${Date.now().toString(36)}`;
    const appPath = path.join(workspaceDir(), 'replay-app', 'app.js');
    mkdirSync(path.dirname(appPath), { recursive: true });
    writeFileSync(appPath, APP);
    await run(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'run', '--tracking-uri', mlflowUrl(), '--experiment', experiment, '--', process.execPath, appPath], {
      env: { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key', NODE_PATH: path.join(repo, 'node_modules'), NODE_OPTIONS: '' },
    });
    expId = await expIdOf(mlflowUrl(), experiment);
    original = await waitFor(async () => (await services.connection.client().searchTraces({ experimentIds: [expId], maxResults: 5 })).traces[0]?.trace_id, 20_000, 'the traced call');
    const start = Date.now() - 120_000;
    await writeOtlp(mlflowUrl(), expId, chatTurn('chat-1', 1, 'chat-1 turn 1'), start);
    await writeOtlp(mlflowUrl(), expId, chatTurn('chat-2', 1, 'chat-2 turn 1'), start + 1000);
    await writeOtlp(mlflowUrl(), expId, chatTurn('chat-1', 2, 'chat-1 turn 2'), start + 2000);
    await writeOtlp(mlflowUrl(), expId, chatTurn('chat-2', 2, 'chat-2 turn 2'), start + 3000);
    // An app that set MLflow's session and user (OTel's session.id and user.id on its spans).
    await writeOtlp(mlflowUrl(), expId, { ...chatTurn('chat-9', 1, 'support question', { 'session.id': 'support-42', 'user.id': 'ada' }), tags: { [TAG.runId]: 'run-chat', [TAG.runName]: 'node chat.js' } }, start + 4000);
    restore.push(await withSetting('geminiTrace', 'experiment', experiment));
    restore.push(await withSetting('geminiTrace', 'replay.baseUrl', standin.url));
    await vscode.commands.executeCommand('geminiTrace.refresh');
  });

  after(async () => {
    await vscode.commands.executeCommand('geminiTrace.clearFilter');
    for (const r of restore.reverse()) await r();
    spy?.dispose();
    await standin?.close();
    await closeAllEditors();
  });

  it('groups the run\'s two chats and the MLflow session into session nodes', async () => {
    const entries = await waitFor(async () => {
      const list = await children(await runNode('run-chat'));
      return list.length >= 3 ? list : undefined;
    }, 30_000, 'the chat run to list its sessions');
    const sessions = entries.filter((n): n is ConversationNode => n.kind === 'conversation');
    assert.deepEqual(sessions.map((s) => `${s.session}:${s.conversationId}:${s.traces.length}`).sort(), ['chat:chat-1:2', 'chat:chat-2:2', 'session:support-42:1']);
    const chat1 = sessions.find((s) => s.conversationId === 'chat-1')!;
    const item = hooks.provider.getTreeItem(chat1);
    assert.equal(item.label, 'chat-1 turn 1', 'labelled with what its first turn asked');
    assert.match(String(item.description), /^2 turns · /);
    assert.equal(item.contextValue, 'session:chat');
    assert.equal(item.command?.command, 'geminiTrace.openSelected', 'a click opens the selected row (commands.ts)');
    const support = hooks.provider.getTreeItem(sessions.find((s) => s.session === 'session')!);
    assert.match(String((support.tooltip as vscode.MarkdownString).value), /user ada/);
  });

  it('opens a chat as one transcript: the history each turn resent is cut, tokens summed', async () => {
    const chat1 = (await children(await runNode('run-chat'))).find((n): n is ConversationNode => n.kind === 'conversation' && n.conversationId === 'chat-1')!;
    const panel = (await vscode.commands.executeCommand('geminiTrace.openSession', chat1)) as SessionPanel;
    await panel.loaded;
    const v = panel.data!;
    assert.equal(v.turns.length, 2);
    assert.deepEqual(v.turns.map((t) => t.requestOffset), [0, 2]);
    assert.equal(v.totals.tokens, 7 + 11);
    const captured = spy.panels.find((p) => p.panel === panel.panel);
    await waitFor(() => captured?.posted.some((m) => (m as { method?: string }).method === 'session'), 20_000, 'the transcript posted to the webview');
    panel.dispose();
  });

  it('filters by session, user and thumbs with clauses the real server runs', async () => {
    const ids = async () => ((await hooks.provider.getChildren(await runNode('run-chat'))).filter((n) => n.kind === 'trace' || n.kind === 'conversation').length);
    await vscode.commands.executeCommand('geminiTrace.setFilter', { session: { kind: 'chat', id: 'chat-2' } });
    assert.match(hooks.provider.filterString ?? '', /tags\.`gemini_trace\.chat` = 'chat-2'/);
    await waitFor(async () => (await ids()) === 1, 20_000, 'only chat-2 under the run');
    await vscode.commands.executeCommand('geminiTrace.setFilter', { user: 'ada' });
    await waitFor(async () => (await ids()) === 1, 20_000, 'only ada\'s session');
    await vscode.commands.executeCommand('geminiTrace.clearFilter');
  });

  it('writes feedback that MLflow\'s REST API returns, tells the open panel, and filters by it', async () => {
    await vscode.commands.executeCommand('geminiTrace.openTrace', { traceId: original, experimentId: expId });
    const panel = await waitFor(() => spy.panels.find((p) => p.viewType === 'geminiTrace.trace' && p.panel.title.length > 0 && p.posted.some((m) => (m as { method?: string }).method === 'trace' && JSON.stringify(m).includes(original))), 30_000, 'the trace panel');
    await vscode.commands.executeCommand('geminiTrace.addFeedback', { traceId: original, experimentId: expId }, { kind: 'up', rationale: 'Lisbon is right.' });
    const spanId = (await services.traces.get(original)).spans[0].id;
    await vscode.commands.executeCommand('geminiTrace.addExpectation', { traceId: original, spanId, experimentId: expId }, { value: { capital: 'Lisbon' }, rationale: '' });
    const info = (await rest<{ trace: { trace_info: { assessments: Json[] } } }>(`/api/3.0/mlflow/traces/${original}`)).trace.trace_info;
    const byName = Object.fromEntries(info.assessments.map((a) => [a.assessment_name as string, a]));
    assert.deepEqual(byName.user_feedback.feedback, { value: true });
    assert.equal(byName.user_feedback.rationale, 'Lisbon is right.');
    assert.equal((byName.user_feedback.source as Json).source_type, 'HUMAN');
    // MLflow keeps a structured expectation as JSON text.
    const expected = byName.expected_response.expectation as { serialized_value: { value: string } };
    assert.deepEqual(JSON.parse(expected.serialized_value.value), { capital: 'Lisbon' });
    assert.equal(byName.expected_response.span_id, spanId);
    await waitFor(() => panel.posted.some((m) => (m as { method?: string }).method === 'assessments'), 10_000, 'the panel told of the new assessments');
    await vscode.commands.executeCommand('geminiTrace.setFilter', { feedback: 'up' });
    const runs = await waitFor(async () => {
      const exp = (await children()).find((n): n is ExperimentNode => n.kind === 'experiment' && n.experimentId === expId);
      const list = exp ? await children(exp) : [];
      return list.length === 1 && list[0].kind === 'run' ? list : undefined;
    }, 20_000, 'one run left: the one with the thumbs up');
    const traces = (await children(runs[0])).filter((n): n is TraceNode => n.kind === 'trace');
    assert.deepEqual(traces.map((t) => t.traceId), [original]);
    assert.match(String(hooks.provider.getTreeItem(traces[0]).description), /👍/);
    await vscode.commands.executeCommand('geminiTrace.clearFilter');
  });

  it('replays an edited call to the stand-in, traces it in the replays run, and diffs the answers', async () => {
    const trace = await services.traces.get(original);
    const span = trace.spans.find((s) => s.name === 'Models.generateContent')!;
    const uri = (await vscode.commands.executeCommand('geminiTrace.replay', { traceId: original, spanId: span.id, experimentId: expId })) as vscode.Uri;
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.match(doc.getText(), /"contents": "What is the capital of Portugal\?"/);
    const edit = new vscode.WorkspaceEdit();
    const at = doc.getText().indexOf('Portugal');
    edit.replace(uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'Portugal'.length)), 'Spain');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const before = standin.calls.length;
    const key = process.env.GEMINI_API_KEY;
    process.env.GEMINI_API_KEY = 'replay-key';
    let sent: { traceId: string; spanId: string };
    try {
      sent = (await vscode.commands.executeCommand('geminiTrace.replay.send', uri, { confirmed: true })) as { traceId: string; spanId: string };
    } finally {
      if (key === undefined) delete process.env.GEMINI_API_KEY;
      else process.env.GEMINI_API_KEY = key;
    }
    assert.ok(sent?.traceId, 'the replay returned its trace');
    const call = standin.calls[before];
    assert.equal(call.method, 'generateContent');
    assert.equal(call.apiKey, 'replay-key');
    assert.equal(call.body.contents[0].parts[0].text, 'What is the capital of Spain?');
    assert.deepEqual(call.body.generationConfig, { temperature: 0.2 });
    const info = (await rest<{ trace: { trace_info: { tags: Record<string, string> } } }>(`/api/3.0/mlflow/traces/${sent.traceId}`)).trace.trace_info;
    assert.equal(info.tags['gemini_trace.run_name'], 'replays');
    assert.equal(info.tags['gemini_trace.replay_of'], `${original}/${span.id}`);
    const tab = await waitFor(() => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
    }, 20_000, 'a diff editor');
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.original.scheme, 'gemini-trace-diff');
    const [left, right] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
    assert.match(left.getText(), /echo: What is the capital of Portugal\?/);
    assert.match(right.getText(), /echo: What is the capital of Spain\?/);
    const replays = await runNode('replays');
    assert.ok((await children(replays)).some((n) => n.kind === 'trace' && (n as TraceNode).traceId === sent.traceId), 'the replay is listed in the replays run');
  });
});
