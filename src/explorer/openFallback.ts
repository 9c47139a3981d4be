// "Open Trace" belongs to the trace panel. If no feature registered it by the end of activation
// (the panel not built, or it failed to load), a trace still opens: as formatted JSON of its
// info and spans in a read-only editor.
import * as vscode from 'vscode';
import type { Services } from '../core/services';
import { toTraceRef } from '../shared/traceRef';
import { errorMessage } from '../shared/errors';

const SCHEME = 'gemini-trace-json';

export function registerOpenFallbackWhenMissing(services: Services): vscode.Disposable {
  const disposables: vscode.Disposable[] = [];
  // Every feature registers synchronously during activate(); check once that has finished.
  const timer = setTimeout(async () => {
    const commands = await vscode.commands.getCommands(true);
    if (commands.includes('geminiTrace.openTrace')) return;
    services.log.info('explorer: no trace panel registered geminiTrace.openTrace; traces open as JSON');
    disposables.push(...registerOpenAsJson(services));
  }, 0);
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    for (const d of disposables) d.dispose();
  });
}

function registerOpenAsJson(services: Services): vscode.Disposable[] {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri) {
      const traceId = decodeURIComponent(uri.path.replace(/^\//, '').replace(/\.json$/, ''));
      try {
        const full = await services.connection.client().getTrace(traceId);
        services.connection.report(true);
        return JSON.stringify(full, null, 2);
      } catch (e) {
        services.connection.report(false, e);
        return JSON.stringify({ error: `Could not load trace ${traceId}: ${errorMessage(e)}` }, null, 2);
      }
    },
  };
  return [
    changed,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.commands.registerCommand('geminiTrace.openTrace', async (arg?: unknown) => {
      const ref = toTraceRef(arg);
      if (!ref) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: `/${encodeURIComponent(ref.traceId)}.json` }));
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
  ];
}
