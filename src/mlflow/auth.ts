// Where requests go and which credentials they carry: the base URL from the tracking URI, the
// Authorization header from an AuthConfig, and an AuthConfig from MLflow's own environment
// variables (the same ones the Python SDK reads, with the same precedence).
import type { AuthConfig } from './api';
import { MlflowError } from './errors';

export type Env = Record<string, string | undefined>;

/** True for "databricks" and "databricks://<profile>", as MLflow's SDKs accept them. */
export function isDatabricksUri(trackingUri: string): boolean {
  return /^databricks(:\/\/.*)?$/i.test(trackingUri.trim());
}

/**
 * Auth from the environment. MLflow's Python SDK sends Basic when both username and password are
 * set and otherwise Bearer for MLFLOW_TRACKING_TOKEN; a "databricks" URI uses DATABRICKS_HOST and
 * DATABRICKS_TOKEN.
 */
export function authFromEnv(env: Env, trackingUri?: string): AuthConfig {
  const host = env.DATABRICKS_HOST?.trim();
  const dbToken = env.DATABRICKS_TOKEN?.trim();
  if (trackingUri !== undefined && isDatabricksUri(trackingUri)) {
    return host && dbToken ? { kind: 'databricks', host: normalizeHost(host), token: dbToken } : { kind: 'none' };
  }
  const username = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if (username && password) return { kind: 'basic', username, password };
  const token = env.MLFLOW_TRACKING_TOKEN?.trim();
  if (token) return { kind: 'bearer', token };
  // Without a URI to tell, a complete Databricks pair still means Databricks.
  if (trackingUri === undefined && host && dbToken) return { kind: 'databricks', host: normalizeHost(host), token: dbToken };
  return { kind: 'none' };
}

/** The Authorization header value, or undefined for no auth. */
export function authorizationHeader(auth: AuthConfig | undefined): string | undefined {
  switch (auth?.kind) {
    case 'basic':
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    case 'bearer':
    case 'databricks':
      return `Bearer ${auth.token}`;
    default:
      return undefined;
  }
}

/** DATABRICKS_HOST is often given without a scheme ("adb-1.azuredatabricks.net"). */
function normalizeHost(host: string): string {
  const withScheme = /^https?:\/\//i.test(host) ? host : `https://${host}`;
  return withScheme.replace(/\/+$/, '');
}

export interface Endpoint {
  /** Scheme, host, port and path prefix, no trailing slash, never credentials. */
  baseUrl: string;
  auth: AuthConfig;
  databricks: boolean;
}

/**
 * Resolves the tracking URI and auth into where requests go. A "databricks" URI goes to the
 * Databricks host; credentials written into an http URI (http://user:pass@host) become Basic
 * auth, because fetch refuses URLs that carry them and they must never appear in logs.
 */
export function resolveEndpoint(trackingUri: string, auth: AuthConfig = { kind: 'none' }): Endpoint {
  const uri = trackingUri.trim();
  if (isDatabricksUri(uri)) {
    if (auth.kind !== 'databricks') {
      throw new MlflowError(
        'unauthorized',
        'The tracking URI is "databricks" but no Databricks host and token are set — set DATABRICKS_HOST and DATABRICKS_TOKEN, or run **Gemini Trace: Set MLflow Credentials…**.',
      );
    }
    return { baseUrl: normalizeHost(auth.host), auth, databricks: true };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new MlflowError('bad-request', `"${uri}" is not a tracking URI MLflow's REST API can serve — use http://host:port (for example http://127.0.0.1:5000) or "databricks".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MlflowError(
      'bad-request',
      `Tracking URI "${uri}" uses ${url.protocol.replace(/:$/, '')}, which is not an MLflow server — the explorer reads traces over HTTP. Start one with \`mlflow server --host 127.0.0.1 --port 5000\` and use http://127.0.0.1:5000.`,
    );
  }
  let resolvedAuth = auth;
  if (url.username || url.password) {
    if (auth.kind === 'none') {
      resolvedAuth = { kind: 'basic', username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    }
    url.username = '';
    url.password = '';
  }
  url.search = '';
  url.hash = '';
  return { baseUrl: url.toString().replace(/\/+$/, ''), auth: resolvedAuth, databricks: auth.kind === 'databricks' };
}
