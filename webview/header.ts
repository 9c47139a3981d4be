// The trace header: name and status, timing, tokens split four ways, cost, models, run, and the
// trace-level actions.
import type { TraceHeader } from '../src/contract/protocol';
import { clear, el, icon } from './dom';
import { ago, count, dateTime, duration, money } from './format';

export interface HeaderEvents {
  refresh(): void;
  openInMlflow(): void;
  compare(): void;
  copyId(): void;
}

export class TraceHeaderView {
  readonly root: HTMLElement;
  private readonly main: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly mlflowBtn: HTMLElement;
  private readonly refreshBtn: HTMLElement;

  constructor(on: HeaderEvents) {
    this.main = el('div', { class: 'header-main' });
    this.facts = el('div', { class: 'header-facts' });
    const button = (iconName: string, label: string, title: string, f: () => void, secondary = true) => {
      const b = el('vscode-button', { title, attrs: { icon: iconName, ...(secondary ? { secondary: '' } : {}) } }, label);
      b.addEventListener('click', f);
      return b;
    };
    this.refreshBtn = button('refresh', 'Refresh', 'Read the trace again from MLflow', on.refresh);
    this.mlflowBtn = button('link-external', 'Open in MLflow UI', 'Open this trace in the MLflow UI', on.openInMlflow);
    const actions = el(
      'div',
      { class: 'header-actions', role: 'toolbar', attrs: { 'aria-label': 'Trace actions' } },
      this.refreshBtn,
      this.mlflowBtn,
      button('diff', 'Compare…', 'Compare this trace with another trace', on.compare),
      button('copy', 'Copy ID', 'Copy the trace id', on.copyId),
    );
    this.root = el('header', { class: 'trace-header' }, el('div', { class: 'header-top' }, this.main, actions), this.facts);
  }

  show(h: TraceHeader): void {
    clear(this.main);
    clear(this.facts);
    const status =
      h.status === 'ERROR'
        ? el('span', { class: 'status-badge error' }, icon('error'), ' Error')
        : h.status === 'IN_PROGRESS'
          ? el('span', { class: 'status-badge running' }, icon('loading', 'codicon-modifier-spin'), ' Running')
          : el('span', { class: 'status-badge ok' }, icon('pass'), ' OK');
    this.main.append(el('h1', { class: 'trace-name', title: h.name }, h.name), status, el('span', { class: 'trace-id', title: 'Trace id' }, h.traceId));
    const fact = (label: string, value: string | Node, title?: string) => el('span', { class: 'fact', title: title ?? '' }, el('span', { class: 'fact-label' }, label), ' ', value);
    this.facts.append(
      fact('Duration', h.durationMs === null ? `${duration(h.nowMs)}…` : duration(h.durationMs), h.durationMs === null ? 'Still running: shows the time so far' : 'Total latency'),
      fact('Started', `${dateTime(h.startEpochMs)} (${ago(h.startEpochMs)})`, new Date(h.startEpochMs).toISOString()),
    );
    const u = h.usage;
    const tokens = el(
      'span',
      { class: 'token-split' },
      el('strong', null, count(u.total)),
      el('span', { class: 'muted' }, ' ('),
      `${count(u.input)} in`,
      el('span', { class: 'muted' }, ' · '),
      `${count(u.output)} out`,
      el('span', { class: 'muted' }, ' · '),
      `${count(u.thinking)} thinking`,
      el('span', { class: 'muted' }, ' · '),
      `${count(u.cached)} cached`,
      el('span', { class: 'muted' }, ')'),
    );
    this.facts.append(fact('Tokens', tokens, 'Total tokens: input, output (of which thinking), and cached input'));
    if (h.cost) this.facts.append(fact('Cost', money(h.cost.total, h.cost.currency), 'As MLflow recorded it'));
    if (h.models.length) this.facts.append(fact(h.models.length > 1 ? 'Models' : 'Model', h.models.join(', ')));
    if (h.runName || h.runId) this.facts.append(fact('Run', h.runName ?? h.runId ?? '', h.runId ? `Run id ${h.runId}` : ''));
    this.facts.append(fact('Spans', count(h.spanCount)));
    const a = h.assessments ?? [];
    if (a.length) {
      const up = a.filter((x) => x.valid && x.kind === 'feedback' && x.value === true).length;
      const down = a.filter((x) => x.valid && x.kind === 'feedback' && x.value === false).length;
      const summary = el('span', { class: 'assess-summary' }, icon('thumbsup'), ` ${up} `, icon('thumbsdown'), ` ${down}`, el('span', { class: 'muted' }, ` · ${a.length} in all`));
      this.facts.append(fact('Feedback', summary, 'MLflow assessments on this trace and its spans: see the Feedback tab'));
    }
    if (h.warnings.length) this.facts.append(el('span', { class: 'fact warn', title: h.warnings.join('\n') }, icon('warning'), ` ${h.warnings.length} warning${h.warnings.length > 1 ? 's' : ''}`));
    this.mlflowBtn.toggleAttribute('disabled', !h.mlflowUrl);
    this.mlflowBtn.title = h.mlflowUrl ? `Open ${h.mlflowUrl}` : 'The experiment of this trace is unknown, so it has no MLflow UI page';
  }

  busy(on: boolean): void {
    this.refreshBtn.toggleAttribute('disabled', on);
  }
}
