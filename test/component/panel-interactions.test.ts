// Interactions and Live in the trace panel: the real webview bundle in headless Chromium under its
// real CSP, talking to the real host-side session (test/helpers/panelPage.ts), on traces shaped as
// the Node preload writes them (test/fixtures/surfaces). What is asserted is what the page shows and posts.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Trace } from '../../src/model/types';
import type { WebviewToHost } from '../../src/contract/protocol';
import { safeWebLink } from '../../src/panel/webLink';
import { closeBrowser, openPanelPage, type PanelPage } from '../helpers/panelPage';
import { HIGH_CONTRAST } from '../helpers/vscodeTheme';
import { agentRun, builtinTools, droppedSignature, single, streamed } from '../fixtures/surfaces/interactions';
import { liveSession } from '../fixtures/surfaces/live';
import { toTrace } from '../fixtures/surfaces/spec';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');

async function noProblems(p: PanelPage): Promise<void> {
  assert.deepEqual(p.problems, [], 'console errors, page errors or CSP violations');
  assert.deepEqual(p.dialogs, [], 'the page opened a dialog');
}

async function open(t: Trace, spanName: string, nth = 0, theme?: 'dark' | 'light' | 'high-contrast'): Promise<PanelPage> {
  const p = await openPanelPage(t, { theme });
  const span = t.spans.filter((s) => s.name === spanName)[nth];
  await p.postTrace({ focusSpanId: span.id });
  await p.page.locator('.tab-chat .chat').waitFor();
  return p;
}

describe('panel: Interactions and Live in headless Chromium', function () {
  this.timeout(120_000);
  let p: PanelPage | undefined;

  before(() => {
    assert.ok(existsSync(join(root, 'dist', 'webview.js')), 'dist/webview.js is missing: run `node scripts/build.mjs` first');
    mkdirSync(shots, { recursive: true });
  });
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });
  after(() => closeBrowser());

  it('renders an interaction as its typed steps, in order, calls beside their results', async () => {
    p = await open(toTrace(builtinTools()), 'Interactions.create');
    const steps = p.page.locator('.tab-chat .steps > [role=listitem]');
    assert.equal(await steps.count(), 7, 'five call/result pairs, the unknown step, the answer');
    assert.equal(await p.page.locator('.tab-chat .step-paired').count(), 5);
    const titles = await p.page.locator('.tab-chat .steps > [role=listitem] > .step-h').allTextContents();
    assert.deepEqual(titles.map((t) => t.trim().replace(/\s+/g, ' ')), [
      'Google Search (web_search) signature', 'URL context', 'Code (python)', 'MCP search_docs on docs', 'File search', 'Unknown part hologram_projection_call', 'Text',
    ]);
    const icons = await p.page.locator('.tab-chat .steps > [role=listitem] > .step-h > .codicon').evaluateAll((els) => els.map((e) => e.className.replace('codicon codicon-', '')));
    assert.deepEqual(icons, ['search', 'link', 'code', 'plug', 'files', 'json', 'comment']);
    const chat = (await p.page.locator('.tab-chat').textContent()) ?? '';
    assert.match(chat, /tallest building in the world 2026/);
    assert.match(chat, /1024/, 'code output');
    assert.match(chat, /paywall/, 'each URL with its status');
    assert.match(chat, /Found 2 pages about building heights\./, 'MCP result');
    assert.match(chat, /"height_m": 828/, 'the final text');
    assert.match(chat, /angle/, 'the unknown step keeps its JSON');
    // Search suggestions are HTML meant for a browser: shown as characters, never as elements.
    assert.match(chat, /<div class="chip"><a href=/);
    assert.equal(await p.page.locator('.tab-chat a').count(), 0, 'no anchor element in the chat');
    assert.match((await p.page.locator('.chat-meta').textContent()) ?? '', /410 in · 95 out · 35 thinking · 128 cached · 220 tool use/);
    await noProblems(p);
  });

  it('opens a link only by asking the host; the webview never navigates', async () => {
    p = await open(toTrace(builtinTools()), 'Interactions.create');
    const before = p.page.url();
    const asked = p.next('openLink');
    // The cited stretch's source chip (its title is in the chip's tooltip).
    await p.page.locator('.tab-chat .grounded-text button.source-chip[title^="Burj Khalifa facts"]').click();
    const m = (await asked) as Extract<WebviewToHost, { method: 'openLink' }>;
    assert.equal(m.params.url, 'https://example.test/burj');
    assert.equal(p.page.url(), before);
    assert.equal(p.page.frames().length, 1, 'no frame was opened');
    await noProblems(p);
  });

  it('folds and unfolds a step from the keyboard', async () => {
    p = await open(toTrace(builtinTools()), 'Interactions.create');
    const step = p.page.locator('.tab-chat .steps > [role=listitem]').nth(2);
    assert.equal(await step.evaluate((d) => (d as HTMLDetailsElement).open), true);
    await step.locator('> .step-h').focus();
    await p.page.keyboard.press('Enter');
    assert.equal(await step.evaluate((d) => (d as HTMLDetailsElement).open), false, 'Enter folds it');
    await p.page.keyboard.press(' ');
    assert.equal(await step.evaluate((d) => (d as HTMLDetailsElement).open), true, 'Space unfolds it');
    await noProblems(p);
  });

  it('badges a signed thought; thinking starts folded; tokens show in the title and the Tokens tab', async () => {
    p = await open(toTrace(single()), 'Interactions.create');
    const thought = p.page.locator('.tab-chat .steps .step.part-thought');
    assert.equal(await thought.evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.match((await thought.locator('.step-h').textContent()) ?? '', /Thinking\s*signature/);
    assert.match((await p.page.locator('.details-facts').textContent()) ?? '', /12 in · 23 out · 20 thinking tokens/);
    assert.match((await p.page.locator('.trace-header').textContent()) ?? '', /35/);
    await noProblems(p);
  });

  it('warns, naming the turn, when a replayed input dropped a thought signature', async () => {
    p = await open(toTrace(droppedSignature()[1]), 'Interactions.create');
    const note = p.page.locator('.tab-chat .chat-note.warning');
    assert.equal(await note.count(), 1);
    assert.match((await note.textContent()) ?? '', /resends the model's function_call lookup_order \(id call_9\) from interaction int_sig_1 without the thought signature/);
    await noProblems(p);
  });

  it('shows a Live turn: audio as metadata with its chunks, what was heard, the tool call beside its response, what was said', async () => {
    p = await open(toTrace(liveSession()), 'Live.turn', 0);
    const chat = (await p.page.locator('.tab-chat').textContent()) ?? '';
    assert.match(chat, /audio\/pcm;rate=16000 · 62\.5 KB · 2\.00 s · 20 chunks — bytes not recorded/);
    assert.match(chat, /Heard\s*What time is it in Tokyo\?/);
    assert.match(chat, /audio\/pcm;rate=24000 · 93\.8 KB · 2\.00 s · 20 chunks — bytes not recorded/);
    assert.match(chat, /Spoken\s*It's 21:04 in Tokyo\./);
    const pair = p.page.locator('.tab-chat .step-paired');
    assert.equal(await pair.count(), 1, 'the call and the app\'s response in one step');
    assert.match((await pair.textContent()) ?? '', /Function call get_time.*Call.*Tokyo.*Function response get_time.*21:04/s);
    await p.close();
    p = await open(toTrace(liveSession()), 'Live.turn', 1);
    assert.match((await p.page.locator('.tab-chat').textContent()) ?? '', /Spoken\s*In Paris it is.*interrupted/s);
    await noProblems(p);
  });

  it('shows each streamed step with the tokens its step_usage gave', async () => {
    p = await open(toTrace(streamed()), 'Interactions.create');
    const chips = await p.page.locator('.tab-chat .steps .step-tokens').allTextContents();
    assert.deepEqual(chips.map((c) => c.trim()), ['20 tokens', '3 tokens']);
    await noProblems(p);
  });

  it('shows a background agent still running', async () => {
    p = await open(toTrace(agentRun({ running: true })), 'Interactions.get');
    assert.match((await p.page.locator('.trace-header .status-badge').textContent()) ?? '', /Running/);
    assert.match((await p.page.locator('.chat-meta').textContent()) ?? '', /in_progress/);
    await noProblems(p);
  });

  it('the host opens only plain web links', () => {
    assert.equal(safeWebLink('https://example.test/a?b=1#c'), 'https://example.test/a?b=1#c');
    assert.equal(safeWebLink('http://example.test'), 'http://example.test/');
    for (const bad of ['command:workbench.action.quit', 'file:///etc/passwd', 'javascript:alert(1)', 'vscode://x', 'https://user:pw@example.test/', 'not a url', 7, null, `https://e.test/${'a'.repeat(9000)}`]) {
      assert.equal(safeWebLink(bad), undefined, String(bad).slice(0, 40));
    }
  });

  for (const theme of ['light', 'high-contrast'] as const) {
    it(`reads in the ${theme} theme`, async () => {
      p = await open(toTrace(builtinTools()), 'Interactions.create', 0, theme);
      const border = await p.page.locator('.tab-chat .step').first().evaluate((e) => getComputedStyle(e).borderTopColor);
      if (theme === 'high-contrast') {
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(HIGH_CONTRAST.contrastBorder.slice(i, i + 2), 16));
        assert.equal(border, `rgb(${r}, ${g}, ${b})`, 'steps take the contrast border');
      } else assert.notEqual(border, 'rgba(0, 0, 0, 0)');
      await p.page.locator('.details').screenshot({ path: join(shots, `interactions-${theme}.png`) });
      await noProblems(p);
    });
  }
});
