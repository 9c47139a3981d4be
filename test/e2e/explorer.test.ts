// Playwright clicks through the Traces view in the real VS Code workbench against a real MLflow:
// runs and traces appear, a trace expands into its spans, the tooltip shows the previews, the
// filter picker filters, a live trace arrives with a badge, and delete asks first. Screenshots go
// to test-results/screenshots/ (with GT_UPDATE_SCREENSHOTS=1 also media/screenshots/explorer.png,
// the README's picture).
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { openWorkbench } from '../../scripts/lib/workbench.mjs';
import type { Workbench } from '../../scripts/lib/workbench.mjs';
import { startMlflow } from '../../scripts/lib/mlflow.mjs';
import { createExperiment, postTraces } from '../../bench/lib/otlp.mjs';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');

describe('Trace Explorer in the workbench (Playwright, real VS Code)', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let ownMlflow: { url: string; stop(): Promise<void> } | undefined;
  let url: string;
  let page: Page;
  const experiment = `Gemini demo ${Date.now().toString(36)}`;
  let expId: string;

  const sidebar = () => page.locator('.part.sidebar');
  const row = (text: string | RegExp): Locator => sidebar().locator('.monaco-list-row', { hasText: text }).first();
  const shot = async (name: string) => {
    await page.mouse.move(1300, 850); // no stray hover
    await page.screenshot({ path: join(shots, name) });
  };

  before(async () => {
    mkdirSync(shots, { recursive: true });
    url = process.env.GT_MLFLOW_URL ?? '';
    if (!url) {
      ownMlflow = await startMlflow();
      url = ownMlflow!.url;
    }
    expId = await createExperiment(url, experiment);
    const now = Date.now();
    const chat = { runId: 'e2e-chat', runName: 'chat-app.js', runStarted: new Date(now - 130_000).toISOString() };
    const rag = { runId: 'e2e-rag', runName: 'rag_pipeline.py', runStarted: new Date(now - 3_700_000).toISOString() };
    await postTraces(url, expId, [
      { ...rag, startMs: now - 3_600_000, name: 'retrieve_and_answer', prompt: 'Which regions had the highest Q3 growth?', durationMs: 2400, tokens: [812, 164] },
      { ...rag, startMs: now - 3_550_000, name: 'retrieve_and_answer', prompt: 'Summarise the churn report in three bullets', durationMs: 3100, tokens: [1430, 210] },
      { ...chat, startMs: now - 120_000, name: 'chat_turn', prompt: 'Plan a 3-day trip to Lisbon', durationMs: 1840, tokens: [42, 388] },
      { ...chat, startMs: now - 90_000, name: 'chat_turn', prompt: 'Make day 2 about museums', durationMs: 1210, tokens: [455, 240], model: 'gemini-2.5-pro' },
      { ...chat, startMs: now - 60_000, name: 'chat_turn', prompt: 'Book a table for four [[500]]', durationMs: 420, error: true },
      { ...chat, startMs: now - 30_000, name: 'summarise', prompt: 'Summarise our conversation', durationMs: 960, tokens: [720, 96] },
      { startMs: now - 20_000, name: 'smoke_test', prompt: 'ping', durationMs: 85, tokens: [1, 2] },
    ]);
    wb = await openWorkbench({ settings: { 'geminiTrace.trackingUri': url, 'geminiTrace.experiment': experiment, 'workbench.colorTheme': 'Default Dark Modern' } });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    await ownMlflow?.stop();
  });

  it('shows the experiment, its runs newest first and the newest run\'s traces', async () => {
    const item = page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' });
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await item.click();
    await row('chat-app.js').waitFor({ state: 'visible', timeout: 90_000 });
    const labels = await sidebar().locator('.monaco-list-row .label-name').allInnerTexts();
    const at = (t: string) => labels.findIndex((l) => l.includes(t));
    assert.ok(at(experiment) >= 0, `experiment missing: ${labels.join(' | ')}`);
    assert.ok(at('chat-app.js') < at('rag_pipeline.py') && at('rag_pipeline.py') < at('Other traces'), `run order: ${labels.join(' | ')}`);
    // The newest run opens by itself, newest trace first.
    assert.ok(at('summarise') > at('chat-app.js') && at('summarise') < at('chat_turn'), `traces: ${labels.join(' | ')}`);
    const summariseRow = row('summarise');
    // Seeded 30 s back; a slow workbench start can make that a minute or more by now.
    assert.match(await summariseRow.innerText(), /960 ms · 816 tok · \d+[sm] ago/);
    // The status bar names the server and its state.
    const status = page.locator('.statusbar-item', { hasText: new URL(url).host });
    await status.waitFor({ state: 'visible', timeout: 10_000 });
    await shot('explorer-tree.png');

  });

  it('expands a failed trace into spans, the failed span in the error colour', async () => {
    const failed = row(/chat_turn[\s\S]*420 ms/);
    await failed.locator('.monaco-tl-twistie').click();
    const llm = row('Models.generateContent');
    await llm.waitFor({ state: 'visible', timeout: 30_000 });
    const icon = (r: Locator) => r.locator('.custom-view-tree-node-item-icon').first();
    const themeColor = (variable: string) =>
      page.evaluate((v) => {
        const probe = document.createElement('div');
        probe.style.color = `var(${v})`;
        document.querySelector('.monaco-workbench')!.appendChild(probe);
        const c = getComputedStyle(probe).color;
        probe.remove();
        return c;
      }, variable);
    // The icon in the theme's error colour, the label in the list's error colour (decoration).
    assert.equal(await icon(llm).evaluate((el) => getComputedStyle(el).color), await themeColor('--vscode-errorForeground'));
    // File decorations arrive a moment after the row renders.
    const listError = await themeColor('--vscode-list-errorForeground');
    const labelColor = () => llm.locator('.label-name').first().evaluate((el) => getComputedStyle(el).color);
    for (let i = 0; i < 50 && (await labelColor()) !== listError; i++) await page.waitForTimeout(100);
    assert.equal(await labelColor(), listError);
    assert.notEqual(await row('summarise').locator('.label-name').first().evaluate((el) => getComputedStyle(el).color), listError);
    assert.match(await llm.innerText(), /LLM/);
    await shot('explorer-spans.png');
  });

  it('shows request, response and trace id in the tooltip', async () => {
    await row(/chat_turn[\s\S]*1\.21 s/).locator('.label-name').hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Request' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await hover.innerText();
    assert.match(text, /Make day 2 about museums/);
    assert.match(text, /echo: Make day 2 about museums/);
    assert.match(text, /Trace tr-[0-9a-f]{32}/);
    await page.screenshot({ path: join(shots, 'explorer-tooltip.png') });
    // The README's picture: the top of the tree with a failed trace opened and a tooltip.
    // Refreshed in media/ only on request, so ordinary runs leave the repository untouched.
    await page.screenshot({ path: join(shots, 'explorer-readme.png'), clip: { x: 0, y: 0, width: 640, height: 440 } });
    if (process.env.GT_UPDATE_SCREENSHOTS) {
      mkdirSync(join(root, 'media', 'screenshots'), { recursive: true });
      copyFileSync(join(shots, 'explorer-readme.png'), join(root, 'media', 'screenshots', 'explorer.png'));
    }
    await page.keyboard.press('Escape');
  });

  it('filters to errors from the view title and shows the filter in the description', async () => {
    await sidebar().getByRole('button', { name: 'Filter Traces...' }).or(sidebar().getByRole('button', { name: 'Filter Traces…' })).first().click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('Errors only');
    await page.keyboard.press('Enter');
    // The view's description holds it; alone in its container the view shows it as a message.
    await sidebar().locator('.message', { hasText: 'Filter: errors' }).waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await sidebar().locator('.pane-header .description').first().innerText(), 'filter: errors');
    await row('rag_pipeline.py').waitFor({ state: 'detached', timeout: 15_000 });
    await shot('explorer-filtered.png');
    await sidebar().getByRole('button', { name: 'Clear Filter' }).click();
    await row('rag_pipeline.py').waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('shows a trace written now, with a badge on the activity bar', async () => {
    await postTraces(url, expId, [{ runId: 'e2e-chat', runName: 'chat-app.js', startMs: Date.now(), name: 'live_question', prompt: 'Is it sunny in Lisbon now?', durationMs: 700, tokens: [9, 30] }]);
    await row('live_question').waitFor({ state: 'visible', timeout: 10_000 });
    const badge = page.locator('.part.activitybar .badge-content').filter({ hasText: /^\d+$/ }).first();
    await badge.waitFor({ state: 'visible', timeout: 10_000 });
    await shot('explorer-live.png');
  });

  it('deletes a trace after the confirmation dialog', async () => {
    const other = row('Other traces');
    if ((await other.getAttribute('aria-expanded')) !== 'true') await other.locator('.monaco-tl-twistie').click();
    const target = row('smoke_test');
    await target.waitFor({ state: 'visible', timeout: 15_000 });
    await target.click({ button: 'right' });
    const item = page.locator('.context-view .action-label', { hasText: 'Delete Trace' });
    try {
      await item.waitFor({ state: 'visible', timeout: 10_000 });
    } catch (e) {
      await page.screenshot({ path: join(shots, 'explorer-delete-failed.png') });
      throw e;
    }
    await item.click();
    const dialog = page.locator('.monaco-dialog-box');
    // VS Code's context menu sometimes ignores the click (seen here: the menu stayed open with the
    // item highlighted and no dialog). Click again, then try Enter on the focused item.
    const menu = page.locator('.context-view .monaco-menu');
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await dialog.waitFor({ state: 'visible', timeout: 2000 }).then(() => true, () => false)) break;
      if (!(await menu.isVisible())) break;
      if (attempt < 2) await item.click();
      else await page.keyboard.press('Enter');
    }
    try {
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    } catch (e) {
      await page.screenshot({ path: join(shots, 'explorer-delete-failed.png') });
      throw e;
    }
    assert.match(await dialog.innerText(), /Delete trace tr-[0-9a-f]{32} from MLflow\?/);
    await page.screenshot({ path: join(shots, 'explorer-delete-confirm.png') });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await target.waitFor({ state: 'detached', timeout: 15_000 });
    const r = await fetch(`${url}/api/3.0/mlflow/traces/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: expId } }], filter: "tags.`mlflow.traceName` = 'smoke_test'", max_results: 5 }),
    });
    assert.equal(((await r.json()) as { traces?: unknown[] }).traces?.length ?? 0, 0, 'the trace is still on the server');
  });
});

describe('Trace Explorer welcome view when no server answers (Playwright)', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;

  after(async () => {
    await wb?.close();
  });

  it('explains the error and offers to start a local server or set the URL', async () => {
    mkdirSync(shots, { recursive: true });
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    wb = await openWorkbench({ settings: { 'geminiTrace.trackingUri': 'http://127.0.0.1:9', 'workbench.colorTheme': 'Default Dark Modern' } });
    const page = wb.page;
    await page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' }).click();
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    await welcome.getByText('No MLflow server answers').waitFor({ state: 'visible', timeout: 90_000 });
    for (const name of ['Start Local Server', 'Set Server URL', 'Show Log']) {
      assert.equal(await welcome.getByRole('button', { name }).count(), 1, `no "${name}" button`);
    }
    await page.locator('.statusbar-item', { hasText: '127.0.0.1:9' }).waitFor({ state: 'visible', timeout: 10_000 });
    // Its tooltip says what failed; the welcome buttons stay (a view message would hide them).
    await page.locator('.statusbar-item', { hasText: '127.0.0.1:9' }).hover();
    await page.locator('.monaco-hover, .workbench-hover', { hasText: 'not reachable' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await welcome.getByRole('button', { name: 'Start Local Server' }).count(), 1);
    await page.mouse.move(1300, 850);
    await page.screenshot({ path: join(shots, 'explorer-no-server.png') });
  });
});
