// What a Gemini call holds, read back from the real panel bundle in headless Chromium under its real
// CSP: traces written by the real Node preload for test/fixtures/apps/media/app.cjs through the
// Gemini stand-in into a real MLflow (test/helpers/mediaTraces.ts), and hostile or giant media made
// here. Asserted: what the page shows and what it posts to the host.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spanCalls } from '../../src/model/adapters/spanCalls';
import { parseAssessments } from '../../src/model/assessments';
import { MEDIA_ELIDED } from '../../src/shared/runTags';
import type { Trace } from '../../src/model/types';
import type { WebviewToHost } from '../../src/contract/protocol';
import { TraceSession } from '../../src/panel/session';
import { closeBrowser, openPanelPage, type PanelPage } from '../helpers/panelPage';
import { IMAGE_IN, mediaTraces, type MediaTraces } from '../helpers/mediaTraces';
import { GROUNDED, IMAGE_OUT, makePng } from '../fixtures/gemini/richReplies';
import { toTrace } from '../fixtures/surfaces/spec';

const root = join(__dirname, '..', '..');
const shots = join(root, 'test-results', 'screenshots');

async function noProblems(p: PanelPage): Promise<void> {
  assert.deepEqual(p.problems, [], 'console errors, page errors or CSP violations');
  assert.deepEqual(p.dialogs, [], 'the page opened a dialog');
}

/** The panel on the model-call span of `t` (the innermost one), Chat tab open. */
async function open(t: Trace, session?: TraceSession): Promise<PanelPage> {
  const p = await openPanelPage(t);
  const call = spanCalls(t)[0];
  await p.postTrace({ focusSpanId: call.span.id, session });
  await p.page.locator('.tab-chat .chat').waitFor();
  return p;
}

describe('panel: media, grounding, structured output and signatures in headless Chromium', function () {
  this.timeout(300_000);
  let m: MediaTraces;
  let p: PanelPage | undefined;
  const remote: string[] = [];

  before(async () => {
    assert.ok(existsSync(join(root, 'dist', 'webview.js')), 'dist/webview.js is missing: run `node scripts/build.mjs` first');
    mkdirSync(shots, { recursive: true });
    m = await mediaTraces();
  });
  afterEach(async () => {
    if (p) assert.deepEqual(remote.splice(0), [], 'the page requested something beyond the panel\'s own files');
    await p?.close();
    p = undefined;
  });
  after(() => closeBrowser());

  const watch = (pp: PanelPage) => pp.page.on('request', (r) => !/^http:\/\/127\.0\.0\.1:\d+\/(dist\/|$)/.test(r.url()) && !r.url().startsWith('data:') && remote.push(r.url()));

  it('shows the image sent and the image received as data: thumbnails with size and dimensions; a click enlarges', async () => {
    p = await open(m.traces.image);
    watch(p);
    const imgs = p.page.locator('.tab-chat img.media-thumb');
    await imgs.nth(1).waitFor();
    assert.equal(await imgs.count(), 2);
    const srcs = await imgs.evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src.slice(0, 31)));
    assert.deepEqual(srcs, ['data:image/png;base64,iVBORw0KG', 'data:image/png;base64,iVBORw0KG']);
    const sizes = await imgs.evaluateAll((els) => els.map((e) => [(e as HTMLImageElement).naturalWidth, (e as HTMLImageElement).naturalHeight]));
    assert.deepEqual(sizes, [[IMAGE_IN.width, IMAGE_IN.height], [IMAGE_OUT.width, IMAGE_OUT.height]], 'the browser decoded the real bytes');
    const captions = await p.page.locator('.tab-chat .media-caption').allTextContents();
    assert.match(captions[0], new RegExp(`image/png · ${(m.imageIn.length / 1024).toFixed(1)} KB · 64×40`));
    assert.match(captions[1], /image\/png · [\d.]+ KB · 48×32/);
    await p.page.locator('.tab-chat .media-open').first().click();
    const big = p.page.locator('.lightbox img.lightbox-image');
    await big.waitFor();
    assert.equal(await big.evaluate((e) => (e as HTMLImageElement).naturalWidth), IMAGE_IN.width);
    await p.page.keyboard.press('Escape');
    assert.equal(await p.page.locator('.lightbox').count(), 0, 'Escape closes it');
    assert.equal(await p.page.evaluate(() => document.activeElement?.className), 'media-open', 'focus returns to the thumbnail');
    await p.page.locator('.details').screenshot({ path: join(shots, 'media-image.png') });
    const save = p.next('saveMedia');
    await p.page.locator('.tab-chat .media-save').first().click();
    const saved = (await save) as Extract<WebviewToHost, { method: 'saveMedia' }>;
    assert.deepEqual(saved.params.ref.path, ['request', 0, 'parts', 1]);
    await noProblems(p);
  });

  it('plays Gemini\'s PCM speech in an <audio> element', async () => {
    p = await open(m.traces.audio);
    watch(p);
    const audio = p.page.locator('.tab-chat audio.media-audio');
    await audio.waitFor();
    assert.match(await audio.evaluate((e) => (e as HTMLAudioElement).src.slice(0, 40)), /^data:audio\/wav;base64,UklGR/);
    await p.page.waitForFunction(() => (document.querySelector('audio.media-audio') as HTMLAudioElement).readyState >= 1);
    const secs = await audio.evaluate((e) => (e as HTMLAudioElement).duration);
    assert.ok(Math.abs(secs - 0.25) < 0.01, `the browser read a 0.25 s WAV (${secs})`);
    assert.match((await p.page.locator('.tab-chat .media-caption').last().textContent()) ?? '', /audio\/wav · 11\.7 KB.*raw PCM at 24000 Hz/);
    await noProblems(p);
  });

  it('marks the grounded stretches with chips that map to their sources, and the unsupported sentence', async () => {
    p = await open(m.traces.grounded);
    watch(p);
    const marks = p.page.locator('.tab-chat mark.grounded[data-sources]');
    assert.equal(await marks.count(), 2);
    assert.deepEqual(await marks.allTextContents(), GROUNDED.sentences.slice(0, 2));
    assert.deepEqual(await marks.evaluateAll((els) => els.map((e) => e.getAttribute('data-sources'))), ['1,2', '2,3']);
    const chips = await p.page.locator('.tab-chat .grounded-text .chips').evaluateAll((els) => els.map((e) => [...e.children].map((c) => `${c.tagName}:${c.textContent}`)));
    assert.deepEqual(chips, [
      ['BUTTON:1 olympics.com', `BUTTON:2 ${new URL(GROUNDED.sources[1].uri).hostname}`],
      [`BUTTON:2 ${new URL(GROUNDED.sources[1].uri).hostname}`, 'SPAN:3'],
    ], 'a javascript: source is a label, never a link');
    assert.deepEqual(await p.page.locator('.tab-chat .grounded-text .ungrounded').allTextContents(), [GROUNDED.sentences[2]]);
    const text = (await p.page.locator('.tab-chat').textContent()) ?? '';
    for (const q of GROUNDED.queries) assert.ok(text.includes(q), `query ${q} listed`);
    assert.ok(text.includes('<img src=x onerror=alert(1)> wikipedia.org'), 'a hostile title is text');
    assert.ok(text.includes('<script>alert(3)</script>'), 'the search suggestions are text');
    assert.equal(await p.page.locator('.tab-chat img, .tab-chat script, .tab-chat a, .tab-chat style').count(), 0, 'no element came from the trace\'s HTML');
    const asked = p.next('openLink');
    await p.page.locator('.tab-chat .grounded-text button.source-chip').first().click();
    assert.equal(((await asked) as Extract<WebviewToHost, { method: 'openLink' }>).params.url, GROUNDED.sources[0].uri);
    await p.page.locator('.details').screenshot({ path: join(shots, 'grounded.png') });
    await p.page.locator('.tab-chat .grounded-toggle').click();
    assert.equal(await p.page.locator('.tab-chat .grounded-text').isHidden(), true, 'Show as Markdown hides the marks');
    await noProblems(p);
  });

  it('lists the violation of the response schema', async () => {
    p = await open(m.traces.schema);
    const box = p.page.locator('.tab-chat .schema-check');
    assert.match((await box.textContent()) ?? '', /breaks its schema: 1 violation \(responseSchema\)\.\s*\$\.age Instance type "string" is invalid\. Expected "integer"\./);
    await noProblems(p);
  });

  it('names the turn whose request dropped the thought signature of the turn before (another trace)', async () => {
    const session = new TraceSession(m.traces.turn2);
    const before = spanCalls(m.traces.turn1).map((c) => ({ label: c.span.name, call: c.call }));
    session.setPriorTurns(before);
    p = await open(m.traces.turn2, session);
    const note = p.page.locator('.tab-chat .chat-note.warning');
    assert.equal(await note.count(), 1);
    assert.match((await note.textContent()) ?? '', /Turn 2 \(Models\.generateContent\) sends back the model's text "echo: Plan a weekend in Lisbon" from turn 1 \(Models\.generateContent\) without the thought signature/);
    assert.equal(await p.page.locator('.tab-chat .badge.signature').count(), 0, 'the resent answer carries no signature badge: it was dropped');
    await noProblems(p);
  });

  it('lists the trace\'s assessments in the Feedback tab and asks the host to add one', async () => {
    const t = m.traces.schema;
    const spanId = t.spans[0].id;
    t.summary.assessments = parseAssessments([
      { assessment_id: 'a-1', assessment_name: 'user_feedback', source: { source_type: 'HUMAN', source_id: 'ada' }, feedback: { value: false }, rationale: 'age is a <b>string</b>', create_time: '2026-12-04T10:00:00Z' },
      { assessment_id: 'a-2', assessment_name: 'expected_response', span_id: spanId, expectation: { value: '{"age": 36}' }, source: { source_type: 'HUMAN' } },
    ]);
    p = await open(t);
    await p.page.locator('vscode-tab-header[data-tab="feedback"]').click();
    const tab = p.page.locator('.tab-feedback');
    assert.deepEqual(await tab.locator('.assessment').evaluateAll((els) => els.map((e) => e.getAttribute('data-name'))), ['expected_response', 'user_feedback'], 'the span\'s own first (it is the root: the trace\'s too)');
    assert.match((await tab.textContent()) ?? '', /no user_feedback · feedback\s*human · ada.*age is a <b>string<\/b>/s);
    assert.match((await p.page.locator('.trace-header').textContent()) ?? '', /Feedback\s*0\s*1 · 2 in all/);
    const asked = p.next('assess');
    await tab.locator('.assess-button[data-kind="up"]').click();
    const params = ((await asked) as Extract<WebviewToHost, { method: 'assess' }>).params;
    assert.equal(params.kind, 'up');
    assert.equal(params.spanId, undefined, 'the root span is selected: the feedback is about the whole trace');
    await p.post({ kind: 'notification', method: 'assessments', params: { traceId: t.summary.id, assessments: [] } });
    await tab.locator('.empty').waitFor();
    await noProblems(p);
  });

  it('shows giant, elided, unknown and referenced media as metadata, loading nothing remote', async () => {
    const giant = Buffer.concat([makePng(8, 8), Buffer.alloc(11 * 1024 * 1024)]).toString('base64');
    const t = toTrace({ name: 'odd media', spans: [{ key: 'a', name: 'models.generateContent', type: 'LLM', startMs: 0, endMs: 5, attributes: {
      'mlflow.message.format': 'gemini',
      'mlflow.spanInputs': { model: 'm', contents: [{ role: 'user', parts: [
        { inlineData: { mimeType: 'image/png', data: giant } },
        { inlineData: { mimeType: 'video/mp4', data: Buffer.from('....ftypisom').toString('base64') } },
        { inlineData: { mimeType: 'application/x-hologram', data: 'AAEC' } },
        { inlineData: { mimeType: 'image/png', [MEDIA_ELIDED.bytes]: 3_000_000, [MEDIA_ELIDED.reason]: 'over the 1 MB per-part limit' } },
        { fileData: { fileUri: 'https://example.test/cat.png', mimeType: 'image/png' } },
        { inlineData: { mimeType: 'image/png', data: '"><img src=x onerror=alert(1)>' } },
      ] }] },
      'mlflow.spanOutputs': { candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] } }] },
    } }] });
    p = await open(t);
    watch(p);
    await p.page.waitForFunction(() => document.querySelectorAll('.tab-chat .media[data-state=metadata]').length === 4);
    const text = (await p.page.locator('.tab-chat').textContent()) ?? '';
    assert.match(text, /over the panel's 10\.0 MB limit for showing media/);
    assert.match(text, /Video is not played in the panel/);
    assert.match(text, /does not show application\/x-hologram/);
    assert.match(text, /image\/png · 2\.9 MB — bytes not recorded: over the 1 MB per-part limit/);
    assert.match(text, /File: https:\/\/example\.test\/cat\.png \(image\/png\)/);
    assert.match(text, /not base64/);
    assert.equal(await p.page.locator('.tab-chat img, .tab-chat video, .tab-chat iframe').count(), 0);
    assert.equal(await p.page.locator('.tab-chat .media-save').count(), 3, 'Save as… for the giant, the video and the unknown type');
    await noProblems(p);
  });
});
