// Playwright in the real VS Code workbench: a LangGraph agent (test/fixtures/framework-apps/langchain,
// a real LangChain.js with @langchain/google-genai against the loopback stand-in) runs through the
// real CLI (`gemini-trace run -- node app.mjs`, no change to the app) into a real MLflow; then, as
// a user would: find the agent's run in the Traces view, open the trace's tree (graph › node ›
// chat model › Gemini call, tool › the tool's own Gemini call), open the trace and read the chat
// view of the model call that answered after the tool.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator } from 'playwright-core';
import { openWorkbench } from '../../scripts/lib/workbench.mjs';
import type { Workbench } from '../../scripts/lib/workbench.mjs';
import { startStandin, type Standin } from '../fixtures/gemini/standin';
import { frameworkApp } from '../helpers/frameworkApps';
import { webview } from '../helpers/workbenchWebview';
import { startMlflow } from '../../scripts/lib/mlflow.mjs';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');
const run = promisify(execFile);

describe('a framework agent in the workbench (Playwright, real VS Code)', function () {
  this.timeout(420_000);
  let wb: Workbench | undefined;
  let ownMlflow: { url: string; stop(): Promise<void> } | undefined;
  let standin: Standin | undefined;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    let url = process.env.GT_MLFLOW_URL;
    if (!url) {
      ownMlflow = await startMlflow();
      url = ownMlflow!.url;
    }
    const experiment = `frameworks-e2e-${Date.now()}`;
    const app = await frameworkApp('langchain');
    standin = await startStandin();
    await run(process.execPath, [join(root, 'dist', 'cli.js'), 'run', '--tracking-uri', url!, '--experiment', experiment, '--run-name', 'langgraph-agent', '--', process.execPath, 'app.mjs'], {
      cwd: app,
      env: { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' },
    });
    wb = await openWorkbench({ settings: { 'geminiTrace.trackingUri': url, 'geminiTrace.experiment': experiment, 'workbench.startupEditor': 'none' } });
    await wb.page.setViewportSize({ width: 1600, height: 1000 });
  });

  after(async () => {
    await wb?.close();
    await standin?.close();
    await ownMlflow?.stop();
  });

  it('shows the agent run\'s tree in the Traces view: graph › nodes › chat model › Gemini call, tool › its own Gemini call', async () => {
    const page = wb!.page;
    await page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' }).click();
    const tree = page.locator('.part.sidebar [id="workbench.view.extension.geminiTrace"]');
    const item = (name: string | RegExp): Locator => tree.getByRole('treeitem', { name });
    // Newest first: the stream, the hand-built graph, then the agent (the app's first call).
    await item(/ChatGoogleGenerativeAI/).first().waitFor({ state: 'visible', timeout: 90_000 });
    const traces = item(/^Trace LangGraph/);
    const labels = () => tree.getByRole('treeitem').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.equal(await traces.count(), 2, `the agent and the graph, one trace each: ${JSON.stringify(await labels())}`);
    await traces.last().locator('.monaco-tl-twistie').click();
    // The root span opens by itself: the graph's nodes.
    await item(/^tools/).first().waitFor({ state: 'visible', timeout: 30_000 });
    await item(/^LangGraph AGENT/).waitFor();
    await item(/^tools/).first().locator('.monaco-tl-twistie').click();
    const tool = item(/^weather/).first();
    await tool.waitFor({ state: 'visible' });
    assert.match(await tool.innerText(), /TOOL/);
    await item(/^model_request/).first().locator('.monaco-tl-twistie').click();
    const chat = item(/^ChatGoogleGenerativeAI/).last();
    await chat.waitFor({ state: 'visible' });
    assert.match(await chat.innerText(), /CHAT_MODEL/);
    await chat.locator('.monaco-tl-twistie').click();
    await item(/^Models\.generateContent/).first().waitFor({ state: 'visible' });
    await page.mouse.move(1300, 950);
    await page.screenshot({ path: join(shots, 'frameworks-e2e-tree.png') });
  });

  it('opens the trace and shows the answering model call as a chat: question, tool call, tool result, answer', async () => {
    const page = wb!.page;
    const tree = page.locator('.part.sidebar [id="workbench.view.extension.geminiTrace"]');
    await tree.getByRole('treeitem', { name: /^Trace LangGraph/ }).last().click();
    const view = webview(page);
    await view.locator('.trace-name', { hasText: 'LangGraph' }).waitFor({ timeout: 60_000 });
    // The model calls in time order: the agent's first turn, the tool's own call, the answer.
    const calls = view.locator('.row', { hasText: 'Models.generateContent' });
    await calls.nth(2).waitFor();
    await calls.nth(2).click();
    const chatView = view.locator('.tab-chat');
    await chatView.locator('.msg.role-user', { hasText: 'What is the weather in Paris?' }).waitFor({ timeout: 30_000 });
    const text = await chatView.innerText();
    assert.match(text, /weather/, 'the function call');
    assert.match(text, /weather returned/, 'the answer after the tool');
    await page.mouse.move(10, 990);
    await page.screenshot({ path: join(shots, 'frameworks-e2e-chat.png') });
  });
});
