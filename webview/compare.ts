// The Compare view: two traces side by side in place of the span panes. Latency, tokens by kind
// and cost with signed deltas, the paired model calls (each row opens its native diff), and the
// spans one trace has and the other lacks. Trace text only ever goes in through el()/textContent.
import type { CompareSide, CompareSummary, SpanPathDelta } from '../src/diff/summary';
import type { PairSummary } from '../src/diff/pairing';
import type { CompareViewState } from '../src/contract/protocol';
import { clear, el, icon, linkButton, type Child } from './dom';
import { count, dateTime, duration, money } from './format';

export interface CompareEvents {
  back(): void;
  openDiff(pair: PairSummary, view: 'prompt' | 'response'): void;
  /** Show one of the panel's own spans in the timeline. */
  reveal(spanId: string): void;
}

const KINDS = [
  ['total', 'Tokens'],
  ['input', '· input'],
  ['output', '· output'],
  ['thinking', '· thinking'],
  ['cached', '· cached input'],
] as const;

/** +1.2 s / −40 ms / ±0, with a class saying whether it went up (costlier) or down. */
function signed(d: number | null | undefined, fmt: (abs: number) => string): HTMLElement {
  if (d === null || d === undefined || !Number.isFinite(d)) return el('span', { class: 'delta none', title: 'Not recorded on both sides' }, '—');
  const cls = d > 0 ? 'up' : d < 0 ? 'down' : 'same';
  const text = d === 0 ? '±0' : `${d > 0 ? '+' : '−'}${fmt(Math.abs(d))}`;
  return el('span', { class: `delta ${cls}` }, text);
}

const percent = (d: number | null | undefined, base: number | null | undefined): Child =>
  d && base ? el('span', { class: 'muted' }, ` (${d > 0 ? '+' : '−'}${Math.abs((d / base) * 100).toFixed(Math.abs(d / base) < 0.1 ? 1 : 0)}%)`) : null;

export class CompareView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly backBtn: HTMLButtonElement;
  private currentTraceId: string | undefined;

  constructor(private readonly on: CompareEvents) {
    this.backBtn = el('button', { class: 'compare-back', title: 'Back to the span timeline (Escape)', attrs: { type: 'button' }, on: { click: () => on.back() } }, icon('arrow-left'), ' Back to spans');
    this.body = el('div', { class: 'compare-body' });
    this.root = el('section', { class: 'compare-view', attrs: { 'aria-label': 'Compare traces' } }, el('div', { class: 'compare-toolbar' }, this.backBtn), this.body);
    this.root.hidden = true;
    this.root.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      on.back();
    });
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  show(s: CompareViewState, currentTraceId: string | undefined): void {
    this.currentTraceId = currentTraceId;
    clear(this.body);
    this.root.hidden = false;
    if (s.state === 'loading') {
      this.body.append(el('vscode-progress-bar', { attrs: { 'aria-label': 'Loading' } }), el('div', { class: 'compare-message', role: 'status' }, s.message));
    } else if (s.state === 'failed') {
      this.body.append(el('div', { class: 'compare-message error', role: 'alert' }, icon('error'), ' ', s.message));
    } else this.summary(s.summary);
    this.backBtn.focus();
  }

  hide(): void {
    this.root.hidden = true;
    clear(this.body);
  }

  private summary(s: CompareSummary): void {
    const sideHead = (label: string, x: CompareSide) =>
      el(
        'div',
        { class: 'compare-side' },
        el('div', { class: 'fact-label' }, label, x.traceId === this.currentTraceId ? ' (this trace)' : ''),
        el('div', { class: 'trace-name', title: x.name }, x.name),
        el('div', { class: 'trace-id', title: 'Trace id' }, x.traceId),
        el('div', { class: 'muted' }, `${dateTime(x.startEpochMs)} · ${count(x.spanCount)} spans · ${count(x.modelCalls)} model calls`),
      );
    this.body.append(el('h2', { class: 'compare-title' }, 'Compare traces'), el('div', { class: 'compare-sides' }, sideHead('Before', s.left), el('span', { class: 'compare-arrow' }, icon('arrow-right')), sideHead('After', s.right)));
    this.body.append(this.metrics(s), this.pairs(s), this.spans('Spans added', 'Only in the later trace', s.added, s.right.traceId, 'add'), this.spans('Spans removed', 'Only in the earlier trace', s.removed, s.left.traceId, 'remove'));
    if (s.truncated) this.body.append(el('div', { class: 'compare-message' }, 'Only the first 500 span paths of each list are shown.'));
  }

  private metrics(s: CompareSummary): HTMLElement {
    const row = (label: string, l: Child, r: Child, d: HTMLElement, extra?: Child) => el('tr', null, el('th', { attrs: { scope: 'row' } }, label), el('td', null, l), el('td', null, r), el('td', null, d, extra));
    const cost = (x: CompareSide) => (x.cost ? money(x.cost.total, x.cost.currency) : el('span', { class: 'muted', title: 'No cost was recorded for this trace' }, 'not recorded'));
    const body = el(
      'tbody',
      null,
      row('Latency', duration(s.left.durationMs), duration(s.right.durationMs), signed(s.latencyDeltaMs, duration), percent(s.latencyDeltaMs, s.left.durationMs)),
      ...KINDS.map(([k, label]) => row(label, count(s.left.usage[k]), count(s.right.usage[k]), signed(s.tokenDelta[k], count), percent(s.tokenDelta[k], s.left.usage[k]))),
      row('Cost', cost(s.left), cost(s.right), signed(s.costDelta?.total, (n) => money(n, s.costDelta?.currency))),
    );
    const head = el('thead', null, el('tr', null, el('th', { attrs: { scope: 'col' } }, ''), el('th', { attrs: { scope: 'col' } }, 'Before'), el('th', { attrs: { scope: 'col' } }, 'After'), el('th', { attrs: { scope: 'col' } }, 'Change')));
    return el('section', { class: 'compare-section' }, el('h3', null, 'Latency, tokens and cost'), el('table', { class: 'compare-table compare-metrics' }, head, body));
  }

  private pairs(s: CompareSummary): HTMLElement {
    const section = el('section', { class: 'compare-section compare-calls' });
    const changed = s.pairs.filter((p) => p.leftSpanId && p.rightSpanId && (p.promptChanged || p.responseChanged)).length;
    section.append(el('h3', null, `Model calls (${count(s.pairs.length)}, ${count(changed)} changed)`));
    if (!s.pairs.length) {
      section.append(el('div', { class: 'compare-message' }, icon('info'), ' Neither trace holds a Gemini model call with a recorded prompt or response, so there are no calls to pair. The figures above still compare the whole traces.'));
      return section;
    }
    const missing = !s.left.modelCalls ? 'earlier' : !s.right.modelCalls ? 'later' : undefined;
    if (missing) section.append(el('div', { class: 'compare-message' }, icon('info'), ` The ${missing} trace holds no Gemini model call: every call below exists on one side only.`));
    const th = (t: string) => el('th', { attrs: { scope: 'col' } }, t);
    const rows = el('tbody');
    for (const p of s.pairs) rows.append(this.pairRow(p));
    section.append(el('table', { class: 'compare-table compare-pairs' }, el('thead', null, el('tr', null, th('Call'), th('Prompt'), th('Response'), th('Tokens'), th('Latency'), th('Diff'))), rows));
    return section;
  }

  private pairRow(p: PairSummary): HTMLElement {
    const both = !!p.leftSpanId && !!p.rightSpanId;
    const where = p.site ? p.site.replace(/^.*[\\/]/, '') : 'no code location';
    const flag = (changed: boolean) => (!both ? el('span', { class: 'muted' }, '—') : el('span', { class: changed ? 'pair-flag changed' : 'pair-flag same' }, changed ? 'changed' : 'same'));
    const actions = el('td', { class: 'pair-actions' });
    if (both) {
      actions.append(
        linkButton(el('span', null, icon('diff'), ' Prompt diff'), `Open the prompt diff of ${p.name} (${where})`, () => this.on.openDiff(p, 'prompt'), 'pair-diff'),
        linkButton(el('span', null, icon('diff'), ' Response diff'), `Open the response diff of ${p.name} (${where})`, () => this.on.openDiff(p, 'response'), 'pair-diff'),
      );
    } else actions.append(el('span', { class: `pair-only ${p.leftSpanId ? 'removed' : 'added'}` }, p.leftSpanId ? 'only before (removed)' : 'only after (added)'));
    const row = el(
      'tr',
      { class: `pair-row${both ? '' : ' unpaired'}`, tabIndex: 0, title: both ? 'Enter opens the diff of what changed' : '' },
      el('td', null, el('div', { class: 'span-name' }, p.name), el('div', { class: 'muted', title: p.site ?? '' }, `${where}${p.by === 'order' ? ' · paired by order' : ''}`)),
      el('td', null, flag(p.promptChanged)),
      el('td', null, flag(p.responseChanged)),
      el('td', null, both ? signed(p.tokenDelta.total, count) : el('span', { class: 'muted' }, '—')),
      el('td', null, both ? signed(p.latencyDeltaMs, duration) : el('span', { class: 'muted' }, '—')),
      actions,
    );
    row.addEventListener('keydown', (e) => {
      // Enter on the row itself (not on one of its buttons) opens the diff of what changed.
      if (e.key !== 'Enter' || e.target !== row || !both) return;
      e.preventDefault();
      this.on.openDiff(p, p.promptChanged || !p.responseChanged ? 'prompt' : 'response');
    });
    return row;
  }

  private spans(title: string, hint: string, list: SpanPathDelta[], traceId: string, kind: 'add' | 'remove'): HTMLElement {
    const section = el('section', { class: `compare-section compare-spans ${kind === 'add' ? 'added' : 'removed'}` }, el('h3', { title: hint }, `${title} (${count(list.reduce((n, x) => n + x.count, 0))})`));
    if (!list.length) {
      section.append(el('div', { class: 'empty' }, kind === 'add' ? 'No span is only in the later trace.' : 'No span is only in the earlier trace.'));
      return section;
    }
    const ours = traceId === this.currentTraceId;
    const ul = el('ul', { class: 'span-paths' });
    for (const x of list) {
      const names = x.elided ? [...x.path.slice(0, 2), `… ${count(x.elided)} more …`, ...x.path.slice(2)] : x.path;
      const text = names.join(' › ');
      const label = el('span', { class: 'span-path' }, icon(kind === 'add' ? 'diff-added' : 'diff-removed'), ' ', el('span', { class: 'span-name' }, text));
      const times = x.count > 1 ? el('span', { class: 'chip' }, `×${count(x.count)}`) : null;
      // The panel's own spans can be shown in its timeline; the other trace's are text only.
      const item = ours && x.spanIds.length ? linkButton(label, `Show ${x.path[x.path.length - 1]} in the timeline`, () => this.on.reveal(x.spanIds[0]), 'span-path-link') : label;
      ul.append(el('li', null, item, ' ', times));
    }
    section.append(ul);
    return section;
  }
}
