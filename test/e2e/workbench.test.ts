// Playwright in the real VS Code workbench (server build, headless Chromium): the Gemini Traces
// activity-bar item opens the extension's Traces view.
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkbench } from '../../scripts/lib/workbench.mjs';
import type { Workbench } from '../../scripts/lib/workbench.mjs';
import { startMlflow } from '../../scripts/lib/mlflow.mjs';

const shots = join(__dirname, '..', '..', 'test-results', 'screenshots');

describe('workbench (Playwright, real VS Code)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let ownMlflow: { url: string; stop(): Promise<void> } | undefined;

  before(async () => {
    // The run's server (npm test), else one of our own, stopped in after() so mocha can exit.
    let url = process.env.GT_MLFLOW_URL;
    if (!url) {
      ownMlflow = await startMlflow();
      url = ownMlflow!.url;
    }
    wb = await openWorkbench({ settings: { 'geminiTrace.trackingUri': url } });
  });

  after(async () => {
    await wb?.close();
    await ownMlflow?.stop();
  });

  it('opens the Traces view from the Gemini Traces activity-bar item', async () => {
    const page = wb!.page;
    const item = page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' });
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    await item.click();

    const viewlet = page.locator('.part.sidebar [id="workbench.view.extension.geminiTrace"]');
    await viewlet.waitFor({ state: 'visible', timeout: 30_000 });
    const title = (await page.locator('.part.sidebar .composite.title h2').innerText()).trim();
    // A container with one view merges the headers: "Gemini Traces: Traces" (CSS may upper-case it).
    assert.match(title, /^gemini traces: traces$/i);
    assert.equal(await viewlet.locator('.pane-header h3.title').innerText(), 'Traces');
    assert.equal(await item.getAttribute('aria-selected'), 'true', 'the activity-bar item is not selected');

    // The view's opening activates the extension (onView); wait until that settles for the picture.
    await page.getByText('Activating Extensions').waitFor({ state: 'hidden', timeout: 60_000 });
    await page.mouse.move(700, 450);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'workbench-traces-view.png') });
  });
});
