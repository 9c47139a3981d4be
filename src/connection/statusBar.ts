// The status bar item: which MLflow server, and whether it answers. A click opens the
// connection menu (switch server, credentials, log, local server).
import * as vscode from 'vscode';
import { COMMAND, STORAGE } from '../contributions/ids';
import type { ConnectionControl } from './control';
import { escapeMarkdown, shortServer } from '../shared/format';
import { describeCredentials } from './credentials';
import type { LocalServer } from './localServer';

export class ConnectionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STORAGE.statusBarItem, vscode.StatusBarAlignment.Left, -100);
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly connection: ConnectionControl,
    private readonly local: LocalServer,
  ) {
    this.item.name = 'Gemini Trace: MLflow Connection';
    this.item.command = COMMAND.connection;
    this.subs.push(connection.onDidChange(() => this.render()), local.onDidChange(() => this.render()));
    this.render();
    this.item.show();
  }

  private render(): void {
    const c = this.connection;
    const server = shortServer(c.trackingUri) + (c.localOverride ? ' (local)' : '');
    const icon = { connecting: '$(sync~spin)', up: '$(database)', down: '$(debug-disconnect)', unauthorized: '$(lock)' }[c.state];
    const word = { connecting: 'connecting', up: 'connected', down: 'not reachable', unauthorized: 'credentials refused' }[c.state];
    this.item.text = `${icon} ${server}`;
    this.item.backgroundColor =
      c.state === 'down' ? new vscode.ThemeColor('statusBarItem.errorBackground') : c.state === 'unauthorized' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `MLflow server ${server}: ${word}. Activate for connection options.`, role: 'button' };

    const md = new vscode.MarkdownString('', false);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown('**MLflow tracking server**\n\n');
    md.appendMarkdown(escapeMarkdown(`${c.trackingUri} — ${word} (from ${c.trackingUriSource})\n`));
    md.appendMarkdown(escapeMarkdown(`Experiment: ${c.experimentName ?? (c.experimentId ? `id ${c.experimentId}` : 'Default')}\n`));
    md.appendMarkdown(escapeMarkdown(`Credentials: ${describeCredentials(c.credentialsInUse)}\n`));
    if (this.local.url) md.appendMarkdown(escapeMarkdown(`Local server: ${this.local.url} (stops with this window)\n`));
    // The client writes **bold** command names for Markdown; shown escaped, so drop the stars.
    if (c.lastError) md.appendMarkdown(escapeMarkdown(`\n${c.lastError.replace(/\*\*/g, '')}\n`));
    md.appendMarkdown('\n_Click for connection options._');
    this.item.tooltip = md;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
