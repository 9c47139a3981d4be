// Placeholder: resolves the tracking URI and experiment from settings and the environment.
// The explorer issue replaces it with credentials, state tracking and the status bar.
import * as vscode from 'vscode';
import type { MlflowApi } from '../mlflow/api';
import { MlflowClient } from '../mlflow/client';
import type { Connection, ConnectionState } from '../services';

export function createConnection(_context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Connection & vscode.Disposable {
  const emitter = new vscode.EventEmitter<void>();
  let state: ConnectionState = 'connecting';
  const cfg = () => vscode.workspace.getConfiguration('geminiTrace');
  const uri = () => {
    const i = cfg().inspect<string>('trackingUri');
    const set = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    return set ?? process.env.MLFLOW_TRACKING_URI ?? i?.defaultValue ?? 'http://127.0.0.1:5000';
  };
  return {
    get trackingUri() { return uri(); },
    get experimentName() { return cfg().get<string>('experiment') || process.env.MLFLOW_EXPERIMENT_NAME || undefined; },
    get experimentId() { return process.env.MLFLOW_EXPERIMENT_ID || undefined; },
    get state() { return state; },
    lastError: undefined,
    onDidChange: emitter.event,
    client(): MlflowApi { return new MlflowClient({ trackingUri: uri(), log: (l, m) => log[l](m) }); },
    report(ok: boolean) {
      const next: ConnectionState = ok ? 'up' : 'down';
      if (next !== state) { state = next; emitter.fire(); }
    },
    async injectionEnv() { return { MLFLOW_TRACKING_URI: uri() }; },
    dispose() { emitter.dispose(); },
  };
}
