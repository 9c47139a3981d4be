// Playwright in the real VS Code workbench, on real traces: the example Interactions app
// (examples/node-app/interactions.js, its background agent made to run 45 s) runs through the real
// CLI and Node preload against the Gemini stand-in into a real MLflow while the workbench is open.
// As a user would: watch the agent run in the Traces view and open it while it runs; open an
// interaction and read its steps; see the dropped-signature warning; open the conversation node's
// turns; see the agent done. Screenshots go to test-results/screenshots/ (with
// GT_UPDATE_SCREENSHOTS=1 also media/screenshots/interaction.png, the README's picture).
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { copyExamples, extensionLog, openWorkbench } from '../../scripts/lib/workbench.mjs';
import type { Workbench } from '../../scripts/lib/workbench.mjs';
import { startStandin, type Standin } from '../fixtures/gemini/standin';
import { webview } from '../helpers/workbenchWebview';
import { startMlflow } from '../../scripts/lib/mlflow.mjs';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');

describe('Interactions in the workbench (Playwright, real VS Code, real traces)', function () {
  this.timeout(420_000);
  let wb: Workbench | undefined;
  let ownMlflow: { url: string; stop(): Promise<void> } | undefined;
  let standin: Standin | undefined;
  let folder: string;
  let mlflowUrl: string;
  let experiment: string;
  let app: ChildProcess | undefined;
  let appDone: Promise<number | null>;
  let appOutput = '';
  let page: Page;

  const sidebar = () => page.locator('.part.sidebar');
  const row = (text: string | RegExp): Locator => sidebar().locator('.monaco-list-row', { hasText: text }).first();
  const shot = async (name: string) => {
    await page.mouse.move(10, 990); // no stray hover
    await page.screenshot({ path: join(shots, name) });
  };
  /** One panel at a time: each open webview has its own frame. */
  const closeEditors = async () => {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>View: Close All Editors');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'View: Close All Editors' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 15_000 });
  };
  /** Opens a trace from its row and selects its model-call span in the panel. */
  const openCall = async (r: Locator, span = 'Interactions.create') => {
    if (await page.locator('iframe.webview').count()) await closeEditors();
    await r.click();
    const view = webview(page);
    await view.locator('.row', { hasText: span }).first().click({ timeout: 60_000 }).catch(async (e: unknown) => {
      await page.screenshot({ path: join(shots, 'interactions-e2e-failed.png') });
      throw e;
    });
    await view.locator('.tab-chat .chat').waitFor({ timeout: 30_000 });
    return view;
  };

  before(async () => {
    mkdirSync(shots, { recursive: true });
    let url = process.env.GT_MLFLOW_URL;
    if (!url) {
      ownMlflow = await startMlflow();
      url = ownMlflow!.url;
    }
    mlflowUrl = url!;
    experiment = `interactions-e2e-${Date.now().toString(36)}`;
    folder = copyExamples();
    const file = join(folder, 'node-app', 'interactions.js');
    // Long enough to look at the agent while it runs.
    writeFileSync(file, readFileSync(file, 'utf8').replace('[[run:8000]]', '[[run:45000]]'));
    standin = await startStandin();
    wb = await openWorkbench({ folder, settings: { 'geminiTrace.trackingUri': url, 'geminiTrace.experiment': experiment, 'workbench.startupEditor': 'none', 'workbench.colorTheme': 'Default Dark Modern' } });
    page = wb.page;
    await page.setViewportSize({ width: 1600, height: 1000 });
    app = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'run', '-q', '--tracking-uri', url!, '--experiment', experiment, '--run-name', 'node-app/interactions.js', '--', process.execPath, 'interactions.js'], {
      cwd: join(folder, 'node-app'),
      env: { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Kept for a failure's message: this suite has failed whole with nothing of the app's in the view.
    app.stdout?.on('data', (d: Buffer) => (appOutput += d.toString()));
    app.stderr?.on('data', (d: Buffer) => (appOutput += d.toString()));
    appDone = new Promise((resolve) => app!.on('exit', (code) => resolve(code)));
  });

  after(async () => {
    app?.kill();
    await wb?.close();
    await standin?.close();
    await ownMlflow?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** The experiment's traces as MLflow lists them (name:state), for a failure's message. */
  const tracesInMlflow = async (): Promise<string> => {
    try {
      const e = (await (await fetch(`${mlflowUrl}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experiment}`)).json()) as { experiment?: { experiment_id: string } };
      if (!e.experiment) return 'no experiment';
      const body = { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: e.experiment.experiment_id } }], max_results: 50 };
      const r = (await (await fetch(`${mlflowUrl}/api/3.0/mlflow/traces/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { traces?: { state: string; tags?: Record<string, string> }[] };
      return (r.traces ?? []).map((t) => `${t.tags?.['mlflow.traceName'] ?? '?'}:${t.state}`).join(', ');
    } catch (err) {
      return `(could not ask: ${String(err)})`;
    }
  };

  it('shows the background agent running in the Traces view, its elapsed time counting', async () => {
    await page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' }).click();
    const agent = row(/Interactions\.background[\s\S]*running/);
    // What MLflow listed while the view was awaited: tells a trace the view missed from one the
    // preload did not write while it ran (this test has failed whole, rarely, on a loaded machine).
    const seen: string[] = [];
    let watching = true;
    const started = Date.now();
    const watch = (async () => {
      while (watching) {
        seen.push(`+${Math.round((Date.now() - started) / 1000)} s: ${await tracesInMlflow()}`);
        await new Promise((d) => setTimeout(d, 5_000));
      }
    })();
    await agent.waitFor({ state: 'visible', timeout: 90_000 }).finally(() => (watching = false)).catch(async (e: unknown) => {
      await page.screenshot({ path: join(shots, 'interactions-e2e-failed.png') });
      const rows = (await sidebar().locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join(' | ');
      await watch;
      throw new Error(
        `${e instanceof Error ? e.message : String(e)}\nTraces view rows: ${rows}\nMLflow listed meanwhile:\n${seen.join('\n')}\n` +
          `the app so far (exit ${app?.exitCode}): ${appOutput.slice(-4000)}\nthe extension's log: ${wb ? extensionLog(wb.server).slice(-6000) : ''}`,
      );
    });
    const first = await agent.innerText();
    assert.match(first, /running \d+(\.\d+)? m?s/);
    await page.waitForTimeout(2_100);
    assert.notEqual(await agent.innerText(), first, 'the elapsed time moved on');
    assert.equal(await agent.locator('.codicon-loading').count(), 1, 'a spinning icon');
    await row(/3 turns/).waitFor({ state: 'visible', timeout: 30_000 });
    await shot('interactions-e2e-running.png');
  });

  it('opens the running agent: a trace in progress, its create and the polls so far', async () => {
    const view = await openCall(row(/Interactions\.background[\s\S]*running/), 'Interactions.get');
    await view.locator('.trace-name', { hasText: 'Interactions.background' }).waitFor({ timeout: 30_000 });
    assert.match((await view.locator('.trace-header .status-badge').innerText()), /Running/);
    assert.match((await view.locator('.chat-meta').innerText()), /in_progress/);
    assert.ok((await view.locator('.row', { hasText: 'Interactions.get' }).count()) >= 1, 'a poll so far');
    await shot('interactions-e2e-agent-running.png');
  });

  it('shows an interaction as its steps in order: thinking, tool calls beside their results, the answer', async () => {
    // Newest first under the run, the conversation folded: history by hand ×2, then the research call.
    const view = await openCall(sidebar().locator('.monaco-list-row', { hasText: 'Interactions.create' }).nth(2));
    const titles = (await view.locator('.tab-chat .steps > [role=listitem] > .step-h').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.equal(titles.length, 4, titles.join(' | '));
    assert.match(titles[0], /^Thinking signature/);
    assert.match(titles[1], /^Google Search \(web_search\) signature/);
    assert.match(titles[2], /^Code \(python\)/);
    assert.match(titles[3], /^Text/);
    assert.equal(await view.locator('.tab-chat .step-paired').count(), 2, 'search and code beside their results');
    assert.match(await view.locator('.chat-meta').innerText(), /\d+ in · \d+ out · \d+ thinking/);
    await view.locator('.tab-chat .step.part-thought > .step-h').click(); // unfold the thinking
    await shot('interactions-e2e-steps.png');
    if (process.env.GT_UPDATE_SCREENSHOTS) copyFileSync(join(shots, 'interactions-e2e-steps.png'), join(root, 'media', 'screenshots', 'interaction.png'));
  });

  it('warns on the turn of a history kept by hand that dropped a thought signature', async () => {
    const view = await openCall(sidebar().locator('.monaco-list-row', { hasText: 'Interactions.create' }).nth(0));
    const note = view.locator('.tab-chat .chat-note.warning');
    await note.waitFor({ timeout: 30_000 });
    assert.match(await note.innerText(), /resends the model's function_call get_weather .* without the thought signature/);
    await shot('interactions-e2e-dropped-signature.png');
  });

  it('opens the conversation: its three turns in order, the first one asking for get_weather', async () => {
    const conv = row(/3 turns/);
    await conv.locator('.monaco-tl-twistie').click();
    const turns = sidebar().locator('.monaco-list-row[aria-level="4"]', { hasText: 'Interactions.create' });
    await turns.nth(2).waitFor({ state: 'visible', timeout: 30_000 });
    const view = await openCall(turns.nth(0));
    const titles = (await view.locator('.tab-chat .steps > [role=listitem] > .step-h').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.deepEqual(titles.map((t) => t.split(' ')[0]), ['Thinking', 'Function'], titles.join(' | '));
    assert.match(await view.locator('.chat-meta').innerText(), /requires_action/);
    const last = await openCall(turns.nth(2));
    assert.match(await last.locator('.tab-chat').innerText(), /And what should I wear tomorrow\?/);
    await shot('interactions-e2e-conversation.png');
  });

  it('shows the agent done once the app saw it finish', async () => {
    await row(/Interactions\.background/).waitFor({ state: 'visible' });
    await sidebar().locator('.monaco-list-row', { hasText: /Interactions\.background[\s\S]*running/ }).waitFor({ state: 'detached', timeout: 90_000 });
    assert.equal(await appDone, 0, 'the app ended well');
    assert.equal(await row(/Interactions\.background/).locator('.codicon-pass').count(), 1);
    await shot('interactions-e2e-agent-done.png');
  });
});
