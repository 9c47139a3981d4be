// Credentials as data: their secret-storage key per server, the env vars a traced process needs,
// the values to scrub from logs. Pure (no vscode) so it is unit-tested; SecretStorage and the
// prompts live in credentials.ts.
import type { AuthConfig } from '../mlflow/api';

export type Credentials = Exclude<AuthConfig, { kind: 'none' }>;

/** Typed secret keys: one entry per server, so switching servers never sends one server's token to another. */
export const KEY_PREFIX = 'geminiTrace.credentials/';

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

export function parseCredentials(raw: string): Credentials | undefined {
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


/** Replaces every secret in a log line with ***. */
export function redact(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}
