// MLflow credentials per tracking server, kept only in VS Code's SecretStorage (the OS keychain
// where there is one). Never in settings, never in the log: the only place a secret leaves this
// file is the client's auth header and the env of a process the user asked us to trace.
import * as vscode from 'vscode';
import type { AuthConfig } from '../mlflow/api';

export type Credentials = Exclude<AuthConfig, { kind: 'none' }>;

/** Typed secret keys: one entry per server, so switching servers never sends one server's token to another. */
const KEY_PREFIX = 'geminiTrace.credentials/';

export function secretKey(trackingUri: string): string {
  return KEY_PREFIX + normalizeServer(trackingUri);
}

/** Same server, same key: scheme and host lower-cased, default ports and trailing slashes dropped. */
export function normalizeServer(uri: string): string {
  const raw = uri.trim();
  if (raw.toLowerCase() === 'databricks' || raw.toLowerCase().startsWith('databricks://')) return raw.toLowerCase();
  try {
    const u = new URL(raw);
    const port = u.port && !((u.protocol === 'http:' && u.port === '80') || (u.protocol === 'https:' && u.port === '443')) ? `:${u.port}` : '';
    return `${u.protocol}//${u.hostname.toLowerCase()}${port}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return raw.replace(/\/+$/, '');
  }
}

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

function parseCredentials(raw: string): Credentials | undefined {
  try {
    const v = JSON.parse(raw) as Partial<Record<string, unknown>>;
    const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
    if (v.kind === 'basic' && s('username') !== undefined && s('password') !== undefined) return { kind: 'basic', username: s('username')!, password: s('password')! };
    if (v.kind === 'bearer' && s('token')) return { kind: 'bearer', token: s('token')! };
    if (v.kind === 'databricks' && s('host') && s('token')) return { kind: 'databricks', host: s('host')!, token: s('token')! };
  } catch {
    /* fall through */
  }
  return undefined;
}

/** The env vars MLflow's SDKs (and our Node preload) read for these credentials. */
export function credentialsEnv(c: Credentials | undefined): Record<string, string> {
  switch (c?.kind) {
    case 'basic':
      return { MLFLOW_TRACKING_USERNAME: c.username, MLFLOW_TRACKING_PASSWORD: c.password };
    case 'bearer':
      return { MLFLOW_TRACKING_TOKEN: c.token };
    case 'databricks':
      return { DATABRICKS_HOST: c.host, DATABRICKS_TOKEN: c.token };
    default:
      return {};
  }
}

/** Secret values to scrub from any text on its way to the log, as a second line of defence. */
export function secretValues(c: Credentials | undefined): string[] {
  switch (c?.kind) {
    case 'basic':
      return [c.password, Buffer.from(`${c.username}:${c.password}`).toString('base64')].filter((s) => s.length >= 4);
    case 'bearer':
    case 'databricks':
      return c.token.length >= 4 ? [c.token] : [];
    default:
      return [];
  }
}

export function describeCredentials(c: Credentials | undefined): string {
  switch (c?.kind) {
    case 'basic':
      return `Basic (user ${c.username})`;
    case 'bearer':
      return 'Bearer token';
    case 'databricks':
      return `Databricks (${c.host})`;
    default:
      return 'none';
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
