// One part of a model call, two ways: inline in a message (the look generateContent calls have
// always had), or as a step of an ordered response (an interaction, a Live turn) with its own
// icon and a collapsible body. Both are built from the same view of the part.
import type { ValueRef } from '../src/contract/protocol';
import { el, icon, linkButton } from './dom';
import { count } from './format';
import { jsonTree } from './jsonTree';
import { groundedText } from './chatGrounding';
import { mediaView } from './chatMedia';
import { linkList, toolView } from './chatTools';
import type { ChatActions, Part, PartGrounding, PartView } from './chatTypes';
import { longText, textOf } from './longText';

const sub = (ref: ValueRef, ...path: (string | number)[]): ValueRef => ({ ...ref, path: [...ref.path, ...path] });

export function idNote(id: unknown): HTMLElement | null {
  return id ? el('span', { class: 'muted' }, ` #${textOf(id)}`) : null;
}

/** A thought signature came with the part: the API wants it sent back unchanged. */
export function signatureBadge(p: Part): HTMLElement | null {
  if (!('signature' in p) || !p.signature) return null;
  return el('span', { class: 'badge signature', title: 'A thought signature came with this part. Send it back unchanged on the next turn, or Gemini rejects the turn or loses its reasoning.' }, icon('key'), ' signature');
}

/** What a step of an ordered response carries beside its title: its signature, its tokens. */
export function stepBadges(p: Part): HTMLElement | null {
  const sig = signatureBadge(p);
  const tokens = typeof p.tokens === 'number' ? el('span', { class: 'chip muted step-tokens', title: 'Output and thinking tokens of this step, as the stream reported them' }, icon('symbol-numeric'), ` ${count(p.tokens)} tokens`) : null;
  return sig && tokens ? el('span', null, sig, ' ', tokens) : (sig ?? tokens);
}

export function partView(p: Part, ref: ValueRef, ctx: ChatActions, grounding?: PartGrounding): PartView {
  switch (p.kind) {
    case 'text': {
      const index = ref.path[ref.path.length - 1];
      const supports = grounding?.supports?.filter((s) => s.part === index) ?? [];
      if (supports.length && typeof p.text === 'string') return { cls: 'part-text', icon: 'comment', title: [' Text'], body: groundedBody(p.text, supports, grounding!, ctx) };
      const body = el('div', null, longText(p.text, ctx, { markdown: true }));
      if (p.citations?.length && !grounding?.supports?.length) body.appendChild(el('div', { class: 'citations' }, el('div', { class: 'sub-h' }, 'Sources'), linkList(p.citations, ctx)));
      return { cls: 'part-text', icon: 'comment', title: [' Text'], body };
    }
    case 'thought':
      return { cls: 'part-thought', icon: 'lightbulb', title: [' Thinking'], body: textOf(p.text) ? longText(p.text, ctx, { markdown: true }) : el('div', { class: 'muted' }, '(no summary recorded)'), open: false };
    case 'functionCall':
      return { cls: 'part-call', icon: 'symbol-method', title: [' Function call ', el('code', null, textOf(p.name)), idNote(p.id)], body: jsonTree(p.args ?? {}, ctx, { ref: sub(ref, 'args'), expandDepth: 3 }) };
    case 'functionResponse':
      return {
        cls: 'part-response',
        icon: 'reply',
        title: [' Function response ', el('code', null, textOf(p.name)), idNote(p.id), p.isError ? el('span', { class: 'chip warn' }, 'error') : null],
        body: jsonTree(p.response ?? null, ctx, { ref: sub(ref, 'response'), expandDepth: 3 }),
      };
    case 'media':
      return mediaView(p, ref, ctx);
    case 'toolCall':
    case 'toolResult':
      return toolView(p, ref, ctx);
    case 'transcription':
      return { cls: 'part-transcript', icon: p.of === 'input' ? 'mic' : 'unmute', title: [p.of === 'input' ? ' Heard' : ' Spoken'], body: longText(p.text, ctx) };
    case 'event':
      return { cls: 'part-event', icon: 'info', title: [` ${textOf(p.name)}`, p.detail ? el('span', { class: 'muted' }, ` — ${textOf(p.detail)}`) : null] };
    default: {
      const o = p as { type?: unknown; value?: unknown };
      return { cls: 'part-other', icon: 'json', title: [' Unknown part', o.type ? el('code', null, ` ${textOf(o.type)}`) : null], body: jsonTree(o.value ?? p, ctx, { ref: sub(ref, 'value'), expandDepth: 1 }) };
    }
  }
}

/** Supported stretches marked with their source chips; the Markdown rendering one click away. */
function groundedBody(text: string, supports: Parameters<typeof groundedText>[1], g: PartGrounding, ctx: ChatActions): HTMLElement {
  const grounded = groundedText(text, supports, g, ctx);
  const rendered = longText(text, ctx, { markdown: true });
  rendered.hidden = true;
  const toggle = linkButton('Show as Markdown', 'Switch between the grounded text and its Markdown rendering', () => {
    rendered.hidden = !rendered.hidden;
    grounded.hidden = !rendered.hidden;
    toggle.textContent = rendered.hidden ? 'Show as Markdown' : 'Show sources in the text';
  }, 'grounded-toggle');
  return el('div', { class: 'grounded-part' }, grounded, rendered, el('div', { class: 'grounded-legend muted' }, el('mark', { class: 'grounded' }, 'supported'), ' · ', el('span', { class: 'ungrounded' }, 'no source'), ' · ', toggle));
}

/** A part inside a message. */
export function inlinePart(p: Part, ref: ValueRef, ctx: ChatActions, grounding?: PartGrounding): HTMLElement {
  const v = partView(p, ref, ctx, grounding);
  const badge = signatureBadge(p);
  if (p.kind === 'thought') return el('details', { class: 'part part-thought' }, el('summary', null, icon(v.icon), ...v.title, badge), v.body ?? null);
  if (p.kind === 'text') return el('div', { class: 'part part-text' }, badge, ...(v.body ? [...v.body.childNodes] : []));
  if (!v.body) return el('div', { class: `part ${v.cls}` }, icon(v.icon), ...v.title, badge);
  // A plain Gemini part keeps its old look: the raw JSON of an unknown one, without a header.
  if (p.kind === 'other') return el('div', { class: 'part part-other' }, v.body);
  return el('div', { class: `part ${v.cls}` }, el('div', { class: 'part-h' }, icon(v.icon), ...v.title, badge), v.body);
}

/** A part as one step of an ordered response: an icon, a title, and a body that folds. */
export function stepBox(v: PartView, badge: HTMLElement | null, extraClass = ''): HTMLElement {
  if (!v.body) return el('div', { class: `step step-line ${v.cls} ${extraClass}`.trim() }, icon(v.icon), ...v.title, badge);
  const d = el('details', { class: `step ${v.cls} ${extraClass}`.trim() }, el('summary', { class: 'step-h' }, icon(v.icon), ...v.title, badge), el('div', { class: 'step-body' }, v.body));
  d.open = v.open ?? true;
  return d;
}
