// The session view: one webview panel per session showing its traces as one transcript (the same
// webview bundle as the trace panel, drawn by webview/sessionApp.ts). The session's traces are
// found with one MLflow search (its metadata or tag; a chat's or conversation's also scoped to its
// run) and read like any trace, with progress.
import * as vscode from 'vscode';
import { COMMAND, VIEW } from '../contributions/ids';
import { compileFilter, andFilters, runClause } from '../explorer/filter';
import type { SessionKey } from '../model/sessions';
import { TAG } from '../shared/runTags';
import type { Trace } from '../model/types';
import type { Services } from '../core/services';
import { panelHtml } from './html';
import type { AttachmentFetch } from './mediaSource';
import { presentPart } from './mediaSource';
import { isWebviewToHost, type Commands, type SessionView, type ValueRef } from '../contract/protocol';
import { contentAction } from './contentActions';
import { fullValueText } from './details';
import { sessionView } from './sessionModel';
import { errorMessage } from '../shared/errors';

/** Turns read at most; a longer session says it was cut. */
const MAX_TURNS = 200;

export interface SessionRef {
  key: SessionKey;
  experimentId: string;
  /** A chat's or conversation's run (their ids are unique only within one process). */
  runId?: string;
}

export class SessionPanel implements vscode.Disposable {
  private traces: Trace[] = [];
  private view: SessionView | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  readonly loaded: Promise<void>;
  private readonly attachments: AttachmentFetch = (traceId, id, o) => this.services.connection.client().getTraceAttachment(traceId, id, o);

  constructor(
    private readonly services: Services,
    readonly panel: vscode.WebviewPanel,
    readonly ref: SessionRef,
  ) {
    const root = services.context.extensionUri;
    panel.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')] };
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'activity.svg');
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      script: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview.js')).toString(),
      codicons: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'codicons', 'codicon.css')).toString(),
    }, undefined, 'Gemini Session', 'session');
    this.disposables.push(panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)), panel.onDidDispose(() => this.dispose()));
    this.loaded = this.load();
  }

  get data(): SessionView | undefined {
    return this.view;
  }

  private post(m: unknown): void {
    void this.panel.webview.postMessage(m);
  }

  private async load(): Promise<void> {
    const { key, experimentId, runId } = this.ref;
    try {
      await vscode.window.withProgress({ location: { viewId: VIEW.traces }, title: `Reading ${key.kind} ${key.id}` }, async () => {
        const client = this.services.connection.client();
        const filter = andFilters(compileFilter({ session: key }), key.kind !== 'session' && runId ? runClause(runId, TAG.runId) : undefined);
        const infos: { trace_id: string }[] = [];
        let page: string | undefined;
        do {
          const r = await client.searchTraces({ experimentIds: [experimentId], filter, orderBy: ['timestamp_ms ASC'], maxResults: 100, pageToken: page });
          infos.push(...r.traces);
          page = r.nextPageToken;
        } while (page && infos.length < MAX_TURNS);
        const wanted = infos.slice(0, MAX_TURNS);
        this.traces = [];
        for (const [i, info] of wanted.entries()) {
          this.notify('loading', { message: `Reading turn ${i + 1} of ${wanted.length}…` });
          this.traces.push(await this.services.traces.get(info.trace_id));
        }
        this.view = sessionView(key, this.traces, infos.length > MAX_TURNS);
        this.panel.title = this.view.title.length > 40 ? `${this.view.title.slice(0, 39)}…` : this.view.title;
        this.postView();
      });
    } catch (e) {
      const message = errorMessage(e);
      this.services.log.warn(`session view: reading ${key.kind} ${key.id} failed: ${message}`);
      this.notify('failed', { traceId: key.id, message, canRetry: true });
    }
  }

  private notify(method: 'loading' | 'failed', params: unknown): void {
    if (this.ready) this.post({ kind: 'notification', method, params });
  }

  private postView(): void {
    if (this.ready && this.view) this.post({ kind: 'notification', method: 'session', params: this.view });
  }

  /** A ref from the transcript → the trace and ref it means (requests were cut at `requestOffset`). */
  private locate(ref: ValueRef): { trace: Trace; ref: ValueRef } | undefined {
    const i = this.view?.turns.findIndex((t) => t.spanId === ref.spanId) ?? -1;
    if (i < 0 || !this.view) return undefined;
    const turn = this.view.turns[i];
    const path = ref.field === 'chat' && ref.path[0] === 'request' && typeof ref.path[1] === 'number' ? ['request', ref.path[1] + turn.requestOffset, ...ref.path.slice(2)] : ref.path;
    return { trace: this.traces[i], ref: { ...ref, path } };
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isWebviewToHost(m)) return;
    if (m.kind === 'request') {
      let reply: unknown;
      try {
        const found = 'ref' in m.params ? this.locate(m.params.ref) : undefined;
        if (!found) throw new Error('That part of the session is no longer loaded.');
        let result: unknown;
        if (m.method === 'media') result = await presentPart(found.trace, found.ref, this.attachments);
        else if (m.method === 'fullValue') result = fullValueText(found.trace, found.ref);
        else throw new Error(`The session view does not answer ${m.method}.`);
        reply = { kind: 'reply', id: m.id, ok: true, result };
      } catch (e) {
        reply = { kind: 'reply', id: m.id, ok: false, error: errorMessage(e) };
      }
      this.post(reply);
      return;
    }
    const p = m.params as Commands[keyof Commands];
    try {
      if (await contentAction(m.method, p, { locate: (r) => this.locate(r), attachments: this.attachments, log: this.services.log, where: 'session view' })) return;
      switch (m.method) {
        case 'ready':
          this.ready = true;
          if (this.view) this.postView();
          else this.notify('loading', { message: `Reading ${this.ref.key.kind} ${this.ref.key.id}…` });
          return;
        case 'refresh':
          this.services.traces.invalidate();
          await this.load();
          return;
        case 'openTrace': {
          const c = p as Commands['openTrace'];
          await vscode.commands.executeCommand(COMMAND.openTrace, { traceId: c.traceId, spanId: c.spanId, experimentId: this.ref.experimentId });
          return;
        }
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`Gemini Trace: ${errorMessage(e)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
