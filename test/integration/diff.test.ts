// Diffs and call-site hints in the real VS Code against a real MLflow: one fixture app is run
// twice through the real CLI and Node preload with a changed prompt; the native diff editor's
// documents, the pairing summary and the CodeLens are then read back through the vscode API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { modelCalls } from '../../src/diff/pairing';
import type { CompareResult } from '../../src/diff/register';
import type { Services } from '../../src/core/services';
import { startStandin, type Standin } from '../fixtures/gemini/standin';
import { closeAllEditors, getServices, mlflowUrl, waitFor, withSetting, workspaceDir } from '../helpers/vscode';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..', '..', '..');
const CALL_LINE_MARK = '// <- the Gemini call';

const APP = `const { GoogleGenAI } = require('@google/genai');
const ai = new GoogleGenAI({ apiKey: 'test-key' });

async function main() {
  const prompt = process.env.PROMPT;
  const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: prompt, config: { temperature: 0.3 } }); ${CALL_LINE_MARK}
  console.log(r.text);
}
main();
`;

describe('diffs and call-site hints', function () {
  this.timeout(240_000);
  let services: Services;
  let standin: Standin;
  let appPath: string;
  let experiment: string;
  let restore: (() => Promise<void>)[] = [];
  const traces: string[] = [];

  async function runApp(prompt: string, extra: string[] = []): Promise<string> {
    const before = await listTraces();
    await run(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'run', '--tracking-uri', mlflowUrl(), '--experiment', experiment, ...extra, '--', process.execPath, appPath], {
      cwd: path.dirname(appPath),
      env: { ...process.env, PROMPT: prompt, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key', NODE_PATH: path.join(repo, 'node_modules'), NODE_OPTIONS: '' },
    });
    return waitFor(async () => (await listTraces()).find((t) => !before.includes(t)), 15_000, `the trace of "${prompt}"`);
  }

  async function listTraces(): Promise<string[]> {
    const client = services.connection.client();
    const exp = await client.getExperimentByName(experiment);
    if (!exp) return [];
    const { traces } = await client.searchTraces({ experimentIds: [exp.experiment_id], orderBy: ['timestamp_ms DESC'], maxResults: 50 });
    return traces.map((t) => t.trace_id);
  }

  async function callSpan(traceId: string): Promise<string> {
    const calls = modelCalls(await services.traces.get(traceId, { force: true }));
    assert.equal(calls.length, 1, `one model call in ${traceId}`);
    return calls[0].span.id;
  }

  async function activeDiffTexts(): Promise<[string, string]> {
    const input = await waitFor(() => {
      const i = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return i instanceof vscode.TabInputTextDiff ? i : undefined;
    }, 10_000, 'a diff editor');
    const [l, r] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
    return [l.getText(), r.getText()];
  }

  before(async () => {
    services = await getServices();
    standin = await startStandin();
    experiment = `diff-it-${Date.now()}`;
    appPath = path.join(workspaceDir(), 'diff-app', 'app.cjs');
    mkdirSync(path.dirname(appPath), { recursive: true });
    writeFileSync(appPath, APP);
    restore.push(await withSetting('geminiTrace', 'experiment', experiment));
    traces.push(await runApp('Write a haiku about rain'));
    traces.push(await runApp('Write a haiku about snow'));
  });

  after(async () => {
    for (const r of restore) await r();
    restore = [];
    await closeAllEditors();
    await standin?.close();
  });

  it('opens the prompt and response diffs of two runs in the native diff editor', async () => {
    const [a, b] = traces; // first run (rain) on the left
    const left = { traceId: a, spanId: await callSpan(a) };
    const right = { traceId: b, spanId: await callSpan(b) };

    const prompt = await vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left, right, view: 'prompt' });
    assert.equal(prompt.error, undefined);
    const [lp, rp] = await activeDiffTexts();
    assert.match(lp, /── user ──\nWrite a haiku about rain/);
    assert.match(rp, /── user ──\nWrite a haiku about snow/);

    await vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left, right, view: 'response' });
    const [lr, rr] = await activeDiffTexts();
    assert.match(lr, /echo: Write a haiku about rain/);
    assert.match(rr, /echo: Write a haiku about snow/);
    assert.match(rr, /── finish reason ──\nSTOP/);
  });

  it('pairs two traces by call site and summarises what changed', async () => {
    const [a, b] = traces;
    const pending = vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left: { traceId: a }, right: { traceId: b } });
    // The summary is a quick pick: accept its first row like a user pressing Enter.
    await new Promise((r) => setTimeout(r, 1500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const result = await pending;
    assert.equal(result.error, undefined);
    assert.equal(result.pairs?.length, 1);
    const [pair] = result.pairs!;
    assert.equal(pair.by, 'site');
    assert.equal(pair.site, `${appPath}:${callLine()}`);
    assert.equal(pair.promptChanged, true);
    assert.equal(pair.responseChanged, true);
    const [, right] = await activeDiffTexts(); // Enter opened the prompt diff, since the prompt changed
    assert.match(right, /snow/);
  });

  it('shows a CodeLens with the latest numbers above the call and keeps it there through edits', async () => {
    const doc = await vscode.workspace.openTextDocument(appPath);
    await vscode.window.showTextDocument(doc);
    const line = callLine() - 1;
    const t0 = Date.now();
    const lens = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return lenses?.find((l) => l.command?.title.startsWith('⟲'));
    }, 20_000, 'the call-site CodeLens');
    console.log(`      CodeLens appeared after ${Date.now() - t0} ms`);
    assert.equal(lens.range.start.line, line);
    const last = standin.calls[standin.calls.length - 1];
    const total = last.response?.usageMetadata?.totalTokenCount;
    assert.ok(typeof total === 'number', 'the stand-in reported usage');
    assert.match(lens.command!.title, new RegExp(`^⟲ \\d+(\\.\\d+)? (µs|ms|s) · ${total} tok · 1 call in last run$`));
    assert.equal(lens.command!.command, 'geminiTrace.openTrace');

    // Two lines inserted above: the hint follows the call's text.
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// one\n// two\n'));
    const moved = await waitFor(async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return lenses?.find((l) => l.command?.title.startsWith('⟲') && l.range.start.line === line + 2);
    }, 10_000, 'the CodeLens two lines lower');
    assert.ok(moved);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('gives a clear message for a span with no prompt, a non-Gemini span and a deleted trace', async () => {
    const noContent = await runApp('secret prompt', ['--no-capture-content']);
    const [a] = traces;
    const good = { traceId: a, spanId: await callSpan(a) };

    const r1 = await vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left: good, right: { traceId: noContent, spanId: await callSpan(noContent).catch(() => firstSpan(noContent)) }, view: 'prompt' });
    assert.match(r1.error ?? '', /no recorded prompt|not a Gemini model call/);

    const root = (await services.traces.get(a)).roots[0];
    const withRoot = root.id === good.spanId ? undefined : { traceId: a, spanId: root.id };
    if (withRoot) {
      const r2 = await vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left: good, right: withRoot, view: 'prompt' });
      assert.match(r2.error ?? '', /not a Gemini model call/);
    }

    const exp = await services.connection.client().getExperimentByName(experiment);
    await services.connection.client().deleteTraces(exp!.experiment_id, [noContent]);
    services.traces.invalidate(noContent);
    const r3 = await vscode.commands.executeCommand<CompareResult>('geminiTrace.compare', { left: { traceId: a }, right: { traceId: noContent } });
    assert.ok(r3.error && r3.error.length > 10, 'a deleted trace gives a message');
    assert.match(r3.error!, new RegExp(noContent));
  });

  async function firstSpan(traceId: string): Promise<string> {
    return (await services.traces.get(traceId, { force: true })).spans[0].id;
  }
});

function callLine(): number {
  return APP.split('\n').findIndex((l) => l.includes(CALL_LINE_MARK)) + 1;
}
