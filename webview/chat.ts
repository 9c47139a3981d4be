// The Chat tab: a model call shown the way its API shapes it. Roles, text parts as Markdown,
// function calls and responses with their JSON, thinking folded away, media noted (never dumped),
// then the answer: each candidate with its finish reason, safety ratings and grounding, or an
// ordered run of steps (an interaction, a Live turn). Warnings and errors come first.
import type { ChatView, ValueRef } from '../src/contract/protocol';
import { el, icon } from './dom';
import { count, tokenSplit } from './format';
import { jsonTree } from './jsonTree';
import { groundingDetails } from './chatGrounding';
import { inlinePart } from './chatParts';
import { renderSteps } from './chatSteps';
import type { ChatActions, Part, PartGrounding } from './chatTypes';
import { textOf } from './longText';

type Message = ChatView['request'][number];
type Choice = ChatView['response'][number];

export type { ChatActions } from './chatTypes';

const ROLE_ICON: Record<string, string> = { user: 'account', model: 'sparkle', assistant: 'sparkle', system: 'settings-gear', function: 'symbol-method', tool: 'tools' };
const DONE = new Set(['completed', 'complete', 'stop']);
const RUNNING = new Set(['in_progress', 'queued', 'requires_action', 'requires_continuation']);

export function renderChat(chat: ChatView, spanId: string, actions: ChatActions): HTMLElement {
  const root = el('div', { class: 'chat' });
  const ref = (path: (string | number)[]): ValueRef => ({ spanId, field: 'chat', path });
  const chips = meta(chat);
  if (chips) root.appendChild(chips);
  for (const w of chat.warnings ?? []) root.appendChild(el('div', { class: 'chat-note warning', role: 'note' }, icon('warning'), ' ', textOf(w)));
  for (const e of chat.errors ?? []) root.appendChild(el('div', { class: 'chat-note error', role: 'note' }, icon('error'), ' ', e.code ? el('strong', null, `${textOf(e.code)}: `) : null, textOf(e.message)));

  if (chat.system) root.appendChild(message(chat.system, 'system', ref(['system']), actions));
  chat.request.forEach((c, i) => root.appendChild(message(c, textOf(c.role) || 'user', ref(['request', i]), actions)));

  const afc = automaticCalls(chat, spanId, actions);
  if (afc) root.appendChild(afc);

  const n = chat.response.length;
  if (n) root.appendChild(el('div', { class: 'chat-divider', role: 'separator' }, n > 1 ? `Response · ${n} candidates` : 'Response'));
  if (chat.schemaCheck) root.appendChild(schemaBox(chat.schemaCheck));
  chat.response.forEach((cand, i) => {
    const label = n > 1 ? `Candidate ${i + 1}` : undefined;
    const mref = ref(['response', i, 'message']);
    const role = textOf(cand.message?.role) || 'model';
    const m = chat.ordered ? stepsMessage(cand.message, role, mref, actions, cand.grounding) : message(cand.message, role, mref, actions, label, cand.grounding);
    const foot = footer(cand, actions);
    if (foot) m.appendChild(foot);
    root.appendChild(m);
  });
  if (!chat.request.length && !chat.response.length) root.appendChild(el('p', { class: 'empty' }, 'This call carries no messages.'));

  const cfg = chat.config && typeof chat.config === 'object' ? Object.keys(chat.config) : [];
  if (cfg.length || chat.tools) {
    const extra = el('details', { class: 'chat-extra' }, el('summary', null, 'Configuration and tools'));
    if (cfg.length) extra.appendChild(jsonTree(chat.config, actions, { ref: ref(['config']), expandDepth: 1 }));
    if (chat.tools) extra.appendChild(el('div', { class: 'chat-tools' }, el('div', { class: 'sub-h' }, 'Tools'), jsonTree(chat.tools, actions, { ref: ref(['tools']), expandDepth: 2 })));
    root.appendChild(extra);
  }
  return root;
}

function meta(chat: ChatView): HTMLElement | undefined {
  const chips: HTMLElement[] = [];
  if (chat.model) chips.push(el('span', { class: 'chip' }, icon('sparkle'), ` ${textOf(chat.model)}`));
  if (chat.agent) chips.push(el('span', { class: 'chip', title: 'The agent this interaction ran' }, icon('robot'), ` ${textOf(chat.agent)}`));
  if (chat.usage) {
    const tool = chat.usage.toolUse ? ` · ${count(chat.usage.toolUse)} tool use` : '';
    chips.push(el('span', { class: 'chip', title: 'Tokens used by this call' }, icon('symbol-numeric'), ` ${tokenSplit(chat.usage)}${tool}`));
  }
  if (chat.status) {
    const s = textOf(chat.status);
    const kind = DONE.has(s.toLowerCase()) ? 'pass' : RUNNING.has(s.toLowerCase()) ? 'loading' : 'warning';
    chips.push(el('span', { class: `chip status ${kind === 'warning' ? 'warn' : ''}`.trim(), title: 'Status' }, icon(kind, kind === 'loading' ? 'codicon-modifier-spin' : ''), ` ${s}`));
  }
  const ids = chat.ids;
  if (ids?.interaction) chips.push(el('span', { class: 'chip muted', title: `Interaction id${ids.previous ? `; continues ${textOf(ids.previous)}` : ''}` }, icon('comment-discussion'), ` ${textOf(ids.interaction)}`));
  if (ids?.session) chips.push(el('span', { class: 'chip muted', title: 'Live session id' }, icon('broadcast'), ` ${textOf(ids.session)}`));
  return chips.length ? el('div', { class: 'chat-meta' }, ...chips) : undefined;
}

function footer(cand: Choice, actions: ChatActions): HTMLElement | undefined {
  const foot = el('div', { class: 'msg-foot' });
  if (cand.finishReason) {
    const fr = textOf(cand.finishReason);
    const ok = DONE.has(fr.toLowerCase());
    foot.appendChild(el('span', { class: `chip finish ${ok ? '' : 'warn'}`.trim(), title: 'Finish reason' }, icon(ok ? 'pass' : 'warning'), ` ${fr}`));
  }
  if (cand.safety?.length) foot.appendChild(safety(cand.safety));
  if (cand.grounding) foot.appendChild(groundingDetails(cand.grounding, actions));
  return foot.childElementCount ? foot : undefined;
}

/**
 * Calls the SDK made on the model's behalf (automatic function calling) that no message shows:
 * they live only in the response's history, so they get a block of their own, each call with
 * the response that answered it.
 */
function automaticCalls(chat: ChatView, spanId: string, actions: ChatActions): HTMLElement | undefined {
  const key = (name: unknown, v: unknown) => `${textOf(name)}\u0000${JSON.stringify(v ?? null)}`;
  const shownCalls = new Set<string>();
  const shownAnswers = new Set<string>();
  for (const c of [...chat.request, ...chat.response.map((x) => x.message)]) {
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

function responseBox(name: unknown, response: unknown, ref: ValueRef, actions: ChatActions): HTMLElement {
  return el('div', { class: 'part part-response' }, el('div', { class: 'part-h' }, icon('reply'), ' Response from ', el('code', null, textOf(name))), jsonTree(response ?? null, actions, { ref, expandDepth: 3 }));
}

function roleBox(role: string, label?: string): HTMLElement {
  const r = role.toLowerCase();
  const m = el('div', { class: `msg role-${/^[a-z_-]+$/.test(r) ? r : 'other'}` });
  m.appendChild(el('div', { class: 'msg-role' }, icon(ROLE_ICON[r] ?? 'comment'), ` ${label ?? role}`));
  return m;
}

function message(c: Message, role: string, ref: ValueRef, actions: ChatActions, label?: string, grounding?: PartGrounding): HTMLElement {
  const m = roleBox(role, label);
  const parts: readonly Part[] = Array.isArray(c?.parts) ? c.parts : [];
  if (!parts.length) m.appendChild(el('div', { class: 'empty' }, '(no parts)'));
  parts.forEach((p, i) => m.appendChild(inlinePart(p, { ...ref, path: [...ref.path, 'parts', i] }, actions, grounding)));
  return m;
}

function stepsMessage(c: Message, role: string, ref: ValueRef, actions: ChatActions, grounding?: PartGrounding): HTMLElement {
  const m = roleBox(role, 'Steps');
  m.appendChild(renderSteps(Array.isArray(c?.parts) ? c.parts : [], ref, actions, grounding));
  return m;
}

/** The structured-output check: valid, or each violation with where it is. */
function schemaBox(c: NonNullable<ChatView['schemaCheck']>): HTMLElement {
  const source = el('code', null, c.source);
  if (c.parseError) return el('div', { class: 'chat-note error schema-check', role: 'note' }, icon('error'), ' Response schema (', source, '): ', textOf(c.parseError));
  if (c.valid && !c.skipped?.length) return el('div', { class: 'schema-check valid', role: 'note' }, icon('pass'), ' The response matches its schema (', source, ').');
  const box = el('div', { class: `chat-note ${c.valid ? 'warning' : 'error'} schema-check`, role: 'note' });
  const head = c.valid ? 'The response matches its schema' : `The response breaks its schema: ${c.violations.length} violation${c.violations.length === 1 ? '' : 's'}`;
  const list = el('ul', { class: 'violations' }, ...c.violations.map((v) => el('li', null, el('code', null, textOf(v.path)), ` ${textOf(v.message)}`)));
  const skipped = c.skipped?.length ? el('div', { class: 'muted' }, `Not checked: ${c.skipped.map(textOf).join('; ')}`) : null;
  box.append(icon(c.valid ? 'warning' : 'error'), el('div', null, el('div', null, `${head} (`, source, ').'), c.violations.length ? list : null, skipped));
  return box;
}

function safety(ratings: NonNullable<Choice['safety']>): HTMLElement {
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
