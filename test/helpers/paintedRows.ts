// What the trace panel's row canvas painted, read back as pixels: the rows are drawn on a canvas
// (webview/rowPainter.ts), so colours are checked there, found through the row element that
// stands over the painted row.
import type { Page } from 'playwright-core';

/** The whole row, the type icon, the name cell after the icon, its last 50 px (the latency), the bar cell. */
export type RowPart = 'row' | 'icon' | 'name' | 'meta' | 'bar';

/** The colours ('#rrggbb') painted in one part of the row under the element matching `selector`,
 *  with how many pixels have each; null when no such row element is shown. */
export async function paintedColours(page: Page, selector: string, part: RowPart): Promise<Map<string, number> | null> {
  const counts = await page.evaluate(
    ([sel, which]) => {
      const row = document.querySelector<HTMLElement>(sel);
      const canvas = document.querySelector<HTMLCanvasElement>('.rows-canvas');
      if (!row || row.hidden || !canvas) return null;
      const cr = canvas.getBoundingClientRect();
      const rr = row.getBoundingClientRect();
      const cell = row.querySelector<HTMLElement>('.name-cell')!;
      const nameW = cell.getBoundingClientRect().width;
      const indent = parseFloat(cell.style.paddingLeft) || 0;
      const [x0, x1] = which === 'row' ? [0, cr.width] : which === 'icon' ? [indent + 16, indent + 34] : which === 'name' ? [indent + 34, nameW - 8] : which === 'meta' ? [nameW - 58, nameW - 8] : [nameW + 8, cr.width - 8];
      const k = canvas.width / cr.width;
      const y0 = rr.top - cr.top;
      const img = canvas.getContext('2d')!.getImageData(Math.round(x0 * k), Math.round((y0 + 1) * k), Math.max(1, Math.round((x1 - x0) * k)), Math.round(20 * k));
      const out: Record<string, number> = {};
      for (let o = 0; o < img.data.length; o += 4) {
        const hex = `#${[0, 1, 2].map((c) => img.data[o + c].toString(16).padStart(2, '0')).join('')}`;
        out[hex] = (out[hex] ?? 0) + 1;
      }
      return out;
    },
    [selector, part] as const,
  );
  return counts ? new Map(Object.entries(counts)) : null;
}

/** The colour painted most in that part. */
export function dominant(colours: Map<string, number> | null): string | undefined {
  return colours ? [...colours].sort((a, b) => b[1] - a[1])[0]?.[0] : undefined;
}

/** How near ('#rrggbb' RGB distance) the nearest painted colour comes to `target`: anti-aliased
 *  glyphs have few pixels of their exact colour. */
export function nearest(colours: Map<string, number> | null, target: string): number {
  const rgb = (h: string) => [1, 3, 5].map((o) => parseInt(h.slice(o, o + 2), 16));
  const t = rgb(target);
  let best = Infinity;
  for (const c of colours?.keys() ?? []) best = Math.min(best, Math.hypot(...rgb(c).map((v, k) => v - t[k])));
  return best;
}

/** How many shown rows have a bar painted: something other than the background in their bar part. */
export async function rowsWithBars(page: Page): Promise<number> {
  const ids = await page.locator('.row-semantics .row:not([hidden])').evaluateAll((rows) => rows.map((r) => r.id));
  let n = 0;
  for (const id of ids) {
    const c = await paintedColours(page, `#${id}`, 'bar');
    if (c && c.size > 1) n++;
  }
  return n;
}

/** The page's value of a --vscode-* colour, as '#rrggbb'. */
export function themeColour(page: Page, name: string): Promise<string> {
  return page.evaluate((n) => getComputedStyle(document.body).getPropertyValue(n).trim().toLowerCase().slice(0, 7), name);
}
