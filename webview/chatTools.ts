// Built-in tool steps (code execution, Google Search, URL context, file search, MCP, maps,
// retrieval, …) and the links they carry. A link is a button that asks the host to open it: the
// host goes through VS Code's external-link confirmation; the webview never navigates.
import type { ValueRef } from '../src/contract/protocol';
import { el, icon, linkButton, type Child } from './dom';
import { jsonTree } from './jsonTree';
import type { ChatActions, Part, PartView } from './chatTypes';
import { longText, textOf } from './longText';
type ToolCall = Extract<Part, { kind: 'toolCall' }>;
type ToolResult = Extract<Part, { kind: 'toolResult' }>;

const TOOLS: Record<string, { icon: string; label: string }> = {
  code_execution: { icon: 'code', label: 'Code execution' },
  google_search: { icon: 'search', label: 'Google Search' },
  google_maps: { icon: 'location', label: 'Google Maps' },
  url_context: { icon: 'link', label: 'URL context' },
  file_search: { icon: 'files', label: 'File search' },
  retrieval: { icon: 'database', label: 'Retrieval' },
  mcp: { icon: 'plug', label: 'MCP' },
  processing: { icon: 'gear', label: 'Processing' },
};

function toolOf(name: unknown): { icon: string; label: string } {
  const t = textOf(name);
  return TOOLS[t] ?? { icon: 'tools', label: t || 'Tool' };
}

const sub = (ref: ValueRef, ...path: (string | number)[]): ValueRef => ({ ...ref, path: [...ref.path, ...path] });

/** http(s) links open through the host; anything else is shown as text only. */
export function linkList(links: readonly { url: unknown; title?: unknown }[], ctx: ChatActions): HTMLElement {
  const list = el('ul', { class: 'links' });
  for (const l of links) {
    const url = textOf(l.url);
    const title = textOf(l.title);
    const safe = /^https?:\/\//i.test(url);
    const label = title || url;
    list.appendChild(
      el(
        'li',
        null,
        safe ? linkButton(label, `Open ${url} in the browser (VS Code asks before opening it)`, () => ctx.openLink(url), 'ext-link') : el('span', null, label),
        title && title !== url ? el('span', { class: 'muted link-url' }, ` ${url}`) : null,
      ),
    );
  }
  return list;
}

function queries(list: readonly unknown[] | undefined): HTMLElement | null {
  if (!list?.length) return null;
  return el('ul', { class: 'queries' }, ...list.map((q) => el('li', null, icon('search'), ` ${textOf(q)}`)));
}

function box(...children: Child[]): HTMLElement {
  return el('div', { class: 'tool-body' }, ...children);
}

export function toolView(p: ToolCall | ToolResult, ref: ValueRef, ctx: ChatActions): PartView {
  return p.kind === 'toolCall' ? callView(p, ref, ctx) : resultView(p, ref, ctx);
}

function callView(p: ToolCall, ref: ValueRef, ctx: ChatActions): PartView {
  if (p.tool === 'code_execution') {
    return { cls: 'part-code', icon: 'code', title: [` Code${p.language ? ` (${textOf(p.language)})` : ''}`], body: longText(p.code ?? '', ctx, { cls: 'code' }) };
  }
  const t = toolOf(p.tool);
  const title: Child[] = [` ${t.label}`];
  if (p.tool === 'mcp') title.push(' ', el('code', null, textOf(p.name)), p.server ? el('span', { class: 'muted' }, ` on ${textOf(p.server)}`) : null);
  else if (p.name) title.push(el('span', { class: 'muted' }, ` (${textOf(p.name)})`));
  const urls = p.urls?.length ? linkList(p.urls.map((u) => ({ url: u })), ctx) : null;
  const args = p.args !== undefined ? jsonTree(p.args, ctx, { ref: sub(ref, 'args'), expandDepth: 2 }) : null;
  const body = queries(p.queries) || urls || args ? box(queries(p.queries), urls, args) : undefined;
  return { cls: `part-tool tool-${safeClass(p.tool)}`, icon: t.icon, title, body };
}

function resultView(p: ToolResult, ref: ValueRef, ctx: ChatActions): PartView {
  const err = p.isError ? el('span', { class: 'chip warn' }, icon('error'), ' error') : null;
  if (p.tool === 'code_execution' && p.output !== undefined) {
    return { cls: 'part-code', icon: 'terminal', title: [` Result${p.outcome ? `: ${textOf(p.outcome)}` : ''}`, err], body: longText(p.output, ctx, { cls: 'code' }) };
  }
  const t = toolOf(p.tool);
  const title: Child[] = [` ${t.label} result`];
  if (p.name) title.push(' ', el('code', null, textOf(p.name)));
  title.push(err);
  const parts: Child[] = [];
  if (p.links?.length) parts.push(linkList(p.links, ctx));
  if (p.urls?.length) parts.push(urlTable(p.urls, ctx));
  if (p.output !== undefined) {
    // Search suggestions are an HTML snippet meant for a browser: shown as text, never rendered.
    parts.push(p.tool === 'google_search' ? el('details', { class: 'suggestions' }, el('summary', null, 'Search suggestions (HTML, shown as text)'), longText(p.output, ctx, { cls: 'code' })) : longText(p.output, ctx, { markdown: p.tool === 'mcp' }));
  }
  if (p.result !== undefined) parts.push(jsonTree(p.result, ctx, { ref: sub(ref, 'result'), expandDepth: 2 }));
  return { cls: `part-tool tool-${safeClass(p.tool)}`, icon: p.tool === 'google_search' ? 'globe' : t.icon, title, body: parts.length ? box(...parts) : undefined };
}

function urlTable(urls: readonly { url: unknown; status?: unknown }[], ctx: ChatActions): HTMLElement {
  const t = el('table', { class: 'kv-table url-status' });
  for (const u of urls) {
    const status = textOf(u.status);
    const ok = /success/i.test(status);
    t.appendChild(
      el(
        'tr',
        null,
        el('td', null, linkList([{ url: u.url }], ctx)),
        el('td', null, el('span', { class: `chip ${ok ? '' : 'warn'}`.trim(), title: 'How the URL was retrieved' }, icon(ok ? 'pass' : 'warning'), ` ${status || 'status not recorded'}`)),
      ),
    );
  }
  return t;
}

function safeClass(s: unknown): string {
  const t = textOf(s).toLowerCase();
  return /^[a-z0-9_-]{1,40}$/.test(t) ? t : 'other';
}
