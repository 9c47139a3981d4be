// An ordered response (an interaction's steps, a Live turn's server messages) as a list of steps:
// each with its icon and a body that folds (native <details>: Enter and Space toggle it). A call
// and the result with its id sit side by side in one step, wherever the result came later.
import type { ValueRef } from '../src/contract/protocol';
import { el, icon, type Child } from './dom';
import { partView, signatureBadge, stepBadges, stepBox } from './chatParts';
import type { ChatActions, Part, PartGrounding } from './chatTypes';
import { textOf } from './longText';

function callId(p: Part): string | undefined {
  return (p.kind === 'functionCall' || p.kind === 'toolCall') && p.id ? textOf(p.id) : undefined;
}

function resultId(p: Part): string | undefined {
  return (p.kind === 'functionResponse' || p.kind === 'toolResult') && p.id ? textOf(p.id) : undefined;
}

export function renderSteps(parts: readonly Part[], ref: ValueRef, ctx: ChatActions, grounding?: PartGrounding): HTMLElement {
  const list = el('div', { class: 'steps', role: 'list' });
  const resultAt = new Map<string, number>();
  parts.forEach((p, i) => {
    const id = resultId(p);
    if (id !== undefined && !resultAt.has(id)) resultAt.set(id, i);
  });
  const paired = new Set<number>();
  parts.forEach((p, i) => {
    if (paired.has(i)) return;
    const at = (k: number): ValueRef => ({ ...ref, path: [...ref.path, 'parts', k] });
    const id = callId(p);
    const r = id !== undefined ? resultAt.get(id) : undefined;
    let item: HTMLElement;
    if (r !== undefined && r > i) {
      paired.add(r);
      item = pairBox(p, parts[r], at(i), at(r), ctx);
    } else item = stepBox(partView(p, at(i), ctx, grounding), stepBadges(p));
    item.setAttribute('role', 'listitem');
    list.appendChild(item);
  });
  if (!parts.length) list.appendChild(el('p', { class: 'empty' }, 'No steps recorded.'));
  return list;
}

/** A call and its result: the call's title, and the two bodies beside each other. */
function pairBox(call: Part, result: Part, callRef: ValueRef, resultRef: ValueRef, ctx: ChatActions): HTMLElement {
  const c = partView(call, callRef, ctx);
  const r = partView(result, resultRef, ctx);
  const side = (head: Child[], body: HTMLElement | undefined) => el('div', { class: 'pair-side' }, el('div', { class: 'pair-label' }, ...head), body ?? el('div', { class: 'muted' }, '(nothing recorded)'));
  const body = el('div', { class: 'step-pair' }, side([icon(c.icon), ' Call'], c.body), side([icon(r.icon), ...r.title, signatureBadge(result)], r.body));
  return stepBox({ ...c, body, open: true }, stepBadges(call), 'step-paired');
}
