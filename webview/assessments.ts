// The Feedback tab: a trace's MLflow assessments (feedback and expectations, each with its value,
// source and rationale), those on the selected span first, then the trace's own, then the other
// spans'; and buttons that add feedback or an expectation on the trace or on this span (the host
// asks for a rationale and writes it through MLflow's REST API, so MLflow's UI shows it too).
import type { Assessment } from '../src/model/assessments';
import { clear, el, icon, linkButton } from './dom';
import { ago } from './format';
import { textOf } from './longText';

export type AssessKind = 'up' | 'down' | 'score' | 'expectation';

export interface AssessmentEvents {
  assess(kind: AssessKind, spanId?: string): void;
  selectSpan(spanId: string): void;
}

function valueOf(a: Assessment): { icon: string; text: string; cls: string } {
  if (a.error) return { icon: 'error', text: `error: ${textOf(a.error)}`, cls: 'bad' };
  const v = a.value;
  if (typeof v === 'boolean') return v ? { icon: 'thumbsup', text: 'yes', cls: 'good' } : { icon: 'thumbsdown', text: 'no', cls: 'bad' };
  if (typeof v === 'number') return { icon: 'symbol-number', text: String(Math.round(v * 1000) / 1000), cls: '' };
  if (typeof v === 'string') return { icon: a.kind === 'expectation' ? 'target' : 'tag', text: v, cls: '' };
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return { icon: a.kind === 'expectation' ? 'target' : 'json', text, cls: '' };
}

function row(a: Assessment, spanName: ((id: string) => string | undefined) | undefined, on: AssessmentEvents): HTMLElement {
  const v = valueOf(a);
  const source = [textOf(a.sourceType).toLowerCase().replace('_', ' '), textOf(a.sourceId)].filter(Boolean).join(' · ');
  const where = a.spanId && spanName ? linkButton(`span ${spanName(a.spanId) ?? a.spanId}`, 'Select that span', () => on.selectSpan(a.spanId!), 'assess-span') : null;
  return el(
    'li',
    { class: `assessment ${a.valid ? '' : 'overridden'}`.trim(), attrs: { 'data-kind': a.kind, 'data-name': a.name } },
    el('div', { class: 'assess-h' }, el('span', { class: `assess-value ${v.cls}`.trim() }, icon(v.icon), ' ', v.text), ' ', el('code', null, a.name), el('span', { class: 'muted' }, ` · ${a.kind}`), a.valid ? null : el('span', { class: 'muted' }, ' · overridden')),
    el('div', { class: 'assess-meta muted' }, source ? `${source}` : 'source not recorded', a.createdMs ? ` · ${ago(a.createdMs)}` : '', where ? ' · on ' : '', where),
    a.rationale ? el('div', { class: 'assess-rationale' }, textOf(a.rationale)) : null,
  );
}

export function renderAssessments(list: readonly Assessment[], spanId: string, isRoot: boolean, spanName: (id: string) => string | undefined, on: AssessmentEvents): HTMLElement {
  const box = el('div', { class: 'assessments' });
  let onSpan = !isRoot;
  const target = el('span', { class: 'assess-target' });
  const toggle = linkButton('', 'Choose what the feedback is about', () => {
    onSpan = !onSpan;
    paint();
  }, 'assess-toggle');
  const paint = () => {
    clear(target);
    target.append('About ', el('strong', null, onSpan ? 'this span' : 'the whole trace'));
    toggle.textContent = onSpan ? 'switch to the trace' : 'switch to this span';
    toggle.setAttribute('aria-pressed', String(onSpan));
  };
  paint();
  const add = (kind: AssessKind, iconName: string, label: string, title: string) =>
    el('button', { class: 'assess-button', title, attrs: { type: 'button', 'data-kind': kind }, on: { click: () => on.assess(kind, onSpan ? spanId : undefined) } }, icon(iconName), ` ${label}`);
  box.appendChild(
    el('div', { class: 'assess-actions', role: 'toolbar', attrs: { 'aria-label': 'Add feedback' } },
      add('up', 'thumbsup', 'Good', 'Thumbs up (user_feedback = true), with an optional rationale'),
      add('down', 'thumbsdown', 'Bad', 'Thumbs down (user_feedback = false), with an optional rationale'),
      add('score', 'symbol-number', 'Score…', 'A numeric score (user_score)'),
      add('expectation', 'target', 'Expected answer…', 'What the answer should have been (expected_response)'),
      el('span', { class: 'muted assess-about' }, target, ' · ', toggle)),
  );
  const mine = list.filter((a) => a.spanId === spanId && !isRoot);
  const trace = list.filter((a) => !a.spanId || (isRoot && a.spanId === spanId));
  const others = list.filter((a) => a.spanId && a.spanId !== spanId && !(isRoot && a.spanId === spanId));
  const section = (title: string, items: Assessment[], names?: (id: string) => string | undefined) =>
    items.length ? el('div', { class: 'assess-section' }, el('div', { class: 'sub-h' }, `${title} (${items.length})`), el('ul', { class: 'assess-list' }, ...items.map((a) => row(a, names, on)))) : null;
  const parts = [section('On this span', mine), section('On the trace', trace), section('On other spans', others, spanName)].filter((x) => x !== null);
  if (!parts.length) box.appendChild(el('p', { class: 'empty' }, 'No feedback or expectations yet. What you add is saved in MLflow, where its UI shows it too.'));
  box.append(...parts);
  return box;
}
