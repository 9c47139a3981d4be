// A collapsible JSON tree. Children are built only when a node opens, and at most PAGE at a time,
// so a 100,000-item array costs nothing until someone asks to see it. Copy buttons copy the whole
// value, fetching clipped parts from the host first.
import type { ValueRef } from '../src/contract/protocol';
import { isClipped } from '../src/contract/protocol';
import { el, icon, iconButton, linkButton } from './dom';
import { count } from './format';
import { longText, type ValueActions } from './longText';

const PAGE = 100;
/** Strings longer than this, or with line breaks, get a block of their own under the key. */
const INLINE_STRING = 120;

export interface JsonTreeOptions {
  /** Where the root value lives, so copy and "open in editor" can ask for the whole of it. */
  ref?: ValueRef;
  /** Levels open at first. */
  expandDepth?: number;
}

export function jsonTree(value: unknown, actions: ValueActions, opts: JsonTreeOptions = {}): HTMLElement {
  const root = el('div', { class: 'json-tree', role: 'tree' });
  root.appendChild(node(undefined, value, 0, opts.ref, actions, opts.expandDepth ?? 2));
  return root;
}

function isComposite(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null && !isClipped(v);
}

function hasClipped(v: unknown, budget = { n: 10_000 }): boolean {
  if (isClipped(v)) return true;
  if (!isComposite(v) || --budget.n < 0) return false;
  for (const c of Array.isArray(v) ? v : Object.values(v)) if (hasClipped(c, budget)) return true;
  return false;
}

function preview(v: Record<string, unknown> | unknown[]): string {
  if (Array.isArray(v)) {
    const rest = v.length && isClipped(v[v.length - 1]) ? (v[v.length - 1] as { omitted: number }).omitted : 0;
    return `Array(${count(v.length - (rest ? 1 : 0) + rest)})`;
  }
  const keys = Object.keys(v);
  const shown = keys.slice(0, 4).join(', ');
  return `{${shown}${keys.length > 4 ? ', …' : ''}}`;
}

function leaf(v: unknown, actions: ValueActions): HTMLElement {
  if (typeof v === 'string') {
    if (v.length > INLINE_STRING || v.includes('\n')) return longText(v, actions, { cls: 'json-long' });
    return el('span', { class: 'jv jv-string' }, JSON.stringify(v));
  }
  if (isClipped(v) && v.$clipped === 'string') return longText(v, actions, { cls: 'json-long' });
  if (typeof v === 'number') return el('span', { class: 'jv jv-number' }, String(v));
  if (typeof v === 'boolean') return el('span', { class: 'jv jv-boolean' }, String(v));
  if (v === null) return el('span', { class: 'jv jv-null' }, 'null');
  if (v === undefined) return el('span', { class: 'jv jv-null' }, 'undefined');
  return el('span', { class: 'jv' }, String(v));
}

function node(key: string | number | undefined, v: unknown, depth: number, ref: ValueRef | undefined, actions: ValueActions, open: number): HTMLElement {
  const item = el('div', { class: 'jn', role: 'treeitem' });
  const line = el('div', { class: 'jn-line' });
  item.appendChild(line);
  const keyEl = key === undefined ? null : el('span', { class: typeof key === 'number' ? 'jk jk-index' : 'jk' }, typeof key === 'number' ? `${key}` : key, ': ');
  const copy = iconButton('copy', 'Copy value', () => void copyValue(v, ref, actions), 'jn-copy');

  if (isClipped(v) && v.$clipped === 'rest') {
    line.append(
      el('span', { class: 'jn-rest' }, `… ${count(v.omitted)} more`),
      ' ',
      linkButton('Open in Editor', 'Open the whole value in a new editor tab', () => actions.openInEditor(v.ref, 'json')),
    );
    return item;
  }
  if (!isComposite(v)) {
    const value = leaf(v, actions);
    if (value.classList.contains('long-text')) {
      line.append(el('span', { class: 'twistie-space' }), keyEl ?? '', copy);
      item.appendChild(el('div', { class: 'jn-block' }, value));
    } else line.append(el('span', { class: 'twistie-space' }), keyEl ?? '', value, copy);
    return item;
  }

  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  const twistie = el('button', { class: 'jn-twistie', attrs: { type: 'button', 'aria-label': 'Expand' } }, icon('chevron-right'));
  const summary = el('span', { class: 'jn-summary' }, entries.length ? preview(v) : Array.isArray(v) ? '[]' : '{}');
  line.append(entries.length ? twistie : el('span', { class: 'twistie-space' }), keyEl ?? '', summary, copy);
  if (!entries.length) return item;

  let children: HTMLElement | undefined;
  const setOpen = (o: boolean) => {
    item.setAttribute('aria-expanded', String(o));
    twistie.firstElementChild!.className = `codicon codicon-chevron-${o ? 'down' : 'right'}`;
    twistie.setAttribute('aria-label', o ? 'Collapse' : 'Expand');
    summary.classList.toggle('open', o);
    if (o && !children) {
      children = el('div', { class: 'jn-children', role: 'group' });
      item.appendChild(children);
      addPage(0);
    }
    if (children) children.hidden = !o;
  };
  const addPage = (from: number) => {
    const to = Math.min(entries.length, from + PAGE);
    for (let k = from; k < to; k++) {
      const [ck, cv] = entries[k];
      children!.appendChild(node(isClipped(cv) && cv.$clipped === 'rest' ? undefined : ck, cv, depth + 1, ref ? { ...ref, path: [...ref.path, ck] } : undefined, actions, open));
    }
    if (to < entries.length) {
      const more = linkButton(`Show ${Math.min(PAGE, entries.length - to)} more of ${count(entries.length - to)}`, 'Show the next items', () => {
        more.remove();
        addPage(to);
      });
      children!.appendChild(el('div', { class: 'jn more' }, more));
    }
  };
  twistie.addEventListener('click', () => setOpen(item.getAttribute('aria-expanded') !== 'true'));
  summary.addEventListener('click', () => setOpen(item.getAttribute('aria-expanded') !== 'true'));
  setOpen(depth < open);
  return item;
}

async function copyValue(v: unknown, ref: ValueRef | undefined, actions: ValueActions): Promise<void> {
  if (ref && hasClipped(v)) {
    try {
      actions.copy(await actions.fullValue(ref), 'value');
      return;
    } catch {
      // fall through: copy what we have
    }
  }
  if (isClipped(v) && v.$clipped === 'string') {
    try {
      actions.copy(await actions.fullValue(v.ref), 'value');
    } catch {
      actions.copy(v.head, 'the first part of the value');
    }
    return;
  }
  actions.copy(typeof v === 'string' ? v : JSON.stringify(v, null, 2), 'value');
}
