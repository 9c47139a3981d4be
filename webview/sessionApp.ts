// The session view's page: one transcript across a session's traces. A header with the totals,
// then one section per turn: when, how long, tokens, cost, model and status, the warnings only the
// whole session can give, what was new in its request and its answer (drawn by the Chat tab's own
// renderer, media, grounding and schema checks included), and a link to open the turn's trace.
import type { Notifications, SessionTurn, SessionView } from '../src/contract/protocol';
import { renderChat } from './chat';
import type { ChatActions } from './chatTypes';
import { clear, el, icon, linkButton } from './dom';
import { count, dateTime, duration, money, tokenSplit } from './format';
import type { Host } from './rpc';
import { textOf } from './longText';

export class SessionApp {
  readonly root: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private readonly actions: ChatActions;

  constructor(private readonly host: Host) {
    this.actions = {
      fullValue: (ref) => host.request('fullValue', { ref }),
      openInEditor: (ref, language) => host.command('openInEditor', { ref, language }),
      copy: (text, what) => host.command('copy', { text, what }),
      openLink: (url) => host.command('openLink', { url }),
      media: (ref) => host.request('media', { ref }),
      saveMedia: (ref) => host.command('saveMedia', { ref }),
    };
    this.head = el('header', { class: 'trace-header session-header' });
    this.body = el('main', { class: 'session-body', attrs: { 'aria-label': 'Transcript' } });
    this.root = el('div', { class: 'app session-app' }, this.head, this.body);
    host.on('session', (v) => this.show(v));
    host.on('loading', (p) => this.status(p.message, true));
    host.on('failed', (p: Notifications['failed']) => this.status(`Could not read this session: ${p.message}`, false));
    this.status('Reading the session…', true);
  }

  private status(message: string, busy: boolean): void {
    clear(this.body);
    this.body.appendChild(el('div', { class: busy ? 'session-status' : 'chat-note error', role: 'status' }, busy ? icon('loading', 'codicon-modifier-spin') : icon('error'), ` ${message}`, busy ? null : ' ', busy ? null : linkButton('Retry', 'Read the session again', () => this.host.command('refresh', {}))));
  }

  show(v: SessionView): void {
    clear(this.head);
    clear(this.body);
    const t = v.totals;
    const fact = (label: string, value: string) => el('span', { class: 'fact' }, el('span', { class: 'fact-label' }, label), ` ${value}`);
    this.head.append(
      el('div', { class: 'header-top' }, el('div', { class: 'header-main' }, el('h1', { class: 'trace-name', title: v.title }, icon(v.kind === 'session' ? 'layers' : 'comment-discussion'), ` ${v.title}`)),
        el('div', { class: 'header-actions' }, linkButton('Refresh', 'Read the session again from MLflow', () => this.host.command('refresh', {})))),
      el('div', { class: 'header-facts' },
        fact('Turns', `${count(t.turns)}${v.truncated ? ' (the first shown; more exist)' : ''}`),
        fact('Tokens', `${count(t.tokens)} (${count(t.input)} in · ${count(t.output)} out)`),
        fact('Latency', duration(t.durationMs)),
        t.cost !== undefined ? fact('Cost', money(t.cost, t.currency)) : null,
        v.user ? fact('User', textOf(v.user)) : null),
    );
    if (!v.turns.length) this.body.appendChild(el('p', { class: 'empty' }, 'No traces in this session.'));
    v.turns.forEach((turn) => this.body.appendChild(this.turn(turn)));
    this.host.command('rendered', { revision: 0, spans: v.turns.length, ms: 0 });
  }

  private turn(turn: SessionTurn): HTMLElement {
    const facts = [dateTime(turn.startEpochMs), duration(turn.durationMs), turn.usage ? `${tokenSplit(turn.usage)} tokens` : '', turn.cost ? money(turn.cost.total, turn.cost.currency) : '', textOf(turn.model)].filter(Boolean);
    const status = turn.status === 'ERROR' ? el('span', { class: 'status-badge error' }, icon('error'), ' Error') : turn.status === 'IN_PROGRESS' ? el('span', { class: 'status-badge running' }, icon('loading', 'codicon-modifier-spin'), ' Running') : null;
    const head = el('div', { class: 'turn-h' },
      el('h2', { class: 'turn-title' }, textOf(turn.label)),
      el('span', { class: 'turn-facts muted' }, facts.join(' · ')), status,
      el('span', { class: 'toolbar-gap' }),
      linkButton('Open trace', `Open trace ${turn.traceId} in the trace panel`, () => this.host.command('openTrace', { traceId: turn.traceId, spanId: turn.spanId }), 'open-turn'));
    const section = el('section', { class: 'turn', attrs: { 'aria-label': turn.label, 'data-trace': turn.traceId } }, head);
    for (const w of turn.warnings) section.appendChild(el('div', { class: 'chat-note warning', role: 'note' }, icon('warning'), ' ', textOf(w)));
    if (turn.requestOffset > 0) section.appendChild(el('div', { class: 'muted resent' }, icon('history'), ` ${turn.requestOffset} earlier message${turn.requestOffset === 1 ? '' : 's'} resent as history (shown in the turns above)`));
    section.appendChild(turn.chat ? renderChat(turn.chat, turn.spanId, this.actions) : el('p', { class: 'empty' }, 'This trace records no model call.'));
    return section;
  }
}
