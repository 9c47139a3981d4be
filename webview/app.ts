// The panel's page: header on top, the timeline and the span details side by side in resizable
// panes. Owns the view state that survives hiding the panel or reloading the window.
import type { VscodeSplitLayout } from '@vscode-elements/elements/dist/vscode-split-layout/vscode-split-layout.js';
import type { CompareViewState, Notifications, TraceHeader, TracePayload, ValueRef } from '../src/contract/protocol';
import type { SpanTable } from '../src/contract/spanTable';
import { CompareView } from './compare';
import { DetailsPane, type TabId } from './details';
import { clear, el, iconButton } from './dom';
import { TraceHeaderView } from './header';
import type { Host, SavedState } from './rpc';
import { SearchBar } from './search';
import { Timeline } from './timeline';
import { unpackTable } from '../src/contract/wireTable';
import { errorMessage } from '../src/shared/errors';

const MAX_SAVED_COLLAPSED = 2000;

export class App {
  readonly root: HTMLElement;
  private readonly header: TraceHeaderView;
  private readonly timeline: Timeline;
  private readonly search: SearchBar;
  private readonly details: DetailsPane;
  private readonly banner: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly split: VscodeSplitLayout;
  private readonly compare: CompareView;
  private t: SpanTable | undefined;
  private hdr: TraceHeader | undefined;
  private revision = 0;
  private state: SavedState | undefined;
  private detailsTimer: ReturnType<typeof setTimeout> | undefined;
  private detailsSeq = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: Host) {
    this.state = host.state;
    const actions = {
      fullValue: (ref: ValueRef) => host.request('fullValue', { ref }),
      openInEditor: (ref: ValueRef, language?: string) => host.command('openInEditor', { ref, language }),
      copy: (text: string, what: string) => host.command('copy', { text, what }),
    };
    this.header = new TraceHeaderView({
      refresh: () => this.refresh(),
      openInMlflow: () => host.command('openInMlflow', {}),
      compare: () => host.command('compare', {}),
      copyId: () => this.hdr && host.command('copy', { text: this.hdr.traceId, what: 'trace id' }),
    });
    this.timeline = new Timeline({
      select: (i, how) => this.onSelect(i, how),
      open: () => this.details.focus(),
      goToCode: (i) => this.t && host.command('goToCode', { spanId: this.t.ids[i] }),
      search: () => this.search.focus(),
    });
    this.search = new SearchBar({
      query: (q) => host.request('search', { query: q }),
      matches: (m, words, filter) => {
        this.timeline.setMatches(m, words, filter);
        this.saveSoon();
      },
      goto: (i) => this.timeline.setCurrentMatch(i),
      selected: () => this.timeline.selected,
      leave: () => this.timeline.viewport.focus(),
    });
    this.details = new DetailsPane({
      ...actions,
      goToCode: (spanId) => host.command('goToCode', { spanId }),
      openLocation: (filepath, lineno) => host.command('openLocation', { filepath, lineno }),
      openLink: (url) => host.command('openLink', { url }),
      media: (ref) => host.request('media', { ref }),
      saveMedia: (ref) => host.command('saveMedia', { ref }),
      compare: (spanId) => host.command('compare', { spanId }),
      select: (i) => this.timeline.select(i, 'pointer'),
      selectSpan: (spanId) => this.focusSpan(spanId),
      assess: (kind, spanId) => host.command('assess', { kind, spanId }),
      replay: (spanId) => host.command('replay', { spanId }),
      tabChanged: () => this.saveSoon(),
    });
    if (this.state?.tab) this.details.preferred = this.state.tab as TabId;
    if (this.state?.nameWidth) this.timeline.setNameWidth(this.state.nameWidth);

    const critical = iconButton('debug-stackframe', 'Highlight the critical path (dims spans off it)', () => {
      this.timeline.dimNonCritical = !this.timeline.dimNonCritical;
      critical.classList.toggle('checked', this.timeline.dimNonCritical);
      critical.setAttribute('aria-pressed', String(this.timeline.dimNonCritical));
      this.timeline.redraw();
    }, 'toggle checked');
    critical.setAttribute('aria-pressed', 'true');
    const toolbar = el(
      'div',
      { class: 'timeline-toolbar', role: 'toolbar', attrs: { 'aria-label': 'Timeline' } },
      this.search.root,
      el('span', { class: 'toolbar-gap' }),
      iconButton('expand-all', 'Expand all', () => this.timeline.setAllCollapsed(false)),
      iconButton('collapse-all', 'Collapse all', () => this.timeline.setAllCollapsed(true)),
      critical,
      iconButton('zoom-in', 'Zoom in (+, Ctrl+wheel)', () => this.timeline.zoom(0.5)),
      iconButton('zoom-out', 'Zoom out (-)', () => this.timeline.zoom(2)),
      iconButton('screen-full', 'Show the whole trace (0)', () => this.timeline.fit()),
    );
    const left = el('div', { class: 'pane pane-timeline', attrs: { slot: 'start' } }, toolbar, this.timeline.root);
    const right = el('div', { class: 'pane pane-details', attrs: { slot: 'end' } }, this.details.root);
    this.split = el('vscode-split-layout', { class: 'main-split', attrs: { split: 'vertical', 'initial-handle-position': this.state?.split ?? '58%', 'min-start': '280px', 'min-end': '260px' } }, left, right) as VscodeSplitLayout;
    this.split.addEventListener('vsc-split-layout-change', (e: Event) => {
      this.splitPos = `${(e as CustomEvent<{ positionInPercentage: number }>).detail.positionInPercentage.toFixed(1)}%`;
      this.saveSoon();
    });
    this.banner = el('div', { class: 'banner', role: 'status' });
    this.banner.hidden = true;
    this.overlay = el('div', { class: 'overlay' });
    this.compare = new CompareView({
      back: () => this.closeCompare(),
      openDiff: (p, view) => p.leftSpanId && p.rightSpanId && this.lastCompare && host.command('openPairDiff', { leftTraceId: this.lastCompare.left.traceId, leftSpanId: p.leftSpanId, rightTraceId: this.lastCompare.right.traceId, rightSpanId: p.rightSpanId, view }),
      reveal: (spanId) => (this.closeCompare(), this.focusSpan(spanId)),
    });
    this.root = el('div', { class: 'app' }, this.header.root, this.banner, this.split, this.compare.root, this.overlay);
    this.root.addEventListener('name-width', () => this.saveSoon());
    this.timeline.viewport.addEventListener('scroll', () => this.saveSoon(), { passive: true });
    document.addEventListener('keydown', (e) => this.globalKey(e));

    host.on('loading', (p) => this.showOverlay(p.message, true));
    host.on('failed', (p) => this.showFailed(p));
    host.on('trace', (p) => this.showTrace(p));
    host.on('focusSpan', (p) => this.focusSpan(p.spanId));
    host.on('notice', (p) => this.notice(p.message, p.severity));
    host.on('compareView', (p) => this.showCompare(p));
    host.on('assessments', (p) => {
      if (!this.hdr || p.traceId !== this.hdr.traceId) return;
      this.hdr = { ...this.hdr, assessments: p.assessments };
      this.header.show(this.hdr);
      this.details.setAssessments(p.assessments);
    });
    this.showOverlay(this.state ? `Loading trace ${this.state.traceId}…` : 'Loading trace…', true);
  }

  private get selectedId(): string | undefined {
    return this.t && this.timeline.selected >= 0 ? this.t.ids[this.timeline.selected] : undefined;
  }

  private refresh(): void {
    this.header.busy(true);
    this.host.command('refresh', {});
  }

  private showTrace(p: TracePayload): void {
    const t0 = performance.now();
    const sameTrace = !!this.hdr && this.hdr.traceId === p.header.traceId;
    const restoring = !sameTrace && this.state?.traceId === p.header.traceId;
    let t: SpanTable;
    try {
      t = unpackTable(p.table);
    } catch (e) {
      const message = `This trace could not be shown: ${errorMessage(e)}.`;
      if (this.t) this.notice(`${message} Use Refresh to read it again.`, 'error'); // the trace on screen stays
      else this.showFailed({ traceId: p.header.traceId, message, canRetry: true });
      return;
    }
    this.t = t;
    this.hdr = p.header;
    this.revision = p.revision;
    this.header.busy(false);
    this.header.show(p.header);
    this.hideOverlay();
    if (p.header.warnings.length && !sameTrace) this.notice(`This trace was read with ${p.header.warnings.length} warning(s): ${p.header.warnings[0]}`, 'warning');
    const collapsedIds = restoring && this.state?.collapsed ? new Set(this.state.collapsed) : undefined;
    this.timeline.setData(t, p.header, { sameTrace, collapsedIds });
    if (restoring && this.state?.view) {
      this.timeline.win.set(this.state.view[0], this.state.view[1]);
      this.timeline.head.update();
    }
    if (restoring && this.state?.scrollTop) this.timeline.viewport.scrollTop = this.state.scrollTop;
    const want = p.focusSpanId ?? (sameTrace ? this.selectedId : restoring ? this.state?.spanId : undefined);
    const idx = want ? t.ids.indexOf(want) : -1;
    if (!t.n) this.details.showEmpty('This trace has no spans.');
    else this.timeline.select(idx >= 0 ? idx : sameTrace && this.timeline.selected >= 0 ? this.timeline.selected : 0, 'program');
    if (restoring && this.state?.query) this.search.set(this.state.query);
    else if (sameTrace) this.search.rerun();
    this.state = { ...(this.state ?? {}), traceId: p.header.traceId, experimentId: p.header.experimentId };
    this.save();
    if (!sameTrace) this.timeline.viewport.focus({ preventScroll: true });
    // Report once the browser has painted the rows.
    requestAnimationFrame(() => setTimeout(() => this.host.command('rendered', { revision: p.revision, spans: t.n, ms: performance.now() - t0 }), 0));
  }

  private lastCompare: Extract<CompareViewState, { state: 'ready' }>['summary'] | undefined;

  /** The Compare view takes the place of the span panes until Back or Escape. */
  private showCompare(s: CompareViewState): void {
    this.lastCompare = s.state === 'ready' ? s.summary : undefined;
    this.split.hidden = true;
    this.compare.show(s, this.hdr?.traceId);
  }

  private closeCompare(): void {
    this.compare.hide();
    this.lastCompare = undefined;
    this.split.hidden = false;
    this.timeline.viewport.focus({ preventScroll: true });
  }

  private focusSpan(spanId: string): void {
    const i = this.t ? this.t.ids.indexOf(spanId) : -1;
    if (i >= 0) this.timeline.select(i, 'program');
    else this.notice(`Span ${spanId} is not in this trace.`, 'warning');
  }

  private onSelect(i: number, how: 'pointer' | 'keyboard' | 'program'): void {
    const t = this.t;
    if (!t) return;
    const spanId = t.ids[i];
    this.host.command('selected', { spanId });
    this.saveSoon();
    if (this.details.current?.spanId === spanId && this.revision === this.detailsRevision) return;
    clearTimeout(this.detailsTimer);
    const seq = ++this.detailsSeq;
    const load = async () => {
      this.details.showLoading(t.names[i]);
      try {
        const d = await this.host.request('spanDetails', { spanId });
        if (seq !== this.detailsSeq || !this.t || !this.hdr) return;
        this.detailsRevision = this.revision;
        this.details.show(d, this.t, this.hdr);
      } catch (e) {
        if (seq === this.detailsSeq) this.details.showEmpty(`Could not load this span: ${errorMessage(e)}`);
      }
    };
    // Holding an arrow key must not queue a request per row passed.
    if (how === 'keyboard') this.detailsTimer = setTimeout(() => void load(), 80);
    else void load();
  }

  private detailsRevision = -1;
  private splitPos: string | undefined;

  private globalKey(e: KeyboardEvent): void {
    const inField = (e.target as HTMLElement).closest?.('vscode-textfield, input, textarea');
    if (this.compare.visible) return; // the Compare view handles its own keys (Escape: back)
    if ((e.key === '/' && !inField) || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f')) {
      e.preventDefault();
      this.search.focus();
    } else if (e.key === 'F5' || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'r' && !inField)) {
      e.preventDefault();
      this.refresh();
    } else if (e.key === 'Escape' && (e.target as HTMLElement).closest?.('.details')) {
      // Back from the details to the span list, where the keyboard left off.
      e.preventDefault();
      this.timeline.viewport.focus();
    }
  }

  private showOverlay(message: string, progress: boolean): void {
    if (this.t) return; // a trace on screen stays on screen while the next one loads
    clear(this.overlay);
    this.overlay.hidden = false;
    if (progress) this.overlay.appendChild(el('vscode-progress-bar', { attrs: { 'aria-label': 'Loading' } }));
    this.overlay.appendChild(el('div', { class: 'overlay-message' }, message));
  }

  private showFailed(p: Notifications['failed']): void {
    this.header.busy(false);
    clear(this.overlay);
    this.overlay.hidden = false;
    const box = el('div', { class: 'overlay-message error' }, el('span', { class: 'codicon codicon-error' }), ' ', p.message);
    this.overlay.appendChild(box);
    if (p.canRetry) {
      const retry = el('vscode-button', { attrs: { icon: 'refresh' } }, 'Retry');
      retry.addEventListener('click', () => {
        this.showOverlay(`Loading trace ${p.traceId}…`, true);
        this.host.command('refresh', {});
      });
      this.overlay.appendChild(retry);
    }
  }

  private hideOverlay(): void {
    this.overlay.hidden = true;
    clear(this.overlay);
  }

  private notice(message: string, severity: 'info' | 'warning' | 'error'): void {
    this.header.busy(false);
    clear(this.banner);
    this.banner.className = `banner ${severity}`;
    this.banner.append(el('span', { class: `codicon codicon-${severity === 'info' ? 'info' : severity}` }), el('span', { class: 'banner-text' }, message), iconButton('close', 'Dismiss', () => (this.banner.hidden = true)));
    this.banner.hidden = false;
  }

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), 250);
  }

  private save(): void {
    if (!this.hdr) return;
    const collapsed = [...this.timeline.collapsedIds()].slice(0, MAX_SAVED_COLLAPSED);
    const w = this.timeline.win;
    this.state = {
      traceId: this.hdr.traceId,
      experimentId: this.hdr.experimentId,
      spanId: this.selectedId,
      tab: this.details.preferred,
      nameWidth: this.timeline.nameFraction,
      split: this.splitPos ?? this.state?.split,
      scrollTop: this.timeline.viewport.scrollTop,
      collapsed,
      view: w.zoomed ? [w.from, w.to] : undefined,
      query: this.search.query || undefined,
    };
    this.host.saveState(this.state);
  }
}
