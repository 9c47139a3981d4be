// The timeline's painted rows (webview/rowPainter.ts), in the real webview bundle in headless
// Chromium: what the canvas shows is read back as pixels, and the row elements over it, which
// assistive technology reads and clicks land on, are checked to follow it.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { TraceSession } from '../../src/panel/session';
import { dominant, nearest, paintedColours, themeColour } from '../helpers/paintedRows';
import { closeBrowser, openPanelPage, type PanelPage } from '../helpers/panelPage';
import { generateTrace } from '../../bench/gen-trace.mjs';

function synthetic(o: { spans: number; seed: number }): Trace {
  const g = generateTrace({ ...o, encoding: 'python' });
  const t = normalizeTrace({ info: g.info, spans: g.spansJson });
  assert.ok(!isTraceError(t));
  return t;
}

const ROW_H = 22;

describe('panel webview: painted rows', function () {
  this.timeout(120_000);
  let p: PanelPage | undefined;
  afterEach(async () => {
    await p?.close();
    p = undefined;
  });
  after(() => closeBrowser());

  it('paints each row: its type icon in the type colour, hover and search matches behind it', async () => {
    const t = synthetic({ spans: 300, seed: 5 });
    const s = new TraceSession(t);
    p = await openPanelPage(t);
    const background = await themeColour(p.page, '--vscode-editor-background');
    // The root is selected; row 2 is a plain row. Its icon shows in its type's chart colour
    // (glyphs from the codicon font, so an unloaded font would fail here).
    const plain = '.row[aria-rowindex="3"]';
    const type = s.table.types[s.table.kind[Number(await p.page.locator(plain).getAttribute('data-span'))]];
    const slot = { LLM: 'purple', CHAT_MODEL: 'purple', TOOL: 'orange', RETRIEVER: 'green', CHAIN: 'blue', AGENT: 'blue', EMBEDDING: 'yellow' }[type] ?? 'blue';
    const icon = await paintedColours(p.page, plain, 'icon');
    assert.ok(nearest(icon, await themeColour(p.page, `--vscode-charts-${slot}`)) < 40, `${type} icon in charts-${slot}`);
    assert.equal(dominant(await paintedColours(p.page, plain, 'row')), background);
    const name = await paintedColours(p.page, plain, 'name');
    assert.ok(nearest(name, await themeColour(p.page, '--vscode-foreground')) < 40, 'the name is painted in the foreground colour');

    await p.page.locator(plain).hover();
    await p.page.waitForFunction(() => true);
    const hover = await themeColour(p.page, '--vscode-list-hoverBackground');
    assert.equal(dominant(await paintedColours(p.page, plain, 'row')), hover, 'the hovered row');
    await p.page.mouse.move(5, 5);
    assert.equal(dominant(await paintedColours(p.page, plain, 'row')), background, 'no longer hovered');

    await p.page.keyboard.press('/');
    await p.page.keyboard.type('weather');
    await p.page.locator('.search-count', { hasText: / of / }).waitFor();
    const match = p.page.locator('.row.match:not(.selected)').first();
    await match.waitFor();
    const marked = dominant(await paintedColours(p.page, `#${await match.getAttribute('id')}`, 'row'));
    assert.notEqual(marked, background, 'a matching row is painted apart');
    assert.deepEqual(p.problems, []);
  });

  it('pulses running bars, unless the user asks for reduced motion', async () => {
    const g = generateTrace({ spans: 40, seed: 6, encoding: 'python', inProgress: true });
    const t = normalizeTrace({ info: g.info, spans: g.spansJson });
    assert.ok(!isTraceError(t));
    p = await openPanelPage(t);
    const id = `#${await p.page.locator('.row', { hasText: 'still running' }).first().getAttribute('id')}`;
    // Half a pulse apart (1.6 s period): the bar's most-painted shade differs.
    const shades = async () => {
      const seen = new Set<string | undefined>();
      for (let k = 0; k < 4; k++) {
        const bar = await paintedColours(p!.page, id, 'bar');
        bar?.delete(dominant(await paintedColours(p!.page, id, 'row'))!); // the background
        seen.add(dominant(bar));
        await p!.page.waitForTimeout(400);
      }
      return seen.size;
    };
    assert.ok((await shades()) > 1, 'the running bar pulses');
    await p.page.emulateMedia({ reducedMotion: 'reduce' });
    await p.page.waitForTimeout(300);
    assert.equal(await shades(), 1, 'and holds still under reduced motion');
  });

  it('follows a theme change without a reload', async () => {
    p = await openPanelPage(synthetic({ spans: 50, seed: 3 }));
    const row = '.row[aria-rowindex="2"]';
    assert.equal(dominant(await paintedColours(p.page, row, 'row')), await themeColour(p.page, '--vscode-editor-background'));
    // What VS Code does on a theme change: new variables on <html>, a new class on <body>.
    await p.page.evaluate(() => {
      document.documentElement.style.setProperty('--vscode-editor-background', '#fafafa');
      document.body.classList.replace('vscode-dark', 'vscode-light');
    });
    await p.page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
    assert.equal(dominant(await paintedColours(p.page, row, 'row')), '#fafafa');
  });

  it('paints a scrolled-to page at once; the row elements follow when scrolling pauses, and a click in between still lands', async () => {
    const t = synthetic({ spans: 5000, seed: 9 });
    p = await openPanelPage(t);
    const tb = new TraceSession(t).table;
    // Left alone, the row elements catch up with a scroll by themselves.
    await p.page.evaluate((y) => (document.querySelector('.viewport')!.scrollTop = y), 1000 * ROW_H);
    await p.page.locator('.row[aria-rowindex="1001"]:not([hidden])').waitFor({ timeout: 2000 });
    assert.equal(await p.page.locator('.row[aria-rowindex="1001"] .span-name').textContent(), tb.names[1000]);
    const r = 2000;
    // Scroll, let one frame paint, then click the painted row before the row elements caught up.
    const hit = await p.page.evaluate(
      ([row, h]) =>
        new Promise<{ target: string; rowElements: number }>((resolve) => {
          const v = document.querySelector<HTMLElement>('.viewport')!;
          v.scrollTop = row * h;
          requestAnimationFrame(() =>
            setTimeout(() => {
              const box = v.getBoundingClientRect();
              const x = box.left + 200;
              const y = box.top + h / 2;
              const target = document.elementFromPoint(x, y) as HTMLElement;
              const rowElements = document.querySelectorAll(`.row[aria-rowindex="${row + 1}"]`).length;
              target.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: x, clientY: y }));
              resolve({ target: target.className, rowElements });
            }, 0),
          );
        }),
      [r, ROW_H] as const,
    );
    assert.equal(hit.target, 'rows-canvas', 'the click landed on the painted rows');
    assert.equal(hit.rowElements, 0, 'no row element yet for the row scrolled to');
    // The painted row r is the span the tree shows at r; with nothing folded, span r.
    await p.page.locator('.row.selected').waitFor();
    assert.equal(await p.page.locator('.row.selected .span-name').textContent(), tb.names[r]);
    assert.equal(await p.page.locator('.row.selected').getAttribute('aria-rowindex'), String(r + 1));
    assert.equal(await p.page.locator('.viewport').getAttribute('aria-activedescendant'), await p.page.locator('.row.selected').getAttribute('id'));
    assert.deepEqual(p.problems, []);
  });

  it('cuts long names with an ellipsis before the latency, and paints hostile ones as text', async () => {
    const t = synthetic({ spans: 20, seed: 4 });
    t.spans[1].name = `${'<img src=x onerror="window.__pwned=1">'.repeat(2000)}`;
    p = await openPanelPage(t);
    const row = p.page.locator('.row', { hasText: '<img src=x' }).first();
    await row.waitFor();
    const id = `#${await row.getAttribute('id')}`;
    const meta = await paintedColours(p.page, id, 'meta');
    assert.ok(nearest(meta, await themeColour(p.page, '--vscode-descriptionForeground')) < 40, 'the latency is still painted at the end of the name cell');
    const name = await paintedColours(p.page, id, 'name');
    assert.ok(nearest(name, await themeColour(p.page, '--vscode-foreground')) < 40, 'the name is painted');
    assert.equal(await p.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(p.problems, []);
  });
});
