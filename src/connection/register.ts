// The connection feature: the one MLflow connection, the local server it can start, its status
// bar item and its commands, created here like every other feature's parts.
import type * as vscode from 'vscode';
import type { Connection } from '../core/services';
import { registerConnectionCommands } from './commands';
import { ConnectionImpl } from './connection';
import { LocalServer } from './localServer';
import { ConnectionStatusBar } from './statusBar';

export function registerConnection(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Connection & vscode.Disposable {
  const connection = new ConnectionImpl(context, log);
  const local = new LocalServer(context, log, connection);
  const statusBar = new ConnectionStatusBar(connection, local);
  const commands = registerConnectionCommands(connection, local, log, context);
  connection.own(local, statusBar, ...commands);
  connection.probeSoon();
  return connection;
}
