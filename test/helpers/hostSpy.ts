// What reliability and security tests read from inside the real extension host: the webview
// panels the extension creates (their HTML and every message posted to them), the extension's
// own log file, and the extension host's log. Nothing here replaces VS Code: the spy forwards to
// the real createWebviewPanel and postMessage, and only keeps a copy of what passed through.
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../../src/core/services';

export interface CapturedPanel {
  viewType: string;
  panel: vscode.WebviewPanel;
  /** Every message the host posted to this webview, in order. */
  posted: unknown[];
}

export interface PanelSpy extends vscode.Disposable {
  readonly panels: CapturedPanel[];
}

/**
 * Observes vscode.window.createWebviewPanel. Test modules that live under the extension's folder
 * get the same `vscode` API object as the extension (VS Code caches one per extension), so the
 * extension's own calls pass through here. Throws if the API object refuses the wrapper.
 */
export function spyOnWebviewPanels(): PanelSpy {
  const win = vscode.window as { createWebviewPanel: typeof vscode.window.createWebviewPanel };
  const original = win.createWebviewPanel;
  const panels: CapturedPanel[] = [];
  const spy: typeof original = (...args: Parameters<typeof original>) => {
    const panel = original(...args);
    const captured: CapturedPanel = { viewType: args[0], panel, posted: [] };
    const webview = panel.webview;
    const post = webview.postMessage.bind(webview);
    webview.postMessage = (m: unknown) => {
      captured.posted.push(m);
      return post(m);
    };
    panels.push(captured);
    return panel;
  };
  win.createWebviewPanel = spy;
  if (vscode.window.createWebviewPanel !== spy) throw new Error('vscode.window.createWebviewPanel cannot be observed here: the API object is frozen');
  return { panels, dispose: () => void (win.createWebviewPanel = original) };
}

/** The file VS Code writes the extension's LogOutputChannel to. */
export function extensionLogFile(services: Services): string {
  const dir = services.context.logUri.fsPath;
  const name = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.log')) : undefined;
  return join(dir, name ?? 'Gemini Trace.log');
}

export function readExtensionLog(services: Services): string {
  const f = extensionLogFile(services);
  return existsSync(f) ? readFileSync(f, 'utf8') : '';
}

/** The extension host's own log (logs/<session>/exthost<N>/exthost.log): uncaught errors land here. */
export function extensionHostLogFile(services: Services): string {
  return join(dirname(services.context.logUri.fsPath), 'exthost.log');
}

/** A mark to read only what the extension host logged after it (see hostLogSince). */
export function hostLogMark(services: Services): number {
  const f = extensionHostLogFile(services);
  return existsSync(f) ? statSync(f).size : 0;
}

export function hostLogSince(services: Services, mark: number): string {
  const f = extensionHostLogFile(services);
  return existsSync(f) ? readFileSync(f).subarray(mark).toString('utf8') : '';
}

/** Error entries in an extension host log excerpt that concern this extension (by id or file). */
export function ourHostErrors(services: Services, text: string): string[] {
  const entries = text.split(/\n(?=\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)/);
  const ours = [services.context.extension.id, services.context.extensionUri.fsPath];
  return entries.filter((e) => /\[error\]/i.test(e) && ours.some((o) => e.includes(o)));
}

/** A line in the runner's spec output (the extension host's console is not shown anywhere). */
export function note(line: string): void {
  const file = process.env.GT_MOCHA_OUTPUT_FILE;
  if (file) appendFileSync(file, `      ${line}\n`);
}
