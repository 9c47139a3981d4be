// Playwright in the real VS Code workbench: a Node app runs through the real CLI and Node preload
// (Gemini via the loopback stand-in) into a real MLflow, making one Google-Search-grounded call and
// a three-turn chat. As a user would: open the grounded answer from the Traces view and read its
// cited stretches and source chips; then open the chat's session node and read the transcript.
// The screenshots go in the README.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FrameLocator, Page } from 'playwright-core';
import { copyExamples, openWorkbench } from '../../scripts/lib/workbench.mjs';
import type { Workbench } from '../../scripts/lib/workbench.mjs';
import { GROUNDED } from '../fixtures/gemini/richReplies';
import { startStandin, type Standin } from '../fixtures/gemini/standin';
import { startMlflow } from '../../scripts/lib/mlflow.mjs';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');
const run = promisify(execFile);

const APP = `const { GoogleGenAI } = require('@google/genai');
const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });
const model = 'gemini-3-flash-preview';

async function main() {
  const grounded = await ai.models.generateContent({ model, contents: 'Where are the 2026 Winter Olympics held? [[ground]]', config: { tools: [{ googleSearch: {} }] } });
  console.log(grounded.text);
  const chat = ai.chats.create({ model, config: { systemInstruction: 'You plan short city trips.' } });
  for (const q of ['Plan a weekend in Lisbon [[sign]]', 'Where should we eat on Saturday?', 'And what would it all cost?']) {
    console.log((await chat.sendMessage({ message: q })).text);
  }
}
main();
`;

function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

describe('grounded answers and sessions in the workbench (Playwright, real VS Code)', function () {
  this.timeout(420_000);
  let wb: Workbench | undefined;
  let ownMlflow: { url: string; stop(): Promise<void> } | undefined;
  let standin: Standin | undefined;
  let folder: string;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    let url = process.env.GT_MLFLOW_URL;
    if (!url) {
      ownMlflow = await startMlflow();
      url = ownMlflow!.url;
    }
    const experiment = `grounding-e2e-${Date.now()}`;
    folder = copyExamples();
    const appDir = join(folder, 'trip-chat');
    mkdirSync(appDir, { recursive: true });
    writeFileSync(join(appDir, 'app.js'), APP);
    standin = await startStandin();
    await run(process.execPath, [join(root, 'dist', 'cli.js'), 'run', '--tracking-uri', url!, '--experiment', experiment, '--run-name', 'trip-chat', '--', process.execPath, 'app.js'], {
      cwd: appDir,
      env: { ...process.env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key', NODE_PATH: join(root, 'node_modules'), NODE_OPTIONS: '' },
    });
    wb = await openWorkbench({ folder, settings: { 'geminiTrace.trackingUri': url, 'geminiTrace.experiment': experiment, 'workbench.startupEditor': 'none' } });
    await wb.page.setViewportSize({ width: 1600, height: 1000 });
  });

  after(async () => {
    await wb?.close();
    await standin?.close();
    await ownMlflow?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('shows a grounded answer: cited stretches with numbered source chips, the unsupported sentence marked', async () => {
    const page = wb!.page;
    await page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' }).click();
    const tree = page.locator('.part.sidebar [id="workbench.view.extension.geminiTrace"]');
    const row = tree.getByRole('treeitem', { name: /Models\.generateContent/ }).first();
    await row.waitFor({ state: 'visible', timeout: 90_000 });
    await row.click();
    const view = webview(page);
    const marks = view.locator('.tab-chat mark.grounded[data-sources]');
    await marks.first().waitFor({ timeout: 60_000 });
    assert.deepEqual(await marks.allTextContents(), GROUNDED.sentences.slice(0, 2));
    assert.deepEqual(await view.locator('.tab-chat .grounded-text .ungrounded').allTextContents(), [GROUNDED.sentences[2]]);
    assert.match(await view.locator('.tab-chat .grounding').innerText(), /Search queries[\s\S]*2026 winter olympics host city/);
    await page.mouse.move(10, 990);
    await page.screenshot({ path: join(shots, 'grounding-e2e.png') });
    copyFileSync(join(shots, 'grounding-e2e.png'), join(root, 'media', 'screenshots', 'grounding.png'));
  });

  it('opens the chat as a session: one transcript of its three turns', async () => {
    const page = wb!.page;
    const tree = page.locator('.part.sidebar [id="workbench.view.extension.geminiTrace"]');
    const session = tree.getByRole('treeitem', { name: /Plan a weekend in Lisbon/ }).first();
    await session.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await session.getAttribute('aria-label')) ?? '', /^Chat Plan a weekend in Lisbon.*, 3 turns, 3 turns · /);
    await session.click();
    await page.locator('.tabs-container .tab.active', { hasText: /Chat chat-/ }).waitFor({ timeout: 30_000 });
    const view = webview(page);
    const turns = view.locator('section.turn');
    await turns.nth(2).waitFor({ timeout: 60_000 });
    assert.equal(await turns.count(), 3);
    const text = await view.locator('.session-body').innerText();
    assert.match(text, /Turn 1[\s\S]*Plan a weekend in Lisbon[\s\S]*Turn 2[\s\S]*Where should we eat on Saturday\?[\s\S]*Turn 3[\s\S]*And what would it all cost\?/);
    assert.match(await turns.nth(1).innerText(), /2 earlier messages resent as history/);
    assert.match(await view.locator('.header-facts').innerText(), /Turns\s*3/);
    await page.mouse.move(10, 990);
    await page.screenshot({ path: join(shots, 'session-e2e.png') });
    copyFileSync(join(shots, 'session-e2e.png'), join(root, 'media', 'screenshots', 'session.png'));
  });
});
