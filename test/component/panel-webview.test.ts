// The trace panel's real webview bundle in headless Chromium, under its real CSP, talking the real
// protocol to the real host-side session (test/helpers/panelPage.ts). Traces come in every
// encoding: synthetic ones from bench/gen-trace.mjs, and ones the real Python SDK wrote to a real
// MLflow (read back through the product's client, from the tracking store and the artifact store).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareSummary } from '../../src/diff/summary';
import { MlflowClient } from '../../src/mlflow/client';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import type { WebviewToHost } from '../../src/contract/protocol';
import { TraceSession } from '../../src/panel/session';
import { dominant, nearest, paintedColours, rowsWithBars, themeColour } from '../helpers/paintedRows';
import { closeBrowser, openPanelPage, type PanelPage } from '../helpers/panelPage';
import { sharedSeed } from '../helpers/seed';
import { generateTrace, type GenerateOptions } from '../../bench/gen-trace.mjs';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');

function synthetic(o: GenerateOptions): Trace {
  const g = generateTrace(o);
  const t = normalizeTrace({ info: g.info, spans: g.spansJson });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

async function fromMlflow(url: string, traceId: string): Promise<Trace> {
  const full = await new MlflowClient({ trackingUri: url }).getTrace(traceId);
  const t = normalizeTrace({ info: full.info, spans: full.data.spans });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

const rowCount = (p: PanelPage) => p.page.locator('.row-semantics .row:not([hidden])').count();
const selectedName = (p: PanelPage) => p.page.locator('.row.selected .span-name').textContent();
const tab = (p: PanelPage, label: string) => p.page.locator('vscode-tab-header', { hasText: label }).click();
const lastSelected = (p: PanelPage) => [...p.messages].reverse().find((m): m is Extract<WebviewToHost, { method: 'selected' }> => m.method === 'selected')?.params.spanId;

async function noProblems(p: PanelPage): Promise<void> {
  assert.deepEqual(p.problems, [], 'console errors, page errors or CSP violations');
  assert.deepEqual(p.dialogs, [], 'the page opened a dialog');
}

describe('panel webview in headless Chromium', function () {
  this.timeout(180_000);
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

  for (const encoding of ['python', 'typescript', 'otel'] as const) {
    it(`renders a 1,000-span trace in the ${encoding} encoding`, async () => {
      const t = synthetic({ spans: 1000, encoding, seed: 21 });
      p = await openPanelPage(t);
      await p.page.locator('.trace-name', { hasText: 'travel_agent' }).waitFor();
      assert.match((await p.page.locator('.header-facts').textContent()) ?? '', /Spans 1,000/);
      const rows = await rowCount(p);
      assert.ok(rows > 10 && rows < 120, `${rows} rows in the DOM for 1,000 spans`);
      assert.equal(await selectedName(p), 'travel_agent', 'the root is selected first');
      assert.ok((await rowsWithBars(p.page)) > 10, 'bars are painted');
      await noProblems(p);
    });
  }

  describe('traces the real Python SDK wrote to a real MLflow', () => {
    let url: string;
    let seed: Awaited<ReturnType<typeof sharedSeed>>;
    before(async function () {
      this.timeout(300_000);
      seed = await sharedSeed();
      url = seed.mlflowUrl;
    });

    it('a function call: the call, its arguments, its response and the model in the Chat tab', async () => {
      const t = await fromMlflow(url, seed.store.traces.gemini_function!.trace_id);
      p = await openPanelPage(t);
      const call = t.spans.find((s) => /generate_?content/i.test(s.name))!;
      await p.postTrace({ focusSpanId: call.id });
      await p.page.locator('.part-call').first().waitFor();
      const chat = (await p.page.locator('.tab-chat').textContent()) ?? '';
      // The SDK ran the function itself (automatic function calling): call and answer are shown.
      assert.match(chat, /Automatic function calling\s*Call get_weather/);
      assert.match(chat, /Response from get_weather.*sunny in/);
      assert.match(chat, /What is the weather\?/);
      assert.match(chat, /gemini-2\.5-flash/);
      await noProblems(p);
    });

    it('thinking folded, system instruction, usage and finish reason', async () => {
      const t = await fromMlflow(url, seed.store.traces.gemini_generate!.trace_id);
      p = await openPanelPage(t);
      const call = t.spans.find((s) => s.usage)!;
      await p.postTrace({ focusSpanId: call.id });
      const thought = p.page.locator('.part-thought').first();
      await thought.waitFor();
      assert.equal(await thought.evaluate((d) => (d as HTMLDetailsElement).open), false, 'thinking starts collapsed');
      const chat = (await p.page.locator('.tab-chat').textContent()) ?? '';
      assert.match(chat, /Answer briefly/);
      assert.match(chat, /Name three rivers/);
      assert.match(chat, /STOP/);
      assert.match((await p.page.locator('.details-facts').textContent()) ?? '', /thinking/);
      await noProblems(p);
    });

    it('inline data MLflow moved into an attachment is fetched from the server and checked, never dumped', async () => {
      const seeded = seed.store.traces.gemini_inline!;
      const t = await fromMlflow(url, seeded.trace_id);
      const client = new MlflowClient({ trackingUri: url });
      const fetched: string[] = [];
      p = await openPanelPage(t, { attachments: (traceId, id, o) => (fetched.push(id), client.getTraceAttachment(traceId, id, o)) });
      // The root span: MLflow's autolog recorded its inputs with the bytes moved to an attachment.
      await p.postTrace({ focusSpanId: t.roots[0].id });
      const media = p.page.locator('.tab-chat .media[data-state=metadata]').first();
      await media.waitFor();
      // (Once per drawing of the details: the page drew them on its first post and on the focus.)
      assert.ok(fetched.length >= 1 && new Set(fetched).size === 1, `the attachment was read from MLflow: ${fetched.join(', ')}`);
      // The SDK test sends 1 KB of counting bytes labelled image/png: not an image, so not shown.
      assert.match((await media.textContent()) ?? '', /The bytes are not a PNG, JPEG, WebP or GIF image \(declared image\/png\)\.Save as… image\/png · 1\.0 KB/);
      assert.equal(await p.page.locator('.tab-chat img').count(), 0);
      await noProblems(p);
    });

    it('an error trace from the artifact store (traces.json): exception and stack in Events', async () => {
      const t = await fromMlflow(url, seed.artifacts.traces.error!.trace_id);
      p = await openPanelPage(t);
      const bad = t.spans.find((s) => s.exceptions.length)!;
      await p.postTrace({ focusSpanId: bad.id });
      await tab(p, 'Events');
      const ex = p.page.locator('.tab-events .exception').first();
      await ex.waitFor();
      assert.match((await ex.textContent()) ?? '', /card declined/);
      assert.ok((await p.page.locator('.row.error').count()) >= 1, 'the failed span is marked');
      const error = await themeColour(p.page, '--vscode-errorForeground');
      assert.ok((await paintedColours(p.page, '.row.error', 'bar'))?.has(error), `the failed span's bar is painted in ${error}`);
      assert.match((await p.page.locator('.trace-header .status-badge').textContent()) ?? '', /Error/);
      await noProblems(p);
    });
  });

  it('shows hostile content as text and runs none of it', async () => {
    const t = synthetic({ spans: 300, hostile: true, seed: 4 });
    const evil = t.spans.find((s) => JSON.stringify(s.inputs ?? '').includes('onerror'))!;
    // One more: a name that would run script if it were ever parsed as HTML.
    t.spans[1].name = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>';
    p = await openPanelPage(t);
    await p.postTrace({ focusSpanId: evil.id });
    await p.page.locator('.tab-chat .part-text').first().waitFor();
    for (const label of ['Inputs / Outputs', 'Attributes', 'Events', 'Tokens', 'Chat']) await tab(p, label);
    await p.page.keyboard.press('/');
    await p.page.keyboard.type('onerror');
    await p.page.locator('.search-count', { hasText: /of/ }).waitFor();
    const report = await p.page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      imgs: document.querySelectorAll('img').length,
      inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
      links: document.querySelectorAll('body [href], a').length,
      text: document.body.innerText,
    }));
    assert.equal(report.pwned, undefined);
    assert.equal(report.imgs, 0);
    assert.equal(report.inlineScripts, 0);
    assert.equal(report.links, 0, 'no navigable link, command: or otherwise');
    assert.ok(report.text.includes('<img src=x onerror=alert(1)>'), 'the prompt shows its markup as text');
    await p.postTrace({ focusSpanId: t.spans[1].id });
    assert.equal(await p.page.locator('.details-name .name-text').textContent(), t.spans[1].name, 'the span name shows as text');
    assert.equal(await p.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    const linky = t.spans.find((s) => JSON.stringify(s.inputs ?? '').includes('command:workbench'))!;
    await p.postTrace({ focusSpanId: linky.id });
    // The previous span's chat also has a .md-link (its <img> autolink): wait for this one's,
    // which the still-active search must not replace by jumping back to its match.
    await p.page.locator('.tab-chat .md-link-target', { hasText: 'command:workbench' }).first().waitFor();
    assert.match((await p.page.locator('.tab-chat').textContent()) ?? '', /click \(command:workbench\.action\.terminal\.new\)/, 'a Markdown link shows its text and target');
    assert.equal(await p.page.locator('.tab-chat a, .tab-chat [href]').count(), 0, 'and cannot be followed');
    await p.page.screenshot({ path: join(shots, 'panel-hostile.png') });
    await noProblems(p);
  });

  it('renders model Markdown as DOM: headings, lists, tables, code, emphasis, links as inert text', async () => {
    const t = synthetic({ spans: 30, seed: 23 });
    const call = t.spans.find((s) => s.type === 'CHAT_MODEL')!;
    const md = [
      '# Plan',
      'Some **bold**, *em*, `code` and ~~gone~~ with a [link](https://example.com) and <b>raw html</b>.',
      '',
      '1. first',
      '2. second',
      '   - nested a',
      '   - nested b',
      '',
      '| city | temp |',
      '| --- | --- |',
      '| Paris | 14 |',
      '',
      '> quoted',
      '',
      '```python',
      'print("<script>alert(1)</script>")',
      '```',
    ].join('\n');
    call.outputs = { candidates: [{ content: { role: 'model', parts: [{ text: md }] }, finish_reason: 'STOP' }] };
    p = await openPanelPage(t);
    await p.postTrace({ focusSpanId: call.id });
    const answer = p.page.locator('.tab-chat .msg.role-model .md').first();
    await answer.waitFor();
    const shape = await answer.evaluate((md) => ({
      h: md.querySelector('.md-h1')?.textContent,
      strong: md.querySelector('strong')?.textContent,
      em: md.querySelector('em')?.textContent,
      code: md.querySelector('.md-inline-code')?.textContent,
      strike: md.querySelector('s')?.textContent,
      link: md.querySelector('.md-link')?.textContent,
      anchors: md.querySelectorAll('a, [href]').length,
      ol: md.querySelectorAll('ol > li').length,
      nested: md.querySelectorAll('ol li ul > li').length,
      cells: [...md.querySelectorAll('td')].map((c) => c.textContent),
      quote: md.querySelector('blockquote')?.textContent?.trim(),
      pre: md.querySelector('pre code')?.textContent,
      lang: md.querySelector('pre code')?.getAttribute('data-lang'),
      scripts: md.querySelectorAll('script, b').length,
      raw: md.textContent?.includes('<b>raw html</b>'),
    }));
    assert.deepEqual(shape, {
      h: 'Plan',
      strong: 'bold',
      em: 'em',
      code: 'code',
      strike: 'gone',
      link: 'link (https://example.com)',
      anchors: 0,
      ol: 2,
      nested: 2,
      cells: ['Paris', '14'],
      quote: 'quoted',
      pre: 'print("<script>alert(1)</script>")',
      lang: 'python',
      scripts: 0,
      raw: true,
    });
    await noProblems(p);
  });

  it('keeps a 10 MB prompt from freezing the panel, and offers all of it', async () => {
    const t = synthetic({ spans: 50, hugeBytes: 10 * 1024 * 1024, seed: 8 });
    const huge = t.spans.find((s) => JSON.stringify(s.inputs ?? '').length > 10_000_000)!;
    p = await openPanelPage(t);
    const t0 = Date.now();
    await p.postTrace({ focusSpanId: huge.id });
    const note = p.page.locator('.tab-chat .clip-note').first();
    await note.waitFor();
    assert.ok(Date.now() - t0 < 10_000, `the span opened in ${Date.now() - t0} ms`);
    assert.match((await note.textContent()) ?? '', /Showing 8k characters of 10\.5M characters/);
    await note.locator('button', { hasText: 'Show all' }).click();
    await note.locator('.clip-status', { hasText: /Showing 524k characters of 10\.5M/ }).waitFor();
    const pinged = Date.now();
    assert.equal(await p.page.evaluate(() => 1 + 1), 2);
    assert.ok(Date.now() - pinged < 2000, 'the page answers while the value is shown');
    await note.locator('button', { hasText: 'Show more' }).click();
    await note.locator('.clip-status', { hasText: /Showing 1(\.0)?M characters/ }).waitFor();
    const opened = p.next('openInEditor');
    await note.locator('button', { hasText: 'Open in Editor' }).click();
    const open = await opened;
    assert.equal((open.params as { ref: { spanId: string } }).ref.spanId, huge.id);
    await noProblems(p);
  });

  it('is driven from the keyboard: arrows, Left/Right, Enter and Escape, / search with next and previous, G for code', async () => {
    const t = synthetic({ spans: 500, seed: 13 });
    const s = new TraceSession(t);
    p = await openPanelPage(t);
    const tb = s.table;
    await p.page.locator('.viewport').focus();
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    assert.equal(await selectedName(p), tb.names[2]);
    await p.page.waitForFunction((id) => document.querySelector('.row.selected')?.getAttribute('aria-selected') === 'true' && !!id, tb.ids[2]);
    assert.equal(lastSelected(p), tb.ids[2]);
    // The selected row's icons take the selection's icon colour, not their type colour.
    const selection = await themeColour(p.page, '--vscode-list-activeSelectionBackground');
    const iconColour = await themeColour(p.page, '--vscode-list-activeSelectionIconForeground');
    assert.equal(dominant(await paintedColours(p.page, '.row.selected', 'row')), selection, 'the focused selection is painted behind the row');
    const icon = await paintedColours(p.page, '.row.selected', 'icon');
    const typeColours = await Promise.all(['purple', 'orange', 'green', 'blue', 'yellow'].map((c) => themeColour(p!.page, `--vscode-charts-${c}`)));
    const toIcon = nearest(icon, iconColour);
    assert.ok(toIcon < 40, `the type icon takes the selection's icon colour ${iconColour} (nearest pixel ${toIcon.toFixed(0)} away)`);
    for (const c of typeColours) assert.ok(nearest(icon, c) > toIcon + 40, `and not a type colour (${c} is ${nearest(icon, c).toFixed(0)} away)`);
    // Left on an open parent collapses it; Right opens it again.
    await p.page.keyboard.press('Home');
    const before = await p.page.locator('.viewport').evaluate((v) => Number(v.getAttribute('aria-rowcount')));
    await p.page.keyboard.press('ArrowLeft');
    assert.equal(await p.page.locator('.viewport').getAttribute('aria-rowcount'), '1', 'the root collapsed');
    await p.page.keyboard.press('ArrowRight');
    assert.equal(Number(await p.page.locator('.viewport').getAttribute('aria-rowcount')), before);
    await p.page.keyboard.press('End');
    assert.equal(await selectedName(p), tb.names[tb.n - 1]);
    // / searches; Enter and Shift+Enter walk the matches in tree order.
    await p.page.keyboard.press('/');
    assert.equal(await p.page.evaluate(() => document.activeElement?.tagName.toLowerCase()), 'vscode-textfield');
    await p.page.keyboard.type('type:TOOL');
    // The answer's count, not a count of the matches found so far ("3 of 7… (40 %)").
    const tools = s.search('type:TOOL').indices;
    await p.page.locator('.search-count', { hasText: new RegExp(` of ${tools.length}$`) }).waitFor();
    await p.page.keyboard.press('Home');
    await p.page.keyboard.press('Enter');
    const first = await selectedName(p);
    assert.ok(['get_weather', 'search_web', 'run_sql'].includes(first ?? ''), `${first} is a tool`);
    // Each step's selection is read from its own message: the page's messages reach this process
    // a moment after the key press returns.
    const open = p;
    const stepped = async (key: string) => {
      const sel = open.next('selected', 5000);
      await open.page.keyboard.press(key);
      return ((await sel) as Extract<WebviewToHost, { method: 'selected' }>).params.spanId;
    };
    const second = await stepped('Enter');
    assert.notEqual(await stepped('Shift+Enter'), second);
    assert.ok((await p.page.locator('.row.match').count()) > 0, 'matches are highlighted');
    await p.page.keyboard.press('Escape');
    assert.equal(await p.page.evaluate(() => document.activeElement?.classList.contains('viewport')), true, 'Escape returns to the tree');
    const go = p.next('goToCode', 3000);
    await p.page.keyboard.press('g');
    assert.ok(await go, 'G asked the host to go to the code');
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.evaluate(() => document.activeElement?.tagName.toLowerCase()), 'vscode-tab-header', 'Enter moves into the details');
    await p.page.keyboard.press('Escape');
    assert.equal(await p.page.evaluate(() => document.activeElement?.classList.contains('viewport')), true, 'Escape goes back to the spans');
    await noProblems(p);
  });

  it('virtualises a 100,000-span trace: ~50 rows in the DOM, any row reachable', async () => {
    const t = synthetic({ spans: 100_000, seed: 2 });
    p = await openPanelPage(t, { autoPost: false });
    const { ms } = await p.postTrace();
    console.log(`      first render of 100,000 spans: ${ms.toFixed(0)} ms`);
    assert.ok((await rowCount(p)) < 150);
    assert.ok((await p.page.evaluate(() => document.getElementsByTagName('*').length)) < 8000);
    const tb = p.session.table;
    // A first content search reads every span (about a second here): its first matches show, and
    // the selection moves to the first, while it reads on; the answer then holds them all.
    await p.page.keyboard.press('/');
    await p.page.keyboard.type('paris.md');
    await p.page.locator('.search-count', { hasText: /^1 of [\d,]+… \(\d+ %\)$/ }).waitFor({ timeout: 30_000 });
    const retriever = await selectedName(p);
    const all = p.session.search('paris.md').indices;
    assert.equal(retriever, tb.names[all[0]]);
    await p.page.locator('.search-count', { hasText: new RegExp(`^1 of ${all.length.toLocaleString('en-US')}$`) }).waitFor({ timeout: 60_000 });
    assert.equal(await selectedName(p), retriever, 'the answer leaves the selection where the first matches put it');
    await p.page.keyboard.press('Escape');
    await p.page.keyboard.press('Escape');
    await p.page.locator('.viewport').focus();
    await p.page.keyboard.press('End');
    assert.equal(await selectedName(p), tb.names[tb.n - 1]);
    assert.ok((await rowCount(p)) < 150);
    // More matches than the host returns (20,000) says so, also once it has moved to the first.
    await p.page.keyboard.press('/');
    await p.page.keyboard.type('status:ok');
    await p.page.locator('.search-count', { hasText: /^1 of 20,000\+$/ }).waitFor({ timeout: 30_000 });
    // A search that reads every span's content says how far it has got, then what it found.
    await p.page.keyboard.press('Control+A');
    await p.page.keyboard.type('zzqqxxnothere');
    await p.page.locator('.search-count', { hasText: /^Searching… \d+ %$/ }).waitFor({ timeout: 30_000 });
    await p.page.locator('.search-count', { hasText: 'No results' }).waitFor({ timeout: 60_000 });
    await noProblems(p);
  });

  it('shows details the host posts unasked: for the span being asked for, and for one selected later', async () => {
    const t = synthetic({ spans: 400, seed: 12 });
    p = await openPanelPage(t, { autoPost: false, holdDetails: true });
    await p.postTrace({ revision: 7 });
    const tb = p.session.table;
    // The page asked for the first row's details (held, as behind the rest of a large table) ...
    assert.ok(p.messages.some((m) => m.kind === 'request' && m.method === 'spanDetails' && m.params.spanId === tb.ids[0]), 'the page asked');
    // ... and shows them as the host posts them.
    await p.post({ kind: 'notification', method: 'spanDetails', params: { spanId: tb.ids[0], revision: 7, details: p.session.details(tb.ids[0]) } });
    await p.page.locator('.details-name .name-text', { hasText: tb.names[0] }).waitFor({ timeout: 5000 });
    // Details posted for another span are kept until it is selected, and then shown without asking.
    const deep = tb.n - 5;
    const asked = p.messages.length;
    await p.post({ kind: 'notification', method: 'spanDetails', params: { spanId: tb.ids[deep], revision: 7, details: p.session.details(tb.ids[deep]) } });
    // Details of an older revision are not.
    await p.post({ kind: 'notification', method: 'spanDetails', params: { spanId: tb.ids[1], revision: 6, details: p.session.details(tb.ids[1]) } });
    await p.post({ kind: 'notification', method: 'focusSpan', params: { spanId: tb.ids[deep] } });
    await p.page.locator('.details-name .name-text', { hasText: tb.names[deep] }).waitFor({ timeout: 5000 });
    assert.ok(!p.messages.slice(asked).some((m) => m.kind === 'request' && m.method === 'spanDetails'), 'nothing asked for the span offered');
    await p.post({ kind: 'notification', method: 'focusSpan', params: { spanId: tb.ids[1] } });
    await p.next('spanDetails', 5000);
    await noProblems(p);
  });

  it('draws a large table\'s first piece while the rest comes, then holds every span', async () => {
    const t = synthetic({ spans: 60_000, seed: 8 });
    p = await openPanelPage(t, { autoPost: false });
    const pieces = [...p.session.payloads(1)];
    assert.ok(pieces.length > 2);
    const drawn = p.next('rendered', 60_000);
    await p.post({ kind: 'notification', method: 'trace', params: pieces[0] });
    assert.equal(((await drawn) as Extract<WebviewToHost, { method: 'rendered' }>).params.spans, pieces[0].table.n);
    assert.equal(await p.page.evaluate(() => document.body.dataset.spans), String(pieces[0].table.n));
    assert.ok((await rowCount(p)) > 10, 'the top of the tree is drawn');
    // A search while only the first piece is here shows the matches it holds, and no error.
    await p.page.keyboard.press('/');
    await p.page.keyboard.type('type:TOOL');
    await p.page.locator('.search-count', { hasText: / of / }).waitFor();
    const whole = p.next('rendered', 60_000);
    for (const piece of pieces.slice(1)) await p.post({ kind: 'notification', method: 'trace', params: piece });
    assert.equal(((await whole) as Extract<WebviewToHost, { method: 'rendered' }>).params.spans, 60_000);
    assert.equal(await p.page.evaluate(() => document.body.dataset.spans), '60000');
    // Every row reachable, and the search ran again over the whole table.
    await p.page.locator('.viewport').focus();
    await p.page.keyboard.press('End');
    const tb = p.session.table;
    assert.equal(await selectedName(p), tb.names[tb.n - 1]);
    await p.page.locator('.search-count', { hasText: new RegExp(` of ${p.session.search('type:TOOL').indices.length.toLocaleString('en-US')}$`) }).waitFor({ timeout: 30_000 });
    // A piece of a replaced post is dropped: a stray later piece changes nothing.
    await p.post({ kind: 'notification', method: 'trace', params: pieces[2] });
    assert.equal(await p.page.evaluate(() => document.body.dataset.spans), '60000');
    await noProblems(p);
  });

  it('draws running spans open-ended and keeps the view across a refresh', async () => {
    const t = synthetic({ spans: 200, inProgress: true, seed: 6 });
    p = await openPanelPage(t);
    assert.match((await p.page.locator('.trace-header .status-badge').textContent()) ?? '', /Running/);
    const running = p.page.locator('.row', { hasText: 'still running' }).first();
    await running.waitFor();
    const bar = await paintedColours(p.page, `#${await running.getAttribute('id')}`, 'bar');
    // Open-ended: the bar fades out, so it is painted in many shades, where a closed one has its
    // colour and a few anti-aliased edge pixels.
    assert.ok(bar && bar.size > 8, `an open-ended bar (${bar?.size} colours)`);
    const pick = t.spans[5];
    await p.postTrace({ focusSpanId: pick.id });
    // The host re-reads the running trace: a new revision of the same trace keeps the selection.
    const again = synthetic({ spans: 200, inProgress: true, seed: 6 });
    await p.postTrace({ session: new TraceSession(again) });
    assert.equal(await selectedName(p), pick.name);
    assert.equal(lastSelected(p), pick.id);
    await noProblems(p);
  });

  it('restores its view from saved state (a window reload)', async () => {
    const t = synthetic({ spans: 300, seed: 17 });
    const target = t.spans[42];
    p = await openPanelPage(t, { savedState: { traceId: t.summary.id, spanId: target.id, tab: 'attributes', collapsed: [t.spans[1].id] } });
    await p.page.locator('.row.selected', { hasText: target.name }).waitFor();
    assert.match((await p.page.locator('vscode-tab-header[active]').textContent()) ?? '', /^Attributes/);
    await p.page.evaluate(() => (document.querySelector('.viewport')!.scrollTop = 0));
    assert.equal(await p.page.locator(`.row[data-span="1"]`).getAttribute('aria-expanded'), 'false', 'the collapsed span stays collapsed');
    await noProblems(p);
  });

  it('shows the Compare view: deltas, paired calls whose buttons ask for their diff, added/removed spans; Escape returns', async () => {
    const now = Date.now();
    const before = synthetic({ spans: 60, seed: 41, startMs: now - 600_000 });
    const after = synthetic({ spans: 80, seed: 42, startMs: now - 60_000 });
    // Names that would run script if ever parsed as HTML: the earlier trace's, and a span only the later one has.
    before.summary.name = '<img src=x onerror="window.__pwned=3">';
    const leaf = after.spans.filter((x) => !x.children.length).pop()!;
    leaf.name = '<script>window.__pwned=4</script><b>leaf</b>';
    p = await openPanelPage(after);
    const asked = p.next('compare', 3000);
    await p.page.locator('vscode-button', { hasText: 'Compare…' }).click();
    assert.deepEqual((await asked).params, {}, 'the header asks for the trace-level Compare view');
    const view = p.page.locator('.compare-view');
    await p.post({ kind: 'notification', method: 'compareView', params: { state: 'loading', message: 'Reading trace tr-x…' } });
    await view.locator('.compare-message', { hasText: 'Reading trace tr-x' }).waitFor();

    const s = compareSummary(after, before);
    assert.equal(s.left.traceId, before.summary.id, 'the earlier trace is on the left');
    await p.post({ kind: 'notification', method: 'compareView', params: { state: 'ready', summary: s } });
    await view.locator('.compare-pairs').waitFor();
    assert.equal(await p.page.locator('.main-split').isHidden(), true, 'the view replaces the span panes');
    assert.equal(await p.page.evaluate(() => document.activeElement?.classList.contains('compare-back')), true, 'focus lands on Back');
    const sides = (await view.locator('.compare-sides').textContent()) ?? '';
    assert.ok(sides.includes(before.summary.name) && sides.includes(before.summary.id) && sides.includes(after.summary.id), sides);
    assert.match(sides, /After \(this trace\)/);
    const metric = async (label: string) => (await view.locator('.compare-metrics tr', { has: p!.page.locator('th', { hasText: label }) }).first().textContent()) ?? '';
    const nf = (n: number) => Math.abs(n).toLocaleString('en-US');
    const tokens = await metric('Tokens');
    assert.ok(tokens.includes(nf(s.left.usage.total)) && tokens.includes(nf(s.right.usage.total)), tokens);
    assert.ok(tokens.includes(`${s.tokenDelta.total > 0 ? '+' : '−'}${nf(s.tokenDelta.total)}`), `signed delta in "${tokens}"`);
    assert.ok((await metric('thinking')).includes(nf(s.right.usage.thinking)));
    assert.match(await metric('Latency'), /[+−]/);
    const upOrDown = await view.locator('.compare-metrics .delta.up, .compare-metrics .delta.down').first().evaluate((e) => getComputedStyle(e).color);
    assert.notEqual(upOrDown, await view.locator('.compare-metrics th').first().evaluate((e) => getComputedStyle(e).color), 'deltas are coloured');

    // Each paired row's buttons ask the host for that pair's native diff.
    const rows = view.locator('.pair-row');
    assert.equal(await rows.count(), s.pairs.length);
    const i = s.pairs.findIndex((x) => x.leftSpanId && x.rightSpanId);
    const pair = s.pairs[i];
    const want = { leftTraceId: s.left.traceId, leftSpanId: pair.leftSpanId, rightTraceId: s.right.traceId, rightSpanId: pair.rightSpanId };
    for (const view of ['prompt', 'response'] as const) {
      const sent = p.next('openPairDiff', 3000);
      await rows.nth(i).locator('button', { hasText: view === 'prompt' ? 'Prompt diff' : 'Response diff' }).click();
      assert.deepEqual((await sent).params, { ...want, view });
    }
    // From the keyboard: Tab reaches the row, Enter opens its diff.
    await view.locator('.compare-back').focus();
    const onPairedRow = () => p!.page.evaluate(() => !!document.activeElement?.matches('.pair-row:not(.unpaired)'));
    for (let k = 0; k < 60 && !(await onPairedRow()); k++) await p.page.keyboard.press('Tab');
    const focused = await p.page.evaluate(() => [...document.querySelectorAll('.pair-row')].indexOf(document.activeElement!));
    assert.ok(focused >= 0, 'Tab reaches a paired row');
    const sent = p.next('openPairDiff', 3000);
    await p.page.keyboard.press('Enter');
    const byEnter = (await sent).params as { leftSpanId: string; rightSpanId: string; view: string };
    assert.deepEqual([byEnter.leftSpanId, byEnter.rightSpanId], [s.pairs[focused].leftSpanId, s.pairs[focused].rightSpanId]);
    assert.equal(byEnter.view, s.pairs[focused].promptChanged || !s.pairs[focused].responseChanged ? 'prompt' : 'response');

    // Spans only in one trace, by name path; the hostile name is text.
    const added = (await view.locator('.compare-spans.added').textContent()) ?? '';
    assert.ok(added.includes(leaf.name), 'the renamed span is listed as added, as text');
    assert.ok(s.removed.length > 0);
    assert.ok(((await view.locator('.compare-spans.removed').textContent()) ?? '').includes(s.removed[0].path[s.removed[0].path.length - 1]));
    const safe = await p.page.evaluate(() => ({ pwned: (window as unknown as { __pwned?: number }).__pwned, imgs: document.querySelectorAll('img').length, bold: document.querySelectorAll('.compare-view b').length }));
    assert.deepEqual(safe, { pwned: undefined, imgs: 0, bold: 0 });
    await p.page.screenshot({ path: join(shots, 'panel-compare.png') });

    await p.page.keyboard.press('Escape');
    assert.equal(await view.isHidden(), true, 'Escape leaves the Compare view');
    assert.equal(await p.page.locator('.main-split').isVisible(), true);
    assert.equal(await p.page.evaluate(() => document.activeElement?.classList.contains('viewport')), true, 'and returns to the spans');

    // The other trace deleted, and traces without model calls: a message, never an empty table.
    await p.post({ kind: 'notification', method: 'compareView', params: { state: 'failed', message: 'Trace tr-gone was not found on http://127.0.0.1:5000: it may have been deleted.' } });
    await view.locator('[role=alert]', { hasText: 'may have been deleted' }).waitFor();
    assert.equal(await view.locator('table').count(), 0);
    await view.locator('button', { hasText: 'Back to spans' }).click();
    assert.equal(await view.isHidden(), true);
    const bare = (startMs: number) => synthetic({ spans: 1, seed: 5, startMs });
    await p.post({ kind: 'notification', method: 'compareView', params: { state: 'ready', summary: compareSummary(bare(now - 5000), bare(now)) } });
    await view.locator('.compare-calls .compare-message', { hasText: 'Neither trace holds a Gemini model call' }).waitFor();
    assert.equal(await view.locator('.compare-pairs').count(), 0);
    await p.page.keyboard.press('Escape');
    assert.equal(await view.isHidden(), true);
    await noProblems(p);
  });

  it('sends the header buttons to the host, and looks right in the light theme', async () => {
    const t = synthetic({ spans: 120, seed: 19 });
    p = await openPanelPage(t, { theme: 'light' });
    for (const [label, method] of [['Refresh', 'refresh'], ['Open in MLflow UI', 'openInMlflow'], ['Compare…', 'compare'], ['Copy ID', 'copy']] as const) {
      const posted: Promise<WebviewToHost> = p.next(method, 3000);
      await p.page.locator('vscode-button', { hasText: label }).click();
      const m: WebviewToHost = await posted;
      if (method === 'copy') assert.equal((m.params as { text: string }).text, t.summary.id);
    }
    await p.page.screenshot({ path: join(shots, 'panel-light.png') });
    await noProblems(p);
  });
});
