// One webview panel showing one trace: creates the webview with its strict shell, loads the
// trace, hands the webview's requests to its answers (panelAnswers.ts), and keeps polling while
// the trace is still running.
import * as vscode from 'vscode';
import { VIEW } from '../contributions/ids';
import { isMlflowError } from '../mlflow/errors';
import type { SpanReader } from '../model/earlySpans';
import type { Trace } from '../model/types';
import type { Services } from '../core/services';
import type { TraceRef } from '../shared/traceRef';
import { CompareController } from './compareHost';
import { contentAction } from './contentActions';
import { spanAction } from './spanActions';
import { panelHtml } from './html';
import type { Commands, HostToWebview, Notifications, PanelState, RequestMessage, ValueRef } from '../contract/protocol';
import { isWebviewToHost } from '../contract/protocol';
import type { AttachmentFetch } from './mediaSource';
import { addEarlierTurns } from './priorTurns';
import { AfterRead } from './afterRead';
import { isRunning } from '../model/summary';
import { TraceSession } from './session';
import { FIRST_PIECE_SPANS } from './postedTable';
import { BeforeRead } from './beforeRead';
import { PanelAnswers } from './panelAnswers';
import { OpenTimeline } from './openTimeline';
import { TablePoster } from './tablePoster';
import { errorMessage } from '../shared/errors';

const POLL_MS = 2000;
/** A trace of more spans than this shows the top of its tree (the first piece's rows) as soon as
 *  its body is in, while the rest is read (beforeRead.ts). */
const PREVIEW_FROM_SPANS = 20_000;

/** Watches a panel's round trips with its webview. Only the test API sets one (in Test mode). */
export interface PanelProbe {
  rendered(panel: TracePanel, c: Commands['rendered']): void;
  answered(panel: TracePanel, method: RequestMessage['method']): void;
}

export class TracePanel implements vscode.Disposable {
  private session: TraceSession | undefined;
  private revision = 0;
  private readyFlag = false;
  private loading: Promise<void> | undefined;
  private pendingFocus: string | undefined;
  private selected: string | undefined;
  private poll: ReturnType<typeof setTimeout> | undefined;
  private readonly poster = new TablePoster(
    (p) => {
      this.notify('trace', p);
      // The whole table's last piece (a preview's piece never ends at the trace's span count).
      if (p.from === undefined || p.from + p.table.n === p.header.spanCount) this.timeline.mark('lastPosted');
    },
    () => this.readyFlag && !this.disposed,
  );
  private disposed = false;
  private readonly timeline = new OpenTimeline();
  /** Aborted when the panel closes. */
  private readonly closed = new AbortController();
  /** What a large trace shows before `session` exists. */
  private readonly before = new BeforeRead({
    waiting: () => !this.disposed && !this.session,
    ready: () => this.readyFlag,
    signal: this.closed.signal,
    timeline: this.timeline,
    uiUrl: (exp: string | undefined) => this.uiUrl(exp),
    revise: () => void this.revision++,
    postPreview: () => this.postPreview(),
    postTrace: () => this.postTrace(),
    whole: async () => {
      await this.loading;
      return this.session;
    },
  });
  /** Attachments come from the server the trace came from, through the one client. */
  private readonly attachments: AttachmentFetch = (traceId, id, o) => this.services.connection.client().getTraceAttachment(traceId, id, o);
  /** The page's requests, answered; while the top of a large trace is shown, from it; while its
   *  whole table is, before the trace is read, from its raw spans. */
  private readonly answers = new PanelAnswers({
    source: () => this.session ?? this.before.direct?.early ?? this.before.preview?.session,
    revision: () => this.revision,
    closed: this.closed.signal,
    attachments: this.attachments,
    post: (m) => void (!this.disposed && this.panel.webview.postMessage(m)),
    answered: (method) => this.probe?.answered(this, method),
  });
  private readonly after = new AfterRead({
    current: (session) => this.session === session && !this.disposed,
    signal: this.closed.signal,
    addEarlierTurns: (session) => addEarlierTurns(session, this.services, this.closed.signal),
    repost: () => this.repost(),
    warm: (session) => this.answers.warm(session),
    debug: (line) => this.services.log.debug(`trace panel ${this.ref.traceId}: ${line}`),
  });
  private readonly disposables: vscode.Disposable[] = [];
  private readonly comparer: CompareController;
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  static create(services: Services, ref: TraceRef, probe?: PanelProbe): TracePanel {
    const panel = vscode.window.createWebviewPanel(VIEW.tracePanel, shortTitle(ref.traceId), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, TracePanel.options(services));
    return new TracePanel(services, panel, ref, probe);
  }

  static options(services: Services): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const root = services.context.extensionUri;
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')],
    };
  }

  constructor(
    private readonly services: Services,
    readonly panel: vscode.WebviewPanel,
    private readonly ref: TraceRef,
    private readonly probe?: PanelProbe,
  ) {
    this.pendingFocus = ref.spanId;
    this.selected = ref.spanId;
    this.comparer = new CompareController(services, (s) => this.notify('compareView', s));
    const root = services.context.extensionUri;
    const webview = panel.webview;
    webview.options = TracePanel.options(services);
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'activity.svg');
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      script: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview.js')).toString(),
      codicons: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'codicons', 'codicon.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      services.onDidChangeAssessments((e) => {
        if (e.traceId !== this.ref.traceId) return;
        // The cached trace keeps them too, so a later reload of this panel shows them.
        if (this.session) this.session.trace.summary.assessments = e.assessments;
        this.notify('assessments', e);
      }),
      panel.onDidChangeViewState(() => {
        // A hidden webview loses its page (no retainContextWhenHidden); the new page says ready.
        if (panel.visible) this.schedulePoll();
        else {
          this.readyFlag = false;
          this.after.pageGone();
          this.before.drewDirect(); // the read need not wait for a page that is gone
          this.poster.pageReset();
        }
      }),
    );
    void this.load(false);
  }

  /** The webview's page is loaded and listening. */
  get ready(): boolean {
    return this.readyFlag;
  }

  get traceId(): string {
    return this.ref.traceId;
  }

  get state(): PanelState {
    return { traceId: this.ref.traceId, spanId: this.selected, experimentId: this.ref.experimentId };
  }

  /** Brings the panel forward and, if given, selects that span. */
  reveal(spanId?: string): void {
    this.panel.reveal(undefined, false);
    if (!spanId) return;
    this.selected = spanId;
    if (this.readyFlag && (this.session || this.before.direct)) this.notify('focusSpan', { spanId });
    // Also kept for the next page load, in case this one is about to be replaced.
    this.pendingFocus = spanId;
  }

  refresh(): Promise<void> {
    return this.load(true);
  }

  private load(force: boolean): Promise<void> {
    if (this.loading) return this.loading;
    const traceId = this.ref.traceId;
    if (!this.session && this.readyFlag) this.notify('loading', { traceId, message: `Loading trace ${traceId}…` });
    this.loading = (async () => {
      try {
        // A first load says how far it has got; a refresh keeps the trace on screen instead.
        const progress = (message: string): void => {
          if (!this.session && !this.before.preview && this.readyFlag) this.notify('loading', { traceId, message });
        };
        const preview = {
          rows: FIRST_PIECE_SPANS,
          fromSpans: PREVIEW_FROM_SPANS,
          show: (top: Trace, total: number) => this.before.showPreview(top, total),
          whole: (info: unknown, spans: unknown[], reader: SpanReader) => this.before.showDirect(info, spans, reader),
          // A search asked before the trace is read reads the spans the read takes after it.
          yieldTo: () => this.answers.searches.busy(),
        };
        const trace = await this.services.traces.get(traceId, { force, onProgress: progress, preview: this.session ? undefined : preview });
        if (this.disposed) return;
        this.timeline.mark('read');
        const url = this.uiUrl(trace.summary.experimentId);
        const t0 = Date.now();
        const direct = this.before.direct && { ...this.before.direct, mismatch: (why: string) => this.services.log.warn(`trace panel ${traceId}: the table drawn before the trace was read is not the trace's own (${why}); drawn again`) };
        const session = await TraceSession.of(trace, url, { signal: this.closed.signal, onProgress: (f) => progress(`Laying out ${trace.spans.length.toLocaleString('en-US')} spans… ${Math.round(f * 100)} %`) }, direct);
        if (this.disposed) return;
        const layoutMs = Date.now() - t0;
        if (layoutMs > 500) this.services.log.info(`trace panel ${traceId}: ${trace.spans.length} spans laid out in ${layoutMs} ms`);
        this.timeline.mark('laidOut');
        this.session = session;
        this.answers.stopWarming(); // the session before this one no longer needs its search text
        this.timeline.mark('answers');
        this.before.done(session);
        this.logOpen();
        this.panel.title = shortTitle(this.session.header().name, isRunning(trace));
        // The session adopted the table the page holds (or is about to): nothing to post again.
        if (session.table !== direct?.table.table) this.repost();
        void this.after.follow(session);
      } catch (e) {
        if (this.disposed) return;
        this.services.log.warn(`trace panel: loading ${traceId} failed: ${errorMessage(e)}`);
        const message = errorMessage(e);
        const notFound = isMlflowError(e) && e.kind === 'not-found';
        // A failed refresh keeps the trace on screen and says so; a failed first load shows the error.
        if (this.session) this.notify('notice', { message: `Refresh failed: ${message}`, severity: 'warning' });
        else this.notify('failed', { traceId, message: notFound ? `Trace ${traceId} was not found on ${this.services.connection.trackingUri}. It may have been deleted.` : message, canRetry: !notFound });
      } finally {
        this.loading = undefined;
        this.schedulePoll();
      }
    })();
    return this.loading;
  }

  /** The trace's page in MLflow's UI, when the client can name it. */
  private uiUrl(experimentId: string | undefined): string | undefined {
    const exp = experimentId ?? this.ref.experimentId;
    try {
      return exp ? this.services.connection.client().traceUiUrl(exp, this.ref.traceId) : undefined;
    } catch {
      return undefined; // a client that cannot name the page just hides the button
    }
  }

  private postPreview(): void {
    // The span asked for is focused if the preview holds it (and asked again of the whole table).
    const payload = this.readyFlag ? this.before.previewPayload(this.revision, this.pendingFocus) : undefined;
    if (!payload) return;
    this.timeline.mark('posted');
    const revision = this.revision;
    const top = this.before.preview?.session.table.ids[0];
    this.poster.post([payload].values(), () => void this.answers.offerDetails(payload.focusSpanId ?? this.selected ?? top, revision));
  }

  /** The page drew `spans` rows' worth of the table, `ms` after the piece that completed them
   *  arrived: marks the open's first rows, and its end. */
  private openDrawn(spans: number, ms: number): void {
    const shown = this.session ?? this.before.direct?.posted;
    const total = shown?.table.n ?? this.before.preview?.total;
    if (total === undefined) return;
    this.timeline.mark('firstRows');
    if (spans !== total) return;
    this.after.drew(shown?.table);
    if (!this.session) this.before.drewDirect();
    this.timeline.mark('whole');
    this.timeline.drewWhole(ms);
    this.logOpen();
  }

  /** Logs where the open spent its time, once the page holds the whole table and the session
   *  answers (see OpenTimeline.report). */
  private logOpen(): void {
    const n = (this.session ?? this.before.direct?.posted)?.table.n;
    const r = n === undefined ? undefined : this.timeline.report(this.ref.traceId, n);
    if (r) this.services.log[r.level](r.line);
  }

  /** Something new to show: a new revision of the whole table, posted. */
  private repost(): void {
    this.revision++;
    this.postTrace();
  }

  /** Posts the whole table: the session's, or before it exists the direct one. */
  private postTrace(): void {
    const shown = this.session ?? this.before.direct?.posted;
    if (!this.readyFlag || !shown) return;
    const focus = this.pendingFocus ?? (this.revision === 1 ? this.selected : undefined);
    this.pendingFocus = undefined;
    this.timeline.mark('posted');
    const revision = this.revision;
    this.poster.post(shown.payloads(revision, focus), () => void this.answers.offerDetails(focus ?? this.selected ?? shown.table.ids[0], revision));
  }

  /** A running trace is re-read every POLL_MS while its panel is visible; a finished one never. */
  private schedulePoll(): void {
    if (this.poll || this.disposed || !this.session || !isRunning(this.session.trace) || !this.panel.visible) return;
    this.poll = setTimeout(() => {
      this.poll = undefined;
      if (this.panel.visible) void this.load(true);
    }, POLL_MS);
  }

  private onMessage(m: unknown): void {
    if (!isWebviewToHost(m)) {
      this.services.log.warn('trace panel: ignored a malformed message from the webview');
      return;
    }
    if (m.kind === 'request') {
      void this.answers.answer(m);
      return;
    }
    void this.command(m.method, m.params as never).catch((e: unknown) => {
      const message = errorMessage(e);
      this.services.log.error(`trace panel: ${m.method} failed: ${message}`);
      void vscode.window.showErrorMessage(`Gemini Trace: ${message}`);
    });
  }

  private async command<K extends keyof Commands>(method: K, params: Commands[K]): Promise<void> {
    const p = params as Commands[keyof Commands];
    const ref = (spanId?: string): TraceRef => ({ traceId: this.ref.traceId, spanId, experimentId: this.session?.trace.summary.experimentId ?? this.ref.experimentId });
    const trace = this.session?.trace;
    const source = trace ?? this.before.direct?.early.source;
    const located = { locate: (r: ValueRef) => (source ? { trace: source, ref: r } : undefined), attachments: this.attachments, log: this.services.log, where: 'trace panel' };
    if (await contentAction(method, p, located)) return;
    const actions = { ref, trace, mlflowUrl: () => (this.session ?? this.before.direct?.posted)?.header().mlflowUrl, comparer: this.comparer, experimentId: this.ref.experimentId };
    if (await spanAction(method, p, actions)) return;
    switch (method) {
      case 'ready':
        this.timeline.mark('ready');
        this.readyFlag = true;
        this.poster.pageReset();
        if (this.session || this.before.direct) this.postTrace();
        else if (this.before.preview) this.postPreview();
        else if (!this.loading) void this.load(false);
        else this.notify('loading', { traceId: this.ref.traceId, message: `Loading trace ${this.ref.traceId}…` });
        return;
      case 'selected':
        this.selected = (p as Commands['selected']).spanId ?? undefined;
        this.pendingFocus = undefined;
        return;
      case 'refresh':
        await this.load(true);
        return;
      case 'rendered': {
        const c = p as Commands['rendered'];
        this.poster.rendered(c.spans, (this.session ?? this.before.direct?.posted)?.table.n);
        if (!this.session && this.before.preview) {
          this.poster.topDrawn();
          this.before.drewPreview();
        }
        this.openDrawn(c.spans, c.ms);
        this.probe?.rendered(this, c);
        this.services.log.debug(`trace panel ${this.ref.traceId}: drew ${c.spans} spans in ${Math.round(c.ms)} ms (revision ${c.revision})`);
        return;
      }
    }
  }

  private notify<K extends keyof Notifications>(method: K, params: Notifications[K]): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage({ kind: 'notification', method, params } as HostToWebview);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closed.abort(); // a layout still running for this panel stops at its next pause
    this.before.drewPreview(); // nor does the read wait for a table nobody will see
    this.before.drewDirect();
    this.after.dispose();
    this.session?.dropSearchText();
    if (this.poll) clearTimeout(this.poll);
    this.poster.dispose();
    this.panel.dispose();
    for (const d of this.disposables) d.dispose();
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
  }
}

function shortTitle(name: string, running = false): string {
  const n = name.length > 40 ? `${name.slice(0, 39)}…` : name;
  return running ? `${n} (running)` : n;
}
