// The Traces view's commands. Each accepts what VS Code passes (the clicked node, plus the
// selection for multi-select menus), a plain TraceRef, or nothing (then the view's selection).
import * as vscode from 'vscode';
import { setting } from '../contributions/settings';
import { COMMAND, CONTEXT, VIEW } from '../contributions/ids';
import type { Services } from '../core/services';
import type { TraceRef } from '../shared/traceRef';
import { toTraceRef } from '../shared/traceRef';
import { ConversationNode, LoadMoreNode, SpanNode, TraceNode, type Node } from './nodes';
import { promptFilter } from './filterPrompt';
import type { TraceTreeProvider } from './treeProvider';
import { errorMessage } from '../shared/errors';

/** How long a click's command waits for its row to be selectable again after a refresh. */
const SELECTION_WAIT_MS = 2000;

export function registerExplorerCommands(services: Services, provider: TraceTreeProvider, view: vscode.TreeView<Node>): vscode.Disposable[] {
  const refs = (clicked: unknown, selected: unknown): TraceRef[] => {
    const many = Array.isArray(selected) && selected.length ? selected : clicked !== undefined ? [clicked] : view.selection;
    const out = new Map<string, TraceRef>();
    for (const x of many) {
      const r = toTraceRef(x);
      if (r && !out.has(r.traceId + (r.spanId ?? ''))) out.set(r.traceId + (r.spanId ?? ''), r);
    }
    return [...out.values()];
  };
  const client = () => services.connection.client();

  const copyTraceId = async (clicked?: unknown, selected?: unknown) => {
    const ids = [...new Set(refs(clicked, selected).map((r) => r.traceId))];
    if (!ids.length) return;
    await vscode.env.clipboard.writeText(ids.join('\n'));
    vscode.window.setStatusBarMessage(ids.length === 1 ? `Copied trace id ${ids[0]}` : `Copied ${ids.length} trace ids`, 3000);
  };

  const openInMlflow = async (clicked?: unknown) => {
    const [ref] = refs(clicked, undefined);
    if (!ref) return;
    let experimentId = ref.experimentId;
    if (!experimentId) {
      try {
        const info = await client().getTraceInfo(ref.traceId);
        experimentId = info.trace_location?.mlflow_experiment?.experiment_id;
      } catch (e) {
        services.connection.report(false, e);
      }
    }
    if (!experimentId) {
      void vscode.window.showErrorMessage(`Gemini Trace: cannot tell which experiment holds ${ref.traceId}, so the MLflow UI page is unknown.`);
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(client().traceUiUrl(experimentId, ref.traceId)));
  };

  const deleteTrace = async (clicked?: unknown, selected?: unknown) => {
    // Spans in the selection mean their trace only when the trace itself was picked.
    const all = Array.isArray(selected) && selected.length ? selected : clicked !== undefined ? [clicked] : view.selection;
    const traces = all.map(toTraceRef).filter((r): r is TraceRef => !!r && !r.spanId);
    const unique = [...new Map(traces.map((r) => [r.traceId, r])).values()];
    if (!unique.length) return;
    const what = unique.length === 1 ? `trace ${unique[0].traceId}` : `${unique.length} traces`;
    if (setting('explorer.confirmDelete')) {
      // A refused dialog (e.g. in automated runs) rejects: treated as "not confirmed".
      const ok = await Promise.resolve(
        vscode.window.showWarningMessage(`Delete ${what} from MLflow?`, { modal: true, detail: 'This removes the trace and its spans from the tracking server for everyone. It cannot be undone.' }, 'Delete'),
      ).catch(() => undefined);
      if (ok !== 'Delete') return;
    }
    const byExp = new Map<string, string[]>();
    for (const r of unique) {
      const exp = r.experimentId ?? (await client().getTraceInfo(r.traceId).then((i) => i.trace_location?.mlflow_experiment?.experiment_id, () => undefined));
      if (!exp) {
        void vscode.window.showErrorMessage(`Gemini Trace: cannot tell which experiment holds ${r.traceId}; it was not deleted.`);
        continue;
      }
      byExp.set(exp, [...(byExp.get(exp) ?? []), r.traceId]);
    }
    const deleted = new Set<string>();
    await vscode.window.withProgress({ location: { viewId: VIEW.traces }, title: 'Deleting traces' }, async () => {
      for (const [exp, ids] of byExp) {
        try {
          await client().deleteTraces(exp, ids);
          ids.forEach((id) => deleted.add(id));
          services.connection.report(true);
        } catch (e) {
          services.connection.report(false, e);
          void vscode.window.showErrorMessage(`Gemini Trace: deleting ${ids.length} trace(s) failed: ${errorMessage(e)}`);
        }
      }
    });
    if (deleted.size) {
      provider.removeTraces(deleted);
      services.log.info(`explorer: deleted ${deleted.size} trace(s)`);
      vscode.window.setStatusBarMessage(`Deleted ${deleted.size === 1 ? 'trace' : `${deleted.size} traces`}`, 3000);
    }
  };

  /** The row a click just selected: row commands carry no arguments (treeItems.ts OPEN_SELECTED).
   *  With none, it waits a moment: a refresh of a node (a live poll's new trace, a running trace's
   *  elapsed time) makes VS Code forget the node's children until the tree asks for them again,
   *  and `view.selection` leaves the row out meanwhile though it stays selected on screen. A click
   *  whose command landed then opened nothing. */
  const selectedRowSoon = async (): Promise<Node | undefined> => {
    for (const until = Date.now() + SELECTION_WAIT_MS; ; await new Promise((r) => setTimeout(r, 25))) {
      const rows = view.selection;
      if (rows.length || Date.now() >= until) return rows.length === 1 ? rows[0] : undefined;
    }
  };

  const openSelected = async () => {
    const n = await selectedRowSoon();
    if (n instanceof ConversationNode) return vscode.commands.executeCommand(COMMAND.openSession, n);
    const ref = n instanceof TraceNode || n instanceof SpanNode ? toTraceRef(n) : undefined;
    return ref ? vscode.commands.executeCommand(COMMAND.openTrace, ref) : undefined;
  };

  const loadMore = async (node?: unknown) => {
    const n = node ?? (await selectedRowSoon());
    if (n instanceof LoadMoreNode) return provider.loadMore(n);
    return undefined;
  };

  const setRunScope = (on: boolean) => {
    provider.setCurrentRunOnly(on);
    void vscode.commands.executeCommand('setContext', CONTEXT.currentRunOnly, on);
  };

  return [
    vscode.commands.registerCommand(COMMAND.refresh, () => {
      provider.reload();
      // Also the way out of an error state: ask the server now rather than at the next back-off.
      void services.connection.client().health().then(
        () => services.connection.report(true),
        (e: unknown) => services.connection.report(false, e),
      );
    }),
    vscode.commands.registerCommand(COMMAND.openSelected, openSelected),
    vscode.commands.registerCommand(COMMAND.copyTraceId, copyTraceId),
    vscode.commands.registerCommand(COMMAND.openInMlflow, openInMlflow),
    vscode.commands.registerCommand(COMMAND.deleteTrace, deleteTrace),
    vscode.commands.registerCommand(COMMAND.setFilter, async (preset?: unknown) => {
      const next = await promptFilter(services, provider, preset);
      if (next) provider.setFilter(next);
    }),
    vscode.commands.registerCommand(COMMAND.clearFilter, () => provider.setFilter({})),
    vscode.commands.registerCommand(COMMAND.currentRunOnly, () => setRunScope(true)),
    vscode.commands.registerCommand(COMMAND.allRuns, () => setRunScope(false)),
    vscode.commands.registerCommand(COMMAND.loadMore, loadMore),
  ];
}

/** Traces among a selection, a conversation's turns included (the badge: selecting marks as seen). */
export function traceIdsOf(nodes: readonly Node[]): string[] {
  return nodes.flatMap((n) => (n instanceof TraceNode ? [n.traceId] : n instanceof ConversationNode ? n.traces.map((t) => t.id) : []));
}
