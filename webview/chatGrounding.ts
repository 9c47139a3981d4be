// A grounded answer: each stretch of text that sources support, marked, with numbered source chips
// (its number and the site); sentences no source supports are marked as such. Chips open their
// URL only through the host (VS Code asks before opening it). Below: the sources, the search
// queries, the URLs read with their status, Google's search suggestions as text, and supports that
// could not be placed, as recorded. Everything from the trace is set as text.
import type { ChatView } from '../src/contract/protocol';
import { el, icon, linkButton, type Child } from './dom';
import { jsonTree } from './jsonTree';
import type { ChatActions } from './chatTypes';
import { longText, textOf } from './longText';

export type GroundingView = NonNullable<ChatView['response'][number]['grounding']>;
type Support = NonNullable<GroundingView['supports']>[number];
type Link = GroundingView['links'][number];

/** A source's site: the API's domain, a title that is a host name (Gemini's titles often are),
 *  else the URL's host. */
export function domainOf(l: Link): string {
  const d = textOf(l.domain);
  if (d) return d;
  const t = textOf(l.title);
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(t)) return t;
  try {
    return new URL(textOf(l.url)).hostname;
  } catch {
    return '';
  }
}

function chip(n: number, link: Link | undefined, ctx: ChatActions): HTMLElement {
  if (!link) return el('span', { class: 'source-chip missing', title: 'The cited source is missing from the grounding metadata' }, `${n}?`);
  const url = textOf(link.url);
  const site = domainOf(link);
  const title = textOf(link.title);
  const label: Child[] = [el('span', { class: 'chip-n' }, String(n)), site ? el('span', { class: 'chip-site' }, ` ${site}`) : null];
  if (!/^https?:\/\//i.test(url)) return el('span', { class: 'source-chip', title: `${title || site} — ${url}` }, ...label);
  return linkButton(el('span', null, ...label), `${title && title !== site ? `${title} — ` : ''}${site || url}: open in the browser (VS Code asks first)`, () => ctx.openLink(url), 'source-chip');
}

/** Text outside every supported stretch, sentence by sentence; sentences with words are marked. */
function unsupported(text: string, out: HTMLElement): void {
  for (const m of text.matchAll(/[^.!?\n]+[.!?]*["')\]]*\s*|\n+|[.!?]+\s*/g)) {
    const [, lead, s, tail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(m[0])!;
    if (lead) out.appendChild(document.createTextNode(lead));
    if (/[\p{L}\p{N}]{2,}/u.test(s) && !/^(#+|[-*>]|\d+\.)?$/.test(s)) out.appendChild(el('span', { class: 'ungrounded', title: 'No source supports this sentence' }, s));
    else if (s) out.appendChild(document.createTextNode(s));
    if (tail) out.appendChild(document.createTextNode(tail));
  }
}

/** The text of one part with its supports. Overlapping supports are shown from where the
 *  previous one ended, so no character is repeated. */
export function groundedText(text: string, supports: readonly Support[], g: GroundingView, ctx: ChatActions): HTMLElement {
  const box = el('div', { class: 'grounded-text', attrs: { 'data-supports': String(supports.length) } });
  let at = 0;
  for (const s of [...supports].sort((a, b) => a.start - b.start)) {
    const start = Math.max(at, Math.min(s.start, text.length));
    const end = Math.min(s.end, text.length);
    if (end <= start) continue;
    if (start > at) unsupported(text.slice(at, start), box);
    const sources = s.sources.length ? s.sources : [-1];
    const seg = el('mark', { class: 'grounded', attrs: { 'data-sources': sources.map((i) => i + 1).join(',') } }, text.slice(start, end));
    box.appendChild(seg);
    box.appendChild(el('span', { class: 'chips' }, ...sources.map((i) => chip(i + 1, i >= 0 ? g.links[i] : undefined, ctx))));
    at = end;
  }
  if (at < text.length) unsupported(text.slice(at), box);
  return box;
}

/** The sources, queries, URL statuses, search suggestions and unplaced supports. */
export function groundingDetails(g: GroundingView, ctx: ChatActions): HTMLElement {
  const n = g.links.length;
  const d = el('details', { class: 'grounding' }, el('summary', null, icon('globe'), ` Grounding · ${n} source${n === 1 ? '' : 's'}${g.supports?.length ? ` · ${g.supports.length} supported stretch${g.supports.length === 1 ? '' : 'es'}` : ''}`));
  d.open = true;
  if (g.queries.length) d.appendChild(el('div', { class: 'grounding-queries' }, el('div', { class: 'sub-h' }, 'Search queries'), el('ul', { class: 'queries' }, ...g.queries.map((q) => el('li', null, icon('search'), ` ${textOf(q)}`)))));
  if (n) {
    const list = el('ol', { class: 'sources' });
    g.links.forEach((l, i) => list.appendChild(el('li', null, chip(i + 1, l, ctx), ' ', el('span', null, textOf(l.title) || textOf(l.url)), textOf(l.title) ? el('span', { class: 'muted link-url' }, ` ${textOf(l.url)}`) : null)));
    d.appendChild(el('div', null, el('div', { class: 'sub-h' }, 'Sources'), list));
  }
  if (g.urls.length) {
    const t = el('table', { class: 'kv-table url-status' });
    for (const u of g.urls) {
      const status = textOf(u.status) || 'status not recorded';
      const ok = /success/i.test(status);
      t.appendChild(el('tr', null, el('td', null, textOf(u.url)), el('td', null, el('span', { class: `chip ${ok ? '' : 'warn'}`.trim() }, icon(ok ? 'pass' : 'warning'), ` ${status}`))));
    }
    d.appendChild(el('div', null, el('div', { class: 'sub-h' }, 'URLs read'), t));
  }
  if (g.entryPoint) d.appendChild(el('details', { class: 'suggestions' }, el('summary', null, 'Search suggestions (HTML, shown as text)'), longText(g.entryPoint, ctx, { cls: 'code' })));
  if (g.unplaced?.length) {
    d.appendChild(el('div', { class: 'chat-note warning', role: 'note' }, icon('warning'), ` ${g.unplaced.length} support${g.unplaced.length === 1 ? '' : 's'} could not be placed in the text (their indices do not match it); as recorded:`));
    d.appendChild(jsonTree(g.unplaced, ctx, { expandDepth: 2 }));
  }
  return d;
}
