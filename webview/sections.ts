// The plainer tabs of the span details: Inputs / Outputs, Attributes, Events and exceptions.
import type { SpanDetails, ValueRef } from '../src/contract/protocol';
import { isClipped } from '../src/contract/protocol';
import { el, icon, iconButton, linkButton } from './dom';
import { duration } from './format';
import { jsonTree } from './jsonTree';
import { longText, textOf, type ValueActions } from './longText';

export function renderIO(d: SpanDetails, actions: ValueActions): HTMLElement {
  const root = el('div', { class: 'io' });
  root.appendChild(valueSection('Inputs', d.inputs, { spanId: d.spanId, field: 'inputs', path: [] }, actions));
  root.appendChild(valueSection('Outputs', d.outputs, { spanId: d.spanId, field: 'outputs', path: [] }, actions));
  return root;
}

function valueSection(title: string, v: unknown, ref: ValueRef, actions: ValueActions): HTMLElement {
  const empty = v === undefined || v === null || (typeof v === 'object' && !isClipped(v) && !Object.keys(v).length);
  const head = el(
    'div',
    { class: 'section-h' },
    el('span', { class: 'section-title' }, title),
    empty
      ? null
      : el(
          'span',
          { class: 'section-actions' },
          iconButton('copy', `Copy ${title.toLowerCase()}`, () => void copyWhole(v, ref, actions, title.toLowerCase())),
          iconButton('go-to-file', `Open ${title.toLowerCase()} in an editor`, () => actions.openInEditor(ref, typeof v === 'string' || (isClipped(v) && v.$clipped === 'string') ? undefined : 'json')),
        ),
  );
  const body = empty ? el('p', { class: 'empty' }, `No ${title.toLowerCase()} recorded.`) : typeof v === 'string' || isClipped(v) ? longText(v, actions, { cls: 'value-text' }) : jsonTree(v, actions, { ref, expandDepth: 2 });
  return el('section', { class: 'value-section' }, head, body);
}

async function copyWhole(v: unknown, ref: ValueRef, actions: ValueActions, what: string): Promise<void> {
  try {
    actions.copy(await actions.fullValue(ref), what);
  } catch {
    actions.copy(typeof v === 'string' ? v : JSON.stringify(v, null, 2), what);
  }
}

export function renderAttributes(d: SpanDetails, actions: ValueActions): HTMLElement {
  const keys = Object.keys(d.attributes).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (!keys.length) return el('p', { class: 'empty' }, 'This span has no attributes.');
  const table = el('div', { class: 'attr-table', role: 'table' });
  for (const k of keys) {
    const v = d.attributes[k];
    const ref: ValueRef = { spanId: d.spanId, field: 'attributes', path: [k] };
    const value = typeof v === 'object' && v !== null && !isClipped(v) ? jsonTree(v, actions, { ref, expandDepth: 0 }) : typeof v === 'string' || isClipped(v) ? longText(v, actions) : el('span', { class: `jv jv-${v === null ? 'null' : typeof v}` }, String(v));
    table.appendChild(
      el(
        'div',
        { class: 'attr-row', role: 'row' },
        el('div', { class: 'attr-key', role: 'rowheader', title: k }, k),
        el('div', { class: 'attr-value', role: 'cell' }, value),
        iconButton('copy', `Copy ${k}`, () => void copyWhole(v, ref, actions, k), 'row-copy'),
      ),
    );
  }
  return table;
}

/** Inputs and outputs repeat in their own tab; the rest of MLflow's bookkeeping goes last. */
function rank(k: string): number {
  if (k === 'mlflow.spanInputs' || k === 'mlflow.spanOutputs') return 3;
  if (k.startsWith('code.') || k.startsWith('gen_ai.') || k.startsWith('gemini_trace.')) return 0;
  if (k.startsWith('mlflow.')) return 2;
  return 1;
}

export function renderEvents(d: SpanDetails, actions: ValueActions, goTo: (file: string, line: number) => void): HTMLElement {
  const root = el('div', { class: 'events' });
  if (d.statusMessage) root.appendChild(el('div', { class: `status-message ${d.status === 'ERROR' ? 'error' : ''}` }, icon(d.status === 'ERROR' ? 'error' : 'info'), ' ', d.statusMessage));
  for (const x of d.exceptions as { type?: unknown; message?: unknown; stacktrace?: unknown }[]) {
    const box = el('div', { class: 'exception' }, el('div', { class: 'exception-h' }, icon('error'), ' ', el('strong', null, textOf(x.type) || 'Exception'), x.message ? `: ${textOf(x.message)}` : ''));
    if (x.stacktrace) box.appendChild(stack(textOf(x.stacktrace), goTo));
    if (isClipped(x.stacktrace)) box.appendChild(longText(x.stacktrace, actions, { cls: 'code' }));
    root.appendChild(box);
  }
  if (!d.events.length && !d.exceptions.length && !d.statusMessage) {
    root.appendChild(el('p', { class: 'empty' }, 'No events recorded on this span.'));
    return root;
  }
  for (const e of d.events) {
    const attrs = e.attributes && typeof e.attributes === 'object' && Object.keys(e.attributes).length;
    const item = el('div', { class: `event${e.name === 'exception' ? ' exception-event' : ''}` }, el('div', { class: 'event-h' }, el('span', { class: 'event-time' }, `+${duration(e.timeMs - d.startMs)}`), ' ', el('strong', null, e.name)));
    if (attrs) item.appendChild(jsonTree(e.attributes, actions, { expandDepth: e.name === 'exception' ? 0 : 1 }));
    root.appendChild(item);
  }
  return root;
}

// Python: `File "/a/b.py", line 12, in fn`; Node: `at fn (/a/b.js:12:5)` or `at /a/b.js:12:5`.
const FRAME = /File "([^"]+)", line (\d+)|\(?((?:[A-Za-z]:)?[/\\][^\s():]+|file:\/\/[^\s()]+):(\d+)(?::\d+)?\)?$/;

/** A stack trace with each frame that names a file and line made clickable (opens the editor there). */
function stack(text: string, goTo: (file: string, line: number) => void): HTMLElement {
  const pre = el('pre', { class: 'stack' });
  for (const line of text.split('\n').slice(0, 2000)) {
    const m = FRAME.exec(line);
    const file = m?.[1] ?? m?.[3];
    const ln = Number(m?.[2] ?? m?.[4]);
    if (file && ln > 0 && !/node_modules|site-packages|<frozen|node:internal/.test(file)) {
      const at = line.indexOf(file);
      pre.append(line.slice(0, Math.max(at, 0)), linkButton(line.slice(Math.max(at, 0)), `Open ${file}:${ln}`, () => goTo(file.replace(/^file:\/\//, ''), ln), 'frame'), '\n');
    } else pre.append(line, '\n');
  }
  return pre;
}
