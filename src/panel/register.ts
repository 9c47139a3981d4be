// The trace panel's commands and its serializer: one panel per trace (opening a trace that is
// already open reveals it), any number open at once, each restored after a window reload.
import * as vscode from 'vscode';
import { COMMAND, VIEW } from '../contributions/ids';
import type { Services } from '../core/services';
import { parseTraceIdInput, toTraceRef, type TraceRef } from '../shared/traceRef';
import { TracePanel, type PanelProbe } from './panelHost';
import type { PanelState } from '../contract/protocol';
import { SessionPanel, type SessionRef } from './sessionPanel';

/** A session from a tree node (a ConversationNode's fields) or a plain SessionRef. */
function toSessionRef(x: unknown): SessionRef | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const o = x as { key?: SessionRef['key']; experimentId?: unknown; runId?: unknown; session?: unknown; conversationId?: unknown; parent?: { run?: { id?: unknown } } };
  if (o.key && typeof o.key.id === 'string' && typeof o.experimentId === 'string') return { key: o.key, experimentId: o.experimentId, ...(typeof o.runId === 'string' ? { runId: o.runId } : {}) };
  if (typeof o.session === 'string' && typeof o.conversationId === 'string' && typeof o.experimentId === 'string' && ['session', 'chat', 'conversation'].includes(o.session)) {
    const runId = o.parent?.run?.id;
    return { key: { kind: o.session as SessionRef['key']['kind'], id: o.conversationId }, experimentId: o.experimentId, ...(typeof runId === 'string' && runId ? { runId } : {}) };
  }
  return undefined;
}

export class PanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, TracePanel>();

  constructor(
    private readonly services: Services,
    private readonly probe?: PanelProbe,
  ) {}

  /** Opens (or reveals) the panel of `ref.traceId`, focused on `ref.spanId` if given. */
  open(ref: TraceRef): TracePanel {
    const existing = this.panels.get(ref.traceId);
    if (existing) {
      existing.reveal(ref.spanId);
      return existing;
    }
    return this.track(TracePanel.create(this.services, ref, this.probe));
  }

  revive(panel: vscode.WebviewPanel, state: PanelState): TracePanel {
    return this.track(new TracePanel(this.services, panel, { traceId: state.traceId, spanId: state.spanId, experimentId: state.experimentId }, this.probe));
  }

  get(traceId: string): TracePanel | undefined {
    return this.panels.get(traceId);
  }

  get all(): readonly TracePanel[] {
    return [...this.panels.values()];
  }

  private track(p: TracePanel): TracePanel {
    this.panels.set(p.traceId, p);
    p.onDidDispose(() => this.panels.get(p.traceId) === p && this.panels.delete(p.traceId));
    return p;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}

/** The open trace and session panels, for the test API. */
export interface PanelHooks {
  manager: PanelManager;
  sessions: ReadonlyMap<string, SessionPanel>;
}

export function registerPanel(services: Services, probe?: PanelProbe): PanelHooks {
  const manager = new PanelManager(services, probe);
  const sessions = new Map<string, SessionPanel>();
  const { context } = services;
  context.subscriptions.push(
    manager,
    vscode.commands.registerCommand(COMMAND.openTrace, (arg: unknown) => {
      const ref = toTraceRef(arg);
      if (!ref) {
        void vscode.window.showErrorMessage('Gemini Trace: Open Trace needs a trace. Pick one in the Traces view, or run "Open Trace by ID…".');
        return undefined;
      }
      manager.open(ref);
      return ref.traceId;
    }),
    vscode.commands.registerCommand(COMMAND.openTraceById, async (arg?: unknown) => {
      let id = typeof arg === 'string' ? parseTraceIdInput(arg) : undefined;
      if (!id) {
        const text = await vscode.window.showInputBox({
          title: 'Open Trace by ID',
          prompt: 'A trace id (tr-…), or an MLflow UI link to a trace',
          placeHolder: 'tr-0123456789abcdef0123456789abcdef',
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() && !parseTraceIdInput(v) ? 'That is not a trace id: expected tr- followed by 32 hex digits.' : undefined),
        });
        if (text === undefined) return undefined;
        id = parseTraceIdInput(text);
      }
      if (!id) return undefined;
      manager.open({ traceId: id });
      return id;
    }),
    vscode.commands.registerCommand(COMMAND.openSession, (arg: unknown) => {
      const ref = toSessionRef(arg);
      if (!ref) {
        void vscode.window.showErrorMessage('Gemini Trace: Open Session needs a session. Pick a session, chat or conversation in the Traces view.');
        return undefined;
      }
      const id = `${ref.experimentId}:${ref.runId ?? ''}:${ref.key.kind}:${ref.key.id}`;
      const open = sessions.get(id);
      if (open) {
        open.panel.reveal();
        return open;
      }
      const panel = new SessionPanel(services, vscode.window.createWebviewPanel(VIEW.sessionPanel, `${ref.key.kind} ${ref.key.id}`, vscode.ViewColumn.Active, { enableScripts: true }), ref);
      sessions.set(id, panel);
      panel.panel.onDidDispose(() => sessions.delete(id));
      return panel;
    }),
    { dispose: () => sessions.forEach((s) => s.dispose()) },
    vscode.window.registerWebviewPanelSerializer(VIEW.tracePanel, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const ref = toTraceRef(state);
        if (!ref) {
          // Nothing to restore (the panel closed before it ever loaded): don't leave it blank.
          panel.dispose();
          return;
        }
        manager.revive(panel, { traceId: ref.traceId, spanId: ref.spanId, experimentId: ref.experimentId });
      },
    }),
  );
  return { manager, sessions };
}
