// A deliberately tiny Markdown renderer for model text. It builds DOM with createElement and
// textContent only: no HTML is ever parsed, raw HTML in the text shows as text, and links show
// their text and target but are never navigable (no `command:` or any other URI can be followed).
import { el } from './dom';

const MAX_DEPTH = 6;
/** Beyond this many characters text is shown plainly: markup would only slow a huge value down. */
export const MARKDOWN_LIMIT = 200_000;

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( *)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

export function renderMarkdown(text: string, depth = 0): HTMLElement {
  const root = el('div', { class: 'md' });
  if (text.length > MARKDOWN_LIMIT || depth > MAX_DEPTH) {
    root.appendChild(el('div', { class: 'md-plain' }, text));
    return root;
  }
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m: RegExpExecArray | null;
    if (!line.trim()) {
      i++;
    } else if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence)) body.push(lines[i++]);
      i++; // the closing fence (or the end of the text)
      root.appendChild(codeBlock(body.join('\n'), m[2]));
    } else if ((m = HEADING.exec(line))) {
      root.appendChild(el('div', { class: `md-h md-h${m[1].length}`, role: 'heading', attrs: { 'aria-level': String(m[1].length) } }, inline(m[2])));
      i++;
    } else if (RULE.test(line)) {
      root.appendChild(el('hr', { class: 'md-rule' }));
      i++;
    } else if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && (m = QUOTE.exec(lines[i]))) {
        body.push(m[1]);
        i++;
      }
      const q = el('blockquote', { class: 'md-quote' });
      q.appendChild(renderMarkdown(body.join('\n'), depth + 1));
      root.appendChild(q);
    } else if ((m = ITEM.exec(line))) {
      i = list(lines, i, root, depth);
    } else if (line.includes('|') && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1])) {
      i = table(lines, i, root);
    } else {
      const para: string[] = [];
      while (i < lines.length && lines[i].trim() && !FENCE.test(lines[i]) && !HEADING.test(lines[i]) && !QUOTE.test(lines[i]) && !ITEM.test(lines[i]) && !RULE.test(lines[i])) {
        para.push(lines[i++]);
      }
      if (!para.length) para.push(lines[i++]);
      root.appendChild(el('p', { class: 'md-p' }, inline(para.join('\n'))));
    }
  }
  return root;
}

function codeBlock(code: string, lang: string): HTMLElement {
  const pre = el('pre', { class: 'md-code' });
  const c = el('code', lang ? { attrs: { 'data-lang': lang } } : null, code);
  pre.appendChild(c);
  if (lang) pre.appendChild(el('span', { class: 'md-code-lang' }, lang));
  return pre;
}

function list(lines: string[], start: number, root: HTMLElement, depth: number): number {
  const first = ITEM.exec(lines[start])!;
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const listEl = el(ordered ? 'ol' : 'ul', { class: 'md-list' });
  if (ordered) {
    const n = parseInt(first[2], 10);
    if (n !== 1) listEl.setAttribute('start', String(n));
  }
  let i = start;
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    const body = [m[3]];
    i++;
    // The item continues over indented lines and nested lists, up to a blank line or a sibling.
    while (i < lines.length && lines[i].trim()) {
      const n = ITEM.exec(lines[i]);
      if (n && n[1].length <= indent) break;
      if (!n && !/^\s/.test(lines[i]) && body.length && !ITEM.test(body[body.length - 1])) {
        body.push(lines[i++]);
        continue;
      }
      body.push(lines[i].slice(Math.min(indent + 2, lines[i].length - lines[i].trimStart().length)));
      i++;
    }
    const li = el('li');
    const rendered = renderMarkdown(body.join('\n'), depth + 1);
    // A one-paragraph item renders inline, without a paragraph's margins.
    if (rendered.childElementCount === 1 && rendered.firstElementChild?.classList.contains('md-p')) {
      while (rendered.firstElementChild.firstChild) li.appendChild(rendered.firstElementChild.firstChild);
    } else li.appendChild(rendered);
    listEl.appendChild(li);
    while (i < lines.length && !lines[i].trim() && i + 1 < lines.length && ITEM.exec(lines[i + 1])?.[1].length === indent) i++;
  }
  root.appendChild(listEl);
  return i;
}

function table(lines: string[], start: number, root: HTMLElement): number {
  const cells = (l: string) =>
    l
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((c) => c.trim());
  const head = cells(lines[start]);
  const t = el('table', { class: 'md-table' });
  const tr = el('tr');
  for (const h of head) tr.appendChild(el('th', null, inline(h)));
  t.appendChild(el('thead', null, tr));
  const body = el('tbody');
  let i = start + 2;
  while (i < lines.length && lines[i].includes('|') && lines[i].trim()) {
    const row = el('tr');
    for (const c of cells(lines[i])) row.appendChild(el('td', null, inline(c)));
    body.appendChild(row);
    i++;
  }
  t.appendChild(body);
  root.appendChild(el('div', { class: 'md-table-wrap' }, t));
  return i;
}

// `code`, **strong**, __strong__, *em*, _em_, ~~strike~~, [text](target), <autolink>
const INLINE = /`+|\*\*|__|~~|\*|_|\[|<(?=[a-z][\w+.-]*:[^\s>]*>)/gi;

export function inline(text: string, depth = 0): DocumentFragment {
  const f = document.createDocumentFragment();
  let at = 0;
  let plainFrom = 0;
  const flush = (to: number) => {
    if (to > plainFrom) f.appendChild(document.createTextNode(text.slice(plainFrom, to)));
  };
  INLINE.lastIndex = 0;
  while (at < text.length) {
    INLINE.lastIndex = at;
    const m = INLINE.exec(text);
    if (!m) break;
    const tok = m[0];
    const s = m.index;
    let end = -1;
    let node: Node | undefined;
    if (tok[0] === '`') {
      end = text.indexOf(tok, s + tok.length);
      if (end > s) {
        node = el('code', { class: 'md-inline-code' }, text.slice(s + tok.length, end));
        end += tok.length;
      }
    } else if (tok === '[') {
      const lm = /^\[([^\]\n]*)\]\(\s*([^)\s]*)(?:\s+"[^"]*")?\s*\)/.exec(text.slice(s));
      if (lm) {
        node = el('span', { class: 'md-link', title: lm[2] ? `Link target (not followed): ${lm[2]}` : '' }, lm[1] || lm[2], lm[2] && lm[1] !== lm[2] ? el('span', { class: 'md-link-target' }, ` (${lm[2]})`) : null);
        end = s + lm[0].length;
      }
    } else if (tok === '<') {
      const close = text.indexOf('>', s);
      node = el('span', { class: 'md-link' }, text.slice(s + 1, close));
      end = close + 1;
    } else if (depth < MAX_DEPTH) {
      // Emphasis needs a closing marker on the same stretch of text, and no space just inside.
      const close = text.indexOf(tok, s + tok.length);
      const inner = close > s ? text.slice(s + tok.length, close) : '';
      const wordy = tok === '_' || tok === '__';
      const okEdges = inner && !/^\s/.test(inner) && !/\s$/.test(inner) && !inner.includes('\n\n');
      const okWord = !wordy || ((s === 0 || !/\w/.test(text[s - 1])) && !/\w/.test(text[close + tok.length] ?? ''));
      if (close > s && okEdges && okWord) {
        const tag = tok === '~~' ? 's' : tok.length === 2 ? 'strong' : 'em';
        const e = el(tag);
        e.appendChild(inline(inner, depth + 1));
        node = e;
        end = close + tok.length;
      }
    }
    if (node && end > s) {
      flush(s);
      f.appendChild(node);
      at = plainFrom = end;
    } else at = s + tok.length;
  }
  plainFrom = Math.min(plainFrom, text.length);
  flush(text.length);
  return f;
}
