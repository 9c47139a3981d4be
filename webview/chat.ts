// The Chat tab: a Gemini call shown the way Gemini shapes it. Roles, text parts as Markdown,
// function calls and responses with their JSON, thinking folded away, inline data noted (never
// dumped), then each candidate with its finish reason and safety ratings.
import type { ChatView, ValueRef } from '../src/panel/protocol';
import { el, icon } from './dom';
import { bytes, tokenSplit } from './format';
import { jsonTree } from './jsonTree';
import { longText, textOf, type ValueActions } from './longText';

type Content = NonNullable<ChatView['systemInstruction']>;
type Part = Content['parts'][number];

const ROLE_ICON: Record<string, string> = { user: 'account', model: 'sparkle', system: 'settings-gear', function: 'symbol-method', tool: 'tools' };

export function renderChat(chat: ChatView, spanId: string, actions: ValueActions): HTMLElement {
  const root = el('div', { class: 'chat' });
  const ref = (path: (string | number)[]): ValueRef => ({ spanId, field: 'chat', path });
  const meta: (string | HTMLElement)[] = [];
  if (chat.model) meta.push(el('span', { class: 'chip' }, icon('sparkle'), ` ${textOf(chat.model)}`));
  if (chat.usage) meta.push(el('span', { class: 'chip', title: 'Tokens used by this call' }, icon('symbol-numeric'), ` ${tokenSplit(chat.usage)}`));
  if (meta.length) root.appendChild(el('div', { class: 'chat-meta' }, ...meta));

  if (chat.systemInstruction) root.appendChild(message(chat.systemInstruction, 'system', ref(['systemInstruction']), actions));
  chat.contents.forEach((c, i) => root.appendChild(message(c, textOf(c.role) || 'user', ref(['contents', i]), actions)));

  const afc = automaticCalls(chat, spanId, actions);
  if (afc) root.appendChild(afc);

  if (chat.candidates.length) {
    root.appendChild(el('div', { class: 'chat-divider', role: 'separator' }, chat.candidates.length > 1 ? `Response · ${chat.candidates.length} candidates` : 'Response'));
  }
  chat.candidates.forEach((cand, i) => {
    const m = message(cand.content, textOf(cand.content?.role) || 'model', ref(['candidates', i, 'content']), actions, chat.candidates.length > 1 ? `Candidate ${i + 1}` : undefined);
    const foot = el('div', { class: 'msg-foot' });
    if (cand.finishReason) {
      const fr = textOf(cand.finishReason);
      foot.appendChild(el('span', { class: `chip finish ${fr === 'STOP' ? '' : 'warn'}`.trim(), title: 'Finish reason' }, icon(fr === 'STOP' ? 'pass' : 'warning'), ` ${fr}`));
    }
    if (cand.safetyRatings?.length) foot.appendChild(safety(cand.safetyRatings));
    if (foot.childElementCount) m.appendChild(foot);
    root.appendChild(m);
  });
  if (!chat.contents.length && !chat.candidates.length) root.appendChild(el('p', { class: 'empty' }, 'This call carries no messages.'));

  const cfg = chat.config && typeof chat.config === 'object' ? Object.keys(chat.config) : [];
  if (cfg.length || chat.tools) {
    const extra = el('details', { class: 'chat-extra' }, el('summary', null, 'Configuration and tools'));
    if (cfg.length) extra.appendChild(jsonTree(chat.config, actions, { ref: ref(['config']), expandDepth: 1 }));
    if (chat.tools) extra.appendChild(el('div', { class: 'chat-tools' }, el('div', { class: 'sub-h' }, 'Tools'), jsonTree(chat.tools, actions, { ref: ref(['tools']), expandDepth: 2 })));
    root.appendChild(extra);
  }
  return root;
}

/**
 * Calls the SDK made on the model's behalf (automatic function calling) that no message shows:
 * they live only in the response's history, so they get a block of their own, each call with
 * the response that answered it.
 */
function automaticCalls(chat: ChatView, spanId: string, actions: ValueActions): HTMLElement | undefined {
  const key = (name: unknown, v: unknown) => `${textOf(name)}\u0000${JSON.stringify(v ?? null)}`;
  const shownCalls = new Set<string>();
  const shownAnswers = new Set<string>();
  for (const c of [...chat.contents, ...chat.candidates.map((x) => x.content)]) {
    for (const p of c?.parts ?? []) {
      if (p.kind === 'functionCall') shownCalls.add(key(p.name, p.args));
      if (p.kind === 'functionResponse') shownAnswers.add(key(p.name, p.response));
    }
  }
  const calls = (chat.functionCalls ?? []).map((c, i) => ({ c, i })).filter(({ c }) => !shownCalls.has(key(c.name, c.args)));
  const answers = (chat.functionResponses ?? []).map((r, i) => ({ r, i })).filter(({ r }) => !shownAnswers.has(key(r.name, r.response)));
  if (!calls.length && !answers.length) return undefined;
  const box = el('div', { class: 'msg role-function' }, el('div', { class: 'msg-role' }, icon('symbol-method'), ' Automatic function calling'));
  const ref = (path: (string | number)[]): ValueRef => ({ spanId, field: 'chat', path });
  const used = new Set<number>();
  for (const { c, i } of calls) {
    box.appendChild(
      el('div', { class: 'part part-call' }, el('div', { class: 'part-h' }, icon('symbol-method'), ' Call ', el('code', null, textOf(c.name))), jsonTree(c.args ?? {}, actions, { ref: ref(['functionCalls', i, 'args']), expandDepth: 3 })),
    );
    // Its answer: the same id, else the next unused response of the same name.
    const match = answers.find(({ r, i: k }) => !used.has(k) && (c.id ? r.id === c.id : textOf(r.name) === textOf(c.name)));
    if (match) {
      used.add(match.i);
      box.appendChild(responseBox(match.r.name, match.r.response, ref(['functionResponses', match.i, 'response']), actions));
    }
  }
  for (const { r, i } of answers) if (!used.has(i)) box.appendChild(responseBox(r.name, r.response, ref(['functionResponses', i, 'response']), actions));
  return box;
}

function responseBox(name: unknown, response: unknown, ref: ValueRef, actions: ValueActions): HTMLElement {
  return el('div', { class: 'part part-response' }, el('div', { class: 'part-h' }, icon('reply'), ' Response from ', el('code', null, textOf(name))), jsonTree(response ?? null, actions, { ref, expandDepth: 3 }));
}

function message(c: Content, role: string, ref: ValueRef, actions: ValueActions, label?: string): HTMLElement {
  const r = role.toLowerCase();
  const m = el('div', { class: `msg role-${/^[a-z_-]+$/.test(r) ? r : 'other'}` });
  m.appendChild(el('div', { class: 'msg-role' }, icon(ROLE_ICON[r] ?? 'comment'), ` ${label ?? role}`));
  const parts = Array.isArray(c?.parts) ? c.parts : [];
  if (!parts.length) m.appendChild(el('div', { class: 'empty' }, '(no parts)'));
  parts.forEach((p, i) => m.appendChild(part(p, { ...ref, path: [...ref.path, 'parts', i] }, actions)));
  return m;
}

function part(p: Part, ref: ValueRef, actions: ValueActions): HTMLElement {
  switch (p.kind) {
    case 'text':
      return el('div', { class: 'part part-text' }, longText(p.text, actions, { markdown: true }));
    case 'thought': {
      const d = el('details', { class: 'part part-thought' }, el('summary', null, icon('lightbulb'), ' Thinking'));
      d.appendChild(longText(p.text, actions, { markdown: true }));
      return d;
    }
    case 'functionCall':
      return el(
        'div',
        { class: 'part part-call' },
        el('div', { class: 'part-h' }, icon('symbol-method'), ' Function call ', el('code', null, textOf(p.name)), p.id ? el('span', { class: 'muted' }, ` #${textOf(p.id)}`) : null),
        jsonTree(p.args ?? {}, actions, { ref: { ...ref, path: [...ref.path, 'args'] }, expandDepth: 3 }),
      );
    case 'functionResponse':
      return el(
        'div',
        { class: 'part part-response' },
        el('div', { class: 'part-h' }, icon('reply'), ' Function response ', el('code', null, textOf(p.name)), p.id ? el('span', { class: 'muted' }, ` #${textOf(p.id)}`) : null),
        jsonTree(p.response ?? null, actions, { ref: { ...ref, path: [...ref.path, 'response'] }, expandDepth: 3 }),
      );
    case 'inlineData':
      return el('div', { class: 'part part-data' }, icon('file-media'), ` Inline data: ${textOf(p.mimeType) || 'unknown type'}, ${bytes(p.bytes)} (not shown)`);
    case 'fileData':
      return el('div', { class: 'part part-data' }, icon('file'), ` File: `, el('span', { class: 'md-link' }, textOf(p.uri)), p.mimeType ? ` (${textOf(p.mimeType)})` : '');
    case 'executableCode':
      return el('div', { class: 'part part-code' }, el('div', { class: 'part-h' }, icon('code'), ` Code${p.language ? ` (${textOf(p.language)})` : ''}`), longText(p.code, actions, { cls: 'code' }));
    case 'codeExecutionResult':
      return el('div', { class: 'part part-code' }, el('div', { class: 'part-h' }, icon('terminal'), ` Result${p.outcome ? `: ${textOf(p.outcome)}` : ''}`), longText(p.output, actions, { cls: 'code' }));
    default:
      return el('div', { class: 'part part-other' }, jsonTree((p as { value?: unknown }).value ?? p, actions, { ref: { ...ref, path: [...ref.path, 'value'] }, expandDepth: 1 }));
  }
}

function safety(ratings: NonNullable<ChatView['candidates'][number]['safetyRatings']>): HTMLElement {
  const d = el('details', { class: 'safety' });
  const flagged = ratings.filter((r) => r.blocked || !['NEGLIGIBLE', 'LOW'].includes(textOf(r.probability)));
  d.appendChild(el('summary', null, icon(flagged.length ? 'warning' : 'shield'), ` Safety ratings${flagged.length ? ` · ${flagged.length} flagged` : ''}`));
  const t = el('table', { class: 'kv-table' });
  for (const r of ratings) {
    const cat = textOf(r.category).replace(/^HARM_CATEGORY_/, '').replace(/_/g, ' ').toLowerCase();
    t.appendChild(el('tr', { class: r.blocked ? 'blocked' : '' }, el('td', null, cat), el('td', null, textOf(r.probability), r.blocked ? ' (blocked)' : '')));
  }
  d.appendChild(t);
  if (flagged.length) d.open = true;
  return d;
}
