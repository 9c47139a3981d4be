// MLflow credentials per tracking server, kept only in VS Code's SecretStorage (the OS keychain
// where there is one). Never in settings, never in the log: the only place a secret leaves here
// is the client's auth header and the env of a process the user asked us to trace.
import * as vscode from 'vscode';
import { KEY_PREFIX, normalizeServer, parseCredentials, secretKey, type Credentials } from './secrets';

export type { Credentials } from './secrets';
export { credentialsEnv, describeCredentials, normalizeServer, secretKey, secretValues } from './secrets';

export class CredentialStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the normalized server whose credentials changed (also from other windows). */
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.sub = secrets.onDidChange((e) => {
      if (e.key.startsWith(KEY_PREFIX)) this.emitter.fire(e.key.slice(KEY_PREFIX.length));
    });
  }

  async get(trackingUri: string): Promise<Credentials | undefined> {
    const raw = await this.secrets.get(secretKey(trackingUri));
    if (!raw) return undefined;
    const parsed = parseCredentials(raw);
    if (!parsed) await this.secrets.delete(secretKey(trackingUri)); // unreadable: drop, ask again
    return parsed;
  }

  set(trackingUri: string, c: Credentials): Thenable<void> {
    return this.secrets.store(secretKey(trackingUri), JSON.stringify(c));
  }

  clear(trackingUri: string): Thenable<void> {
    return this.secrets.delete(secretKey(trackingUri));
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

/** Asks for the kind and the values. undefined when the user cancels at any step. */
export async function promptCredentials(trackingUri: string): Promise<Credentials | undefined> {
  const isDatabricks = trackingUri.trim().toLowerCase().startsWith('databricks');
  type Kind = Credentials['kind'];
  const kinds: (vscode.QuickPickItem & { auth: Kind })[] = [
    { auth: 'basic', label: '$(account) Username and password', description: 'HTTP Basic (MLflow basic-auth app)' },
    { auth: 'bearer', label: '$(key) Token', description: 'Authorization: Bearer <token>' },
    { auth: 'databricks', label: '$(cloud) Databricks', description: 'workspace host and personal access token' },
  ];
  const picked = await vscode.window.showQuickPick(isDatabricks ? [kinds[2], kinds[0], kinds[1]] : kinds, {
    title: `MLflow credentials for ${trackingUri}`,
    placeHolder: 'How does this server authenticate? (stored in VS Code secret storage, never in settings)',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  const ask = (prompt: string, opts: Partial<vscode.InputBoxOptions> = {}) =>
    vscode.window.showInputBox({
      title: `MLflow credentials for ${trackingUri}`,
      prompt,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Required'),
      ...opts,
    });
  if (picked.auth === 'basic') {
    const username = await ask('Username');
    if (username === undefined) return undefined;
    const password = await ask(`Password for ${username.trim()}`, { password: true });
    return password === undefined ? undefined : { kind: 'basic', username: username.trim(), password };
  }
  if (picked.auth === 'bearer') {
    const token = await ask('Token', { password: true });
    return token === undefined ? undefined : { kind: 'bearer', token: token.trim() };
  }
  const guess = /^https:\/\//i.test(trackingUri) ? normalizeServer(trackingUri) : '';
  const host = await ask('Databricks workspace URL, e.g. https://adb-1234567890.12.azuredatabricks.net', {
    value: guess,
    validateInput: (v) => (/^https:\/\/[^/\s]+/i.test(v.trim()) ? undefined : 'An https:// workspace URL'),
  });
  if (host === undefined) return undefined;
  const token = await ask('Personal access token', { password: true });
  return token === undefined ? undefined : { kind: 'databricks', host: host.trim().replace(/\/+$/, ''), token: token.trim() };
}
