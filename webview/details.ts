// The right-hand pane: the selected span's title line and its tabs (Chat, Inputs / Outputs,
// Attributes, Events, Tokens). Details are fetched per span, so selecting is cheap on any trace.
import type { VscodeTabs } from '@vscode-elements/elements/dist/vscode-tabs/vscode-tabs.js';
import type { SpanDetails, TraceHeader } from '../src/contract/protocol';
import type { SpanTable } from '../src/contract/spanTable';
import type { Assessment } from '../src/model/assessments';
import { renderAssessments, type AssessmentEvents } from './assessments';
import { renderChat } from './chat';
import { clear, el, icon, iconButton, linkButton } from './dom';
import { duration, tokenSplit } from './format';
import type { ChatActions } from './chatTypes';
import { renderAttributes, renderEvents, renderIO } from './sections';
import { typeColour, typeIcon } from './spanStyle';
import { renderTokens } from './tokens';

export const TABS = ['chat', 'io', 'attributes', 'events', 'tokens', 'feedback'] as const;
export type TabId = (typeof TABS)[number];
const LABELS: Record<TabId, string> = { chat: 'Chat', io: 'Inputs / Outputs', attributes: 'Attributes', events: 'Events', tokens: 'Tokens', feedback: 'Feedback' };

export interface DetailsEvents extends ChatActions, AssessmentEvents {
  goToCode(spanId: string): void;
  replay(spanId: string): void;
  openLocation(file: string, line: number): void;
  compare(spanId: string): void;
  select(i: number): void;
  tabChanged(tab: TabId): void;
}

export class DetailsPane {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly tabs: VscodeTabs;
  private readonly panels = new Map<TabId, HTMLElement>();
  private readonly counts = new Map<TabId, HTMLElement>();
  private details: SpanDetails | undefined;
  private table: SpanTable | undefined;
  private assessments: readonly Assessment[] = [];
  /** The tab the user picked last; Chat falls back to Inputs / Outputs for non-model spans. */
  preferred: TabId = 'chat';

  constructor(private readonly on: DetailsEvents) {
    this.title = el('div', { class: 'details-title' });
    this.tabs = el('vscode-tabs', { class: 'details-tabs', attrs: { panel: '' } }) as VscodeTabs;
    for (const id of TABS) {
      const count = el('vscode-badge', { attrs: { variant: 'counter', slot: 'content-after' } });
      count.hidden = true;
      this.counts.set(id, count);
      this.tabs.appendChild(el('vscode-tab-header', { attrs: { slot: 'header', 'data-tab': id } }, LABELS[id], count));
      const panel = el('vscode-tab-panel', { class: `tab-panel tab-${id}` });
      this.panels.set(id, panel);
      this.tabs.appendChild(panel);
    }
    this.tabs.addEventListener('vsc-tabs-select', (e: Event) => {
      const tab = TABS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex];
      if (tab && this.details) {
        this.preferred = tab;
        this.on.tabChanged(tab);
      }
    });
    this.root = el('div', { class: 'details' }, this.title, this.tabs);
    this.showEmpty('Select a span to see its details.');
  }

  showEmpty(message: string): void {
    this.details = undefined;
    clear(this.title);
    this.title.appendChild(el('div', { class: 'details-empty' }, message));
    for (const p of this.panels.values()) clear(p);
    this.tabs.hidden = true;
  }

  showLoading(name: string): void {
    clear(this.title);
    this.title.appendChild(el('div', { class: 'details-name' }, el('span', { class: 'codicon codicon-loading codicon-modifier-spin' }), ' ', name));
  }

  get current(): SpanDetails | undefined {
    return this.details;
  }

  show(d: SpanDetails, t: SpanTable, header: TraceHeader): void {
    this.details = d;
    this.tabs.hidden = false;
    this.renderTitle(d);
    const fill = (id: TabId, content: HTMLElement, n?: number) => {
      const p = this.panels.get(id)!;
      clear(p);
      p.appendChild(content);
      const c = this.counts.get(id)!;
      c.hidden = !n;
      c.textContent = n ? String(n) : '';
    };
    fill('chat', d.chat ? renderChat(d.chat, d.spanId, this.on) : el('p', { class: 'empty' }, 'This span is not a model call. Its raw inputs and outputs are under Inputs / Outputs.'));
    fill('io', renderIO(d, this.on));
    fill('attributes', renderAttributes(d, this.on), Object.keys(d.attributes).length);
    fill('events', renderEvents(d, this.on, (f, l) => this.on.openLocation(f, l)), d.events.length + d.exceptions.length || undefined);
    fill('tokens', renderTokens(t, header, d.index, d.usage, d.cost, (i) => this.on.select(i)));
    this.table = t;
    this.assessments = header.assessments ?? [];
    this.fillFeedback();
    const tab = this.preferred === 'chat' && !d.chat ? 'io' : this.preferred;
    const idx = TABS.indexOf(tab);
    if (this.tabs.selectedIndex !== idx) this.tabs.selectedIndex = idx;
    for (const p of this.panels.values()) p.scrollTop = 0;
  }

  /** New assessments for the trace (feedback added): only the Feedback tab is drawn again. */
  setAssessments(list: readonly Assessment[]): void {
    this.assessments = list;
    if (this.details) this.fillFeedback();
  }

  private fillFeedback(): void {
    const d = this.details;
    const t = this.table;
    if (!d || !t) return;
    const p = this.panels.get('feedback')!;
    clear(p);
    const name = (id: string) => {
      const i = t.ids.indexOf(id);
      return i >= 0 ? t.names[i] : undefined;
    };
    p.appendChild(renderAssessments(this.assessments, d.spanId, t.parent[d.index] < 0, name, this.on));
    const c = this.counts.get('feedback')!;
    c.hidden = !this.assessments.length;
    c.textContent = this.assessments.length ? String(this.assessments.length) : '';
  }

  selectTab(tab: TabId): void {
    this.preferred = tab;
    this.tabs.selectedIndex = TABS.indexOf(tab === 'chat' && !this.details?.chat ? 'io' : tab);
  }

  focus(): void {
    // vscode-tabs renames its headers' ids, so find the active one by position.
    (this.tabs.querySelectorAll('vscode-tab-header')[this.tabs.selectedIndex] as HTMLElement | undefined)?.focus();
  }

  private renderTitle(d: SpanDetails): void {
    clear(this.title);
    const running = d.endMs === null;
    const dur = running ? 'running' : duration(d.endMs! - d.startMs);
    const status = d.status === 'ERROR' ? el('span', { class: 'status-badge error' }, icon('error'), ' Error') : running ? el('span', { class: 'status-badge running' }, icon('loading', 'codicon-modifier-spin'), ' Running') : null;
    const name = el('div', { class: 'details-name' }, el('span', { class: `type-icon ${typeColour(d.type)}` }, icon(typeIcon(d.type))), el('span', { class: 'name-text', title: d.name }, d.name), status);
    const facts = el('div', { class: 'details-facts' }, el('span', { class: 'fact' }, d.type), el('span', { class: 'fact' }, dur), el('span', { class: 'fact muted' }, `starts at +${duration(d.startMs)}`));
    if (d.model) facts.appendChild(el('span', { class: 'fact' }, icon('sparkle'), ` ${d.model}`));
    if (d.usage) facts.appendChild(el('span', { class: 'fact' }, `${tokenSplit(d.usage)} tokens`));
    if (d.orphan) facts.appendChild(el('span', { class: 'fact warn', title: 'Its parent span is missing from the trace' }, icon('warning'), ' orphan'));
    const code = d.code
      ? linkButton(`${shortPath(d.code.filepath)}:${d.code.lineno}`, `Go to ${d.code.filepath}:${d.code.lineno} (G)`, () => this.on.goToCode(d.spanId), 'code-link')
      : linkButton('Find code', 'No code location was recorded; search the workspace for this function (G)', () => this.on.goToCode(d.spanId), 'code-link muted');
    const actions = el(
      'div',
      { class: 'details-actions' },
      el('span', { class: 'code-ref' }, icon('go-to-file'), ' ', code),
      iconButton('copy', 'Copy span id', () => this.on.copy(d.spanId, 'span id')),
      iconButton('diff', 'Compare this span with…', () => this.on.compare(d.spanId)),
      d.chat ? iconButton('debug-rerun', 'Replay this call with edits…', () => this.on.replay(d.spanId), 'replay-button') : null,
    );
    this.title.append(name, facts, actions);
  }
}

function shortPath(p: string): string {
  const parts = p.split(/[/\\]/);
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : p;
}
