// The panel's page: header on top, the timeline and the span details side by side in resizable
// panes; the Compare view in their place when asked (compareSwitch.ts). What survives hiding the
// panel is in viewState.ts, the loading and error covers in overlay.ts, the details' requests in
// detailsLoader.ts.
import type { VscodeSplitLayout } from '@vscode-elements/elements/dist/vscode-split-layout/vscode-split-layout.js';
import type { Notifications, TraceHeader, TracePayload, ValueRef } from '../src/contract/protocol';
import type { SpanTable } from '../src/contract/spanTable';
import { asPreview, joinPieces, unpackColumns, unpackTable } from '../src/contract/wireTable';
import { errorMessage } from '../src/shared/errors';
import { CompareSwitch } from './compareSwitch';
import { DetailsPane, type TabId } from './details';
import { DetailsLoader } from './detailsLoader';
import { el, iconButton } from './dom';
import { TraceHeaderView } from './header';
import { Banner, Overlay } from './overlay';
import type { Host } from './rpc';
import { SearchBar } from './search';
import { Timeline } from './timeline';
import { ViewState } from './viewState';

export class App {
  readonly root: HTMLElement;
  private readonly header: TraceHeaderView;
  private readonly timeline: Timeline;
  private readonly search: SearchBar;
  private readonly details: DetailsPane;
  private readonly banner = new Banner();
  private readonly overlay = new Overlay();
  private readonly split: VscodeSplitLayout;
  private splitPos: string | undefined;
  private readonly compare: CompareSwitch;
  private readonly loader: DetailsLoader;
  private readonly view: ViewState;
  private t: SpanTable | undefined;
  private hdr: TraceHeader | undefined;
  private revision = 0;
  /** The table on screen is the first piece of a large trace, the rest still coming. */
  private preview = false;
  /** A span asked for while only the first piece was here: selected once the table is whole. */
  private focusLater: string | undefined;
  /** The pieces of a large trace's table received so far (TracePayload.from). */
  private pieces: { traceId: string; revision: number; tables: SpanTable[]; spans: number } | undefined;

  constructor(private readonly host: Host) {
    this.view = new ViewState(host, () => ({ hdr: this.hdr, timeline: this.timeline, details: this.details, search: this.search, selectedId: this.selectedId, split: this.splitPos }));
    const saved = this.view.saved;
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
        // The host searches the whole trace: while only the first piece is here, its matches show.
        const shown = this.preview ? (this.t?.n ?? 0) : Infinity;
        this.timeline.setMatches(m && m.filter((i) => i < shown), words, filter);
        this.saveSoon();
      },
      goto: (i) => this.t && i < this.t.n && this.timeline.setCurrentMatch(i),
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
    this.loader = new DetailsLoader(host, this.details, () => this.t && this.hdr && { t: this.t, hdr: this.hdr, revision: this.revision });
    if (saved?.tab) this.details.preferred = saved.tab as TabId;
    if (saved?.nameWidth) this.timeline.setNameWidth(saved.nameWidth);

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
    this.split = el('vscode-split-layout', { class: 'main-split', attrs: { split: 'vertical', 'initial-handle-position': saved?.split ?? '58%', 'min-start': '280px', 'min-end': '260px' } }, left, right) as VscodeSplitLayout;
    this.split.addEventListener('vsc-split-layout-change', (e: Event) => {
      this.splitPos = `${(e as CustomEvent<{ positionInPercentage: number }>).detail.positionInPercentage.toFixed(1)}%`;
      this.saveSoon();
    });
    this.compare = new CompareSwitch(host, this.split, {
      back: () => this.timeline.viewport.focus({ preventScroll: true }),
      reveal: (spanId) => this.focusSpan(spanId),
    });
    this.root = el('div', { class: 'app' }, this.header.root, this.banner.root, this.split, this.compare.root, this.overlay.root);
    this.root.addEventListener('name-width', () => this.saveSoon());
    this.timeline.viewport.addEventListener('scroll', () => this.saveSoon(), { passive: true });
    document.addEventListener('keydown', (e) => this.globalKey(e));

    host.on('loading', (p) => this.showOverlay(p.message, true));
    host.on('failed', (p) => this.showFailed(p));
    host.on('trace', (p) => this.receiveTrace(p));
    host.on('focusSpan', (p) => this.focusSpan(p.spanId));
    host.on('spanDetails', (p) => this.loader.offer(p.spanId, p.revision, p.details));
    host.on('searchProgress', (p) => this.search.progress(p.query, p.fraction, p.found));
    host.on('notice', (p) => this.notice(p.message, p.severity));
    host.on('compareView', (p) => this.compare.show(p, this.hdr?.traceId));
    host.on('assessments', (p) => {
      if (!this.hdr || p.traceId !== this.hdr.traceId) return;
      this.hdr = { ...this.hdr, assessments: p.assessments };
      this.header.show(this.hdr);
      this.details.setAssessments(p.assessments);
    });
    this.showOverlay(saved ? `Loading trace ${saved.traceId}…` : 'Loading trace…', true);
  }

  private get selectedId(): string | undefined {
    return this.t && this.timeline.selected >= 0 ? this.t.ids[this.timeline.selected] : undefined;
  }

  private refresh(): void {
    this.header.busy(true);
    this.host.command('refresh', {});
  }

  /** A whole table, or a piece of one: the first piece is drawn while the rest comes (unless this
   *  trace is on screen already: a refresh keeps it until the new table is whole). */
  private receiveTrace(p: TracePayload): void {
    const t0 = performance.now();
    let t: SpanTable;
    try {
      t = p.from === undefined ? unpackTable(p.table) : unpackColumns(p.table);
      if (p.from !== undefined) {
        if (p.from === 0) this.pieces = { traceId: p.header.traceId, revision: p.revision, tables: [], spans: 0 };
        const acc = this.pieces;
        // A piece of a post that a newer one replaced.
        if (!acc || acc.traceId !== p.header.traceId || acc.revision !== p.revision || acc.spans !== p.from) return;
        acc.tables.push(t);
        acc.spans += t.n;
        if (acc.spans < p.header.spanCount) {
          // Drawn as a preview unless this trace is on screen already: whole, or as the preview
          // read before the whole trace (the same rows: drawing them again only kept the page
          // busy while the rest crossed).
          if (p.from === 0 && this.hdr?.traceId !== p.header.traceId) this.showTrace(p, asPreview(t), t0, true);
          return;
        }
        this.pieces = undefined;
        t = joinPieces(acc.tables, p.header.spanCount);
      }
    } catch (e) {
      this.pieces = undefined;
      const message = `This trace could not be shown: ${errorMessage(e)}.`;
      if (this.t && !this.preview) this.notice(`${message} Use Refresh to read it again.`, 'error'); // the trace on screen stays
      else this.showFailed({ traceId: p.header.traceId, message, canRetry: true });
      return;
    }
    this.showTrace(p, t, t0, false);
  }

  private showTrace(p: TracePayload, t: SpanTable, t0: number, preview: boolean): void {
    const sameTrace = !!this.hdr && this.hdr.traceId === p.header.traceId;
    const saved = this.view.saved;
    // A view saved before the page was reloaded is restored once the table is whole.
    const restoring = (!sameTrace || this.preview) && !preview && saved?.traceId === p.header.traceId;
    this.preview = preview;
    this.t = t;
    this.hdr = p.header;
    this.revision = p.revision;
    this.header.busy(preview); // busy until the rest of the table is in
    this.header.show(p.header);
    this.overlay.hide();
    if (p.header.warnings.length && !sameTrace) this.notice(`This trace was read with ${p.header.warnings.length} warning(s): ${p.header.warnings[0]}`, 'warning');
    const collapsedIds = restoring && saved?.collapsed ? new Set(saved.collapsed) : undefined;
    this.timeline.setData(t, p.header, { sameTrace, collapsedIds });
    if (restoring && saved?.view) {
      this.timeline.win.set(saved.view[0], saved.view[1]);
      this.timeline.head.update();
    }
    if (restoring && saved?.scrollTop) this.timeline.viewport.scrollTop = saved.scrollTop;
    const asked = this.focusLater;
    if (!preview) this.focusLater = undefined;
    const want = p.focusSpanId ?? asked ?? (sameTrace ? this.selectedId : restoring ? saved?.spanId : undefined);
    const idx = want ? t.ids.indexOf(want) : -1;
    if (!t.n) this.details.showEmpty('This trace has no spans.');
    else this.timeline.select(idx >= 0 ? idx : sameTrace && this.timeline.selected >= 0 ? this.timeline.selected : 0, 'program');
    if (restoring && saved?.query) this.search.set(saved.query);
    else if (sameTrace) this.search.rerun();
    if (!preview) this.view.save();
    // How many spans the page holds, readable from outside (bench/panel-open.mjs waits on it).
    document.body.dataset.spans = String(t.n);
    if (!sameTrace) this.timeline.viewport.focus({ preventScroll: true });
    // Report once the browser has painted the rows.
    requestAnimationFrame(() => {
      // When rows first reached the screen, and the whole table, on the machine's clock (epoch ms):
      // bench/panel-open.mjs reads them, as polling the page from outside notices late.
      const at = String(Math.round(performance.timeOrigin + performance.now()));
      document.body.dataset.drawnAt ??= at;
      if (!preview) document.body.dataset.wholeAt ??= at;
      setTimeout(() => this.host.command('rendered', { revision: p.revision, spans: t.n, ms: performance.now() - t0 }), 0);
    });
  }

  private focusSpan(spanId: string): void {
    const i = this.t ? this.t.ids.indexOf(spanId) : -1;
    if (i >= 0) this.timeline.select(i, 'program');
    else if (this.preview) this.focusLater = spanId; // in the rest of the table, still coming
    else this.notice(`Span ${spanId} is not in this trace.`, 'warning');
  }

  private onSelect(i: number, how: 'pointer' | 'keyboard' | 'program'): void {
    if (!this.t) return;
    this.host.command('selected', { spanId: this.t.ids[i] });
    this.saveSoon();
    this.loader.load(i, how);
  }

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
    this.overlay.show(message, progress);
  }

  private showFailed(p: Notifications['failed']): void {
    this.header.busy(false);
    this.overlay.showFailed(p, () => {
      this.showOverlay(`Loading trace ${p.traceId}…`, true);
      this.host.command('refresh', {});
    });
  }

  private notice(message: string, severity: 'info' | 'warning' | 'error'): void {
    this.header.busy(false);
    this.banner.notice(message, severity);
  }

  private saveSoon(): void {
    this.view.saveSoon();
  }
}
