// Text that may have arrived clipped. Shows the head, how much is left out, and offers "Show all"
// (fetched from the host, then added a slice at a time so a 10 MB value never freezes the panel)
// and "Open in Editor" (the host opens the whole value in an untitled document).
import type { ClippedString, ValueRef } from '../src/contract/protocol';
import { isClipped } from '../src/contract/protocol';
import { el, linkButton } from './dom';
import { chars } from './format';
import { MARKDOWN_LIMIT, renderMarkdown } from './markdown';
import { errorMessage } from '../src/shared/errors';

/** Characters added to the page per "show more" step. */
const SLICE = 512 * 1024;

export interface ValueActions {
  fullValue(ref: ValueRef): Promise<string>;
  openInEditor(ref: ValueRef, language?: string): void;
  copy(text: string, what: string): void;
}

export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isClipped(v) && v.$clipped === 'string') return v.head;
  return v === undefined || v === null ? '' : String(v);
}

/**
 * Renders `v` (a string or a clipped string) as Markdown or as plain preformatted text.
 * Whole text beyond MARKDOWN_LIMIT is always plain.
 */
export function longText(v: unknown, actions: ValueActions, opts: { markdown?: boolean; language?: string; cls?: string } = {}): HTMLElement {
  const box = el('div', { class: `long-text ${opts.cls ?? ''}`.trim() });
  const render = (text: string) => (opts.markdown && text.length <= MARKDOWN_LIMIT ? renderMarkdown(text) : el('div', { class: 'plain-text' }, text));
  if (!(isClipped(v) && v.$clipped === 'string')) {
    box.appendChild(render(textOf(v)));
    return box;
  }
  const clipped = v as ClippedString;
  const body = el('div', { class: 'long-body' }, render(clipped.head));
  const note = el('div', { class: 'clip-note' });
  const status = el('span', { class: 'clip-status' }, `Showing ${chars(clipped.head.length)} of ${chars(clipped.length)}.`);
  const showAll = linkButton('Show all', 'Load the whole value into the panel, half a megabyte at a time', () => void loadAll());
  const open = linkButton('Open in Editor', 'Open the whole value in a new editor tab', () => actions.openInEditor(clipped.ref, opts.language));
  note.append(status, ' ', showAll, ' · ', open);
  box.append(body, note);

  let full: string | undefined;
  let shown = 0;
  let plain: HTMLElement | undefined;
  const more = linkButton('Show more', 'Add the next half megabyte', () => addSlice());
  const addSlice = () => {
    if (full === undefined || !plain) return;
    const next = Math.min(full.length, shown + SLICE);
    // Appending a text node is linear in its own size: the panel stays responsive.
    plain.appendChild(document.createTextNode(full.slice(shown, next)));
    shown = next;
    status.textContent = shown >= full.length ? `All ${chars(full.length)}.` : `Showing ${chars(shown)} of ${chars(full.length)}.`;
    more.hidden = shown >= full.length;
  };
  const loadAll = async () => {
    showAll.disabled = true;
    status.textContent = 'Loading…';
    try {
      full = await actions.fullValue(clipped.ref);
    } catch (e) {
      status.textContent = `Could not load the value: ${errorMessage(e)}`;
      showAll.disabled = false;
      return;
    }
    showAll.remove();
    body.textContent = '';
    if (opts.markdown && full.length <= MARKDOWN_LIMIT) {
      body.appendChild(renderMarkdown(full));
      status.textContent = `All ${chars(full.length)}.`;
      return;
    }
    plain = el('div', { class: 'plain-text' });
    body.appendChild(plain);
    note.insertBefore(more, open);
    note.insertBefore(document.createTextNode(' · '), open);
    addSlice();
  };
  return box;
}
