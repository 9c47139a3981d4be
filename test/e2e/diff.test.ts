// Playwright opens a prompt diff from the Traces view in the real VS Code workbench: one tiny Node
// app is run twice through the real CLI (and so the real Node preload) against the Gemini
// stand-in with a changed prompt; the test then right-clicks the newer trace, picks "Compare
// With…", chooses the older trace and accepts the pairing summary, and checks VS Code's own diff
// editor in the DOM. Screenshots go to test-results/screenshots/ (one to media/screenshots/diff.png).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { copyExamples, openWorkbench } from '../../scripts/lib/workbench.mjs';
import type { Workbench } from '../../scripts/lib/workbench.mjs';
import { startMlflow } from '../../scripts/lib/mlflow.mjs';
import { createExperiment, postTraces } from '../../bench/lib/otlp.mjs';
import { startStandin, type Standin } from '../fixtures/gemini/standin';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');

// A system instruction that stays the same and a user turn that changes: the diff shows both.
const APP = `const { GoogleGenAI } = require('@google/genai');
const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });

async function main() {
  const r = await ai.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: process.env.PROMPT,
    config: { systemInstruction: 'You are a poet. Answer in exactly three lines.', temperature: 0.4 },
  });
  console.log(r.text);
}
main();
`;

interface TraceInfoLite {
  trace_id: string;
  request_preview?: string;
}

describe('Prompt diff from the Traces view (Playwright, real VS Code)', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let ownMlflow: { url: string; stop(): Promise<void> } | undefined;
  let standin: Standin | undefined;
  let folder: string | undefined;
  let url: string;
  let page: Page;
  const experiment = `diff-e2e-${Date.now().toString(36)}`;

  const sidebar = () => page.locator('.part.sidebar');
  const row = (text: string | RegExp): Locator => sidebar().locator('.monaco-list-row', { hasText: text }).first();
  const quickInput = () => page.locator('.quick-input-widget');
  const shot = async (name: string) => {
    await page.mouse.move(600, 700); // an empty editor area: no stray hover
    await page.screenshot({ path: join(shots, name) });
  };

  async function searchTraces(): Promise<TraceInfoLite[]> {
    const exp = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`);
    if (!exp.ok) return [];
    const { experiment: e } = (await exp.json()) as { experiment: { experiment_id: string } };
    const r = await fetch(`${url}/api/3.0/mlflow/traces/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: e.experiment_id } }], max_results: 10, order_by: ['timestamp_ms DESC'] }),
    });
    if (!r.ok) throw new Error(`traces/search: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { traces?: TraceInfoLite[] }).traces ?? [];
  }

  /** Runs the app once through `gemini-trace run` and waits until its trace is in MLflow. */
  async function runApp(appPath: string, runName: string, prompt: string): Promise<void> {
    const before = (await searchTraces()).length;
    const { stdout, stderr } = await run(process.execPath, [join(root, 'dist', 'cli.js'), 'run', '--tracking-uri', url, '--experiment', experiment, '--run-name', runName, '--', process.execPath, appPath], {
      cwd: join(appPath, '..'),
      // NODE_OPTIONS cleared: mocha's tsx loader must not leak into the app.
      env: { ...process.env, PROMPT: prompt, GOOGLE_GEMINI_BASE_URL: standin!.url, GEMINI_API_KEY: 'test-key', NODE_OPTIONS: '' },
    });
    const deadline = Date.now() + 30_000;
    while ((await searchTraces()).length <= before) {
      if (Date.now() > deadline) throw new Error(`the trace of "${prompt}" did not reach MLflow within 30 s.\napp stdout: ${stdout}\napp stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * The preload holds an app's exit for at most ~1.5 s to send its spans; a server that has just
   * started answers its first trace write slower than that on a loaded machine. One write into a
   * scratch experiment (deleted again, so the tree does not show it) warms those code paths.
   */
  async function warmUp(): Promise<void> {
    const id = await createExperiment(url, `${experiment}-warm-up`);
    await postTraces(url, id, [{ startMs: Date.now(), prompt: 'warm-up' }]);
    const r = await fetch(`${url}/api/2.0/mlflow/experiments/delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_id: id }) });
    if (!r.ok) throw new Error(`deleting the warm-up experiment: ${r.status} ${await r.text()}`);
  }

  before(async () => {
    mkdirSync(shots, { recursive: true });
    url = process.env.GT_MLFLOW_URL ?? '';
    if (!url) {
      ownMlflow = await startMlflow();
      url = ownMlflow!.url;
    }
    standin = await startStandin();
    await warmUp();
    // The app lives in the opened workspace (under the repository's .cache/), so its
    // require('@google/genai') resolves from the repository's node_modules.
    folder = copyExamples();
    const appPath = join(folder, 'haiku', 'haiku.cjs');
    mkdirSync(join(folder, 'haiku'), { recursive: true });
    writeFileSync(appPath, APP);
    await runApp(appPath, 'haiku.cjs (rain)', 'Write a haiku about the rain on a tin roof.');
    await runApp(appPath, 'haiku.cjs (snow)', 'Write a haiku about snow at night in the city.');
    const traces = await searchTraces();
    assert.equal(traces.length, 2, `two traces in ${experiment}`);
    wb = await openWorkbench({
      folder,
      settings: { 'geminiTrace.trackingUri': url, 'geminiTrace.experiment': experiment },
    });
    page = wb.page;
  });

  after(async () => {
    await wb?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
    await standin?.close();
    await ownMlflow?.stop();
  });

  it('opens the prompt diff of two runs from the tree: Compare With…, pick, pairing summary, diff editor', async () => {
    await page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' }).click();
    // The configured experiment and its newest run open by themselves; the older run on a click.
    await row('haiku.cjs (snow)').waitFor({ state: 'visible', timeout: 90_000 });
    const older = row('haiku.cjs (rain)');
    await older.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await older.getAttribute('aria-expanded')) === 'false') await older.locator('.monaco-tl-twistie').click();
    // Trace rows sit one level below run rows (aria-level 3: experiment › run › trace).
    const traceRows = sidebar().locator('.monaco-list-row[aria-level="3"]');
    await traceRows.nth(1).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await traceRows.count(), 2, `trace rows: ${(await traceRows.allInnerTexts()).join(' | ')}`);
    await shot('diff-tree.png');

    // The newer run's trace (listed first) → Compare With… from its context menu.
    const newer = traceRows.first();
    await newer.click({ button: 'right' });
    const item = page.getByRole('menuitem', { name: /^Compare With/ });
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.hover();
    await item.click();

    // Quick pick 1: which trace. Typing filters on the request preview (matchOnDetail).
    const input = quickInput().locator('input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await quickInput().getByText('Compare with which trace?').waitFor({ state: 'visible', timeout: 15_000 });
    const choices = quickInput().locator('.quick-input-list .monaco-list-row');
    assert.equal(await choices.count(), 1, 'only the other trace is offered');
    assert.match(await choices.first().innerText(), /tin roof/);
    await shot('diff-pick-trace.png');
    await page.keyboard.press('Enter');

    // Quick pick 2: the pairing summary — one pair, matched by call site, prompt and response changed.
    await quickInput().getByText(/1 model call, 1 changed/).waitFor({ state: 'visible', timeout: 30_000 });
    const summary = await choices.first().innerText();
    assert.match(summary, /haiku\.cjs:\d+/, `the pair names its call site: ${summary}`);
    assert.match(summary, /prompt \+ response/, `the pair says what changed: ${summary}`);
    assert.match(summary, /paired by site/, `the pair was matched by call site: ${summary}`);
    // The token delta is what the stand-in reported for the two calls (newer minus older).
    const usage = standin!.calls.map((c) => c.response?.usageMetadata as { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number });
    assert.equal(usage.length, 2, 'the stand-in saw two calls');
    const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
    const d = (k: keyof (typeof usage)[0]) => sign(usage[1][k] - usage[0][k]);
    assert.ok(summary.includes(`tokens ${d('totalTokenCount')} (in ${d('promptTokenCount')}, out ${d('candidatesTokenCount')}`), `token delta: ${summary}`);
    await shot('diff-pairing.png');
    await page.keyboard.press('Enter');

    // VS Code's diff editor: older (rain) on the left, newer (snow) on the right.
    const diff = page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: 30_000 });
    const original = diff.locator('.editor.original .view-lines');
    const modified = diff.locator('.editor.modified .view-lines');
    await modified.getByText(/snow/).first().waitFor({ state: 'visible', timeout: 15_000 });
    const norm = (s: string) => s.replace(/\u00a0/g, ' ');
    const left = norm(await original.innerText());
    const right = norm(await modified.innerText());
    assert.match(left, /Write a haiku about the rain on a tin roof\./);
    assert.match(right, /Write a haiku about snow at night in the city\./);
    assert.doesNotMatch(left, /snow/);
    assert.doesNotMatch(right, /rain/);
    // The unchanged system instruction is on both sides; the changed line is marked as changed.
    for (const side of [left, right]) assert.match(side, /You are a poet\. Answer in exactly three lines\./);
    assert.ok((await diff.locator('.line-insert, .char-insert').count()) > 0, 'no inserted text is marked in the diff');
    assert.ok((await diff.locator('.line-delete, .char-delete').count()) > 0, 'no deleted text is marked in the diff');
    const tab = page.locator('.tabs-container .tab.active');
    const title = await tab.innerText();
    assert.match(title, /Prompt/, `the tab title names the view: ${title}`);
    assert.match(title, /↔/, `the tab title names both sides: ${title}`);

    await shot('diff-prompt.png');
    mkdirSync(join(root, 'media', 'screenshots'), { recursive: true });
    copyFileSync(join(shots, 'diff-prompt.png'), join(root, 'media', 'screenshots', 'diff.png'));
  });
});
