// The Traces view: tree, commands, live polling, badge, error colours, and the view's
// description and context keys (which drive the title-bar buttons and the welcome views).
import * as vscode from 'vscode';
import { CONTEXT, VIEW } from '../contributions/ids';
import type { Services } from '../core/services';
import { registerExplorerCommands, traceIdsOf } from './commands';
import { describeFilter } from './filter';
import type { Node } from './nodes';
import { LivePoller } from './poller';
import { ErrorDecorations } from './treeItems';
import { TraceTreeProvider } from './treeProvider';

const RELATIVE_TIME_REFRESH_MS = 60_000;
/** How often a running trace's elapsed time is redrawn (from cache: no request). */
const ELAPSED_REFRESH_MS = 1_000;

/** The Traces view's parts, for the test API. */
export interface ExplorerHooks {
  provider: TraceTreeProvider;
  view: vscode.TreeView<Node>;
  poller: LivePoller;
}

export function registerExplorer(services: Services): ExplorerHooks {
  const provider = new TraceTreeProvider(services);
  const view = vscode.window.createTreeView<Node>(VIEW.traces, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });

  const updateBadge = () => {
    const n = provider.unseen.size;
    view.badge = n ? { value: n, tooltip: `${n} new trace${n === 1 ? '' : 's'} not opened yet` } : undefined;
  };
  const poller = new LivePoller(services, provider, view, updateBadge);

  const updateState = () => {
    const filter = describeFilter(provider.filter);
    view.description = [filter && `filter: ${filter}`, provider.currentRunOnly && 'current run'].filter(Boolean).join(' · ') || undefined;
    // A view alone in its container has its header (and so its description) merged away:
    // the message above the tree keeps an active filter visible there too.
    // (Never in an error state: a message would hide the welcome view and its buttons.)
    view.message = [filter && `Filter: ${filter}`, provider.currentRunOnly && 'Current run only'].filter(Boolean).join(' — ') || undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT.filtered, !!filter);
    void vscode.commands.executeCommand('setContext', CONTEXT.currentRunOnly, provider.currentRunOnly);
    void vscode.commands.executeCommand('setContext', CONTEXT.empty, provider.isEmpty);
    updateBadge();
  };
  updateState();

  // Descriptions say "2m ago": re-render loaded runs now and then, from cache, while visible.
  const clock = setInterval(() => {
    if (!view.visible) return;
    for (const n of provider.loadedRunNodes()) provider.refreshNode(n);
  }, RELATIVE_TIME_REFRESH_MS);

  const elapsed = setInterval(() => {
    if (!view.visible) return;
    for (const n of provider.runningTraceNodes()) provider.refreshNode(n);
  }, ELAPSED_REFRESH_MS);

  services.context.subscriptions.push(
    provider,
    view,
    poller,
    new vscode.Disposable(() => clearInterval(clock)),
    new vscode.Disposable(() => clearInterval(elapsed)),
    vscode.window.registerFileDecorationProvider(new ErrorDecorations()),
    provider.onDidChangeState(updateState),
    view.onDidChangeSelection((e) => provider.markSeen(traceIdsOf(e.selection)) && updateBadge()),
    ...registerExplorerCommands(services, provider, view),
  );
  return { provider, view, poller };
}
