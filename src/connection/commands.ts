// Connection commands: the status-bar menu and what it offers (switch server, credentials, log,
// local server).
import * as vscode from 'vscode';
import { COMMAND, STORAGE } from '../contributions/ids';
import { updateSetting } from '../contributions/settings';
import type { ConnectionControl } from './control';
import { describeCredentials, promptCredentials } from './credentials';
import type { LocalServer } from './localServer';
import { shortServer } from '../shared/format';
import { validateServerUri } from './validate';

const MAX_RECENT = 8;

export function registerConnectionCommands(
  connection: ConnectionControl,
  local: LocalServer,
  log: vscode.LogOutputChannel,
  context: vscode.ExtensionContext,
): vscode.Disposable[] {
  const recent = () => context.globalState.get<string[]>(STORAGE.recentServers, []);
  const remember = (uri: string) => context.globalState.update(STORAGE.recentServers, [uri, ...recent().filter((u) => u !== uri)].slice(0, MAX_RECENT));

  const setServer = async (uri?: string) => {
    const value =
      typeof uri === 'string'
        ? uri
        : await vscode.window.showInputBox({
            title: 'MLflow tracking server',
            prompt: 'http(s)://host:port of an MLflow tracking server, or "databricks"',
            value: connection.trackingUri,
            ignoreFocusOut: true,
            validateInput: validateServerUri,
          });
    if (value === undefined) return;
    const clean = value.trim().replace(/\/+$/, '');
    const problem = validateServerUri(clean);
    if (problem) {
      void vscode.window.showErrorMessage(`Gemini Trace: ${problem}`);
      return;
    }
    connection.setLocalOverride(undefined);
    // Changed where the user set it; a new value goes to user settings.
    await updateSetting('trackingUri', clean);
    await remember(clean);
    log.info(`connection: server set to ${clean}`);
  };

  const setCredentials = async () => {
    const uri = connection.trackingUri;
    const c = await promptCredentials(uri);
    if (!c) return;
    await connection.credentials.set(uri, c);
    log.info(`connection: credentials for ${uri} set (${c.kind})`);
    void vscode.window.showInformationMessage(`Gemini Trace: credentials for ${shortServer(uri)} saved in VS Code's secret storage.`);
  };

  const clearCredentials = async () => {
    const uri = connection.trackingUri;
    await connection.credentials.clear(uri);
    log.info(`connection: credentials for ${uri} cleared`);
    void vscode.window.showInformationMessage(`Gemini Trace: credentials for ${shortServer(uri)} removed.`);
  };

  const menu = async () => {
    type Item = vscode.QuickPickItem & { run?: () => unknown };
    const state = { connecting: 'connecting…', up: 'connected', down: 'not reachable', unauthorized: 'credentials refused' }[connection.state];
    const items: Item[] = [
      { label: `${connection.trackingUri}`, description: state, detail: connection.lastError, kind: vscode.QuickPickItemKind.Default, run: () => vscode.commands.executeCommand(COMMAND.refresh) },
      { label: 'Server', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(edit) Set Server URL…', run: () => setServer() },
      ...recent()
        .filter((u) => u !== connection.trackingUri)
        .map((u): Item => ({ label: `$(history) ${u}`, description: 'switch to this server', run: () => setServer(u) })),
      local.url
        ? { label: '$(debug-stop) Stop Local MLflow Server', description: local.url, run: () => local.stop() }
        : { label: '$(play) Start Local MLflow Server', description: 'sqlite store in .mlflow/', run: () => local.start() },
      { label: 'Credentials', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(key) Set Credentials…', description: `now: ${describeCredentials(connection.credentialsInUse)}`, run: setCredentials },
      ...(connection.credentialsInUse ? [{ label: '$(trash) Clear Credentials', run: clearCredentials }] : []),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(output) Show Log', run: () => log.show() },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Gemini Trace: MLflow Connection', placeHolder: `Server ${connection.trackingUri} — ${state}` });
    await pick?.run?.();
  };

  return [
    vscode.commands.registerCommand(COMMAND.connection, menu),
    vscode.commands.registerCommand(COMMAND.setServer, (uri?: unknown) => setServer(typeof uri === 'string' ? uri : undefined)),
    vscode.commands.registerCommand(COMMAND.setCredentials, setCredentials),
    vscode.commands.registerCommand(COMMAND.clearCredentials, clearCredentials),
    vscode.commands.registerCommand(COMMAND.showLog, () => log.show()),
    vscode.commands.registerCommand(COMMAND.startLocalServer, () => local.start()),
    vscode.commands.registerCommand(COMMAND.stopLocalServer, () => local.stop()),
  ];
}
