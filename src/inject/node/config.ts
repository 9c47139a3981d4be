// What the preload reads from its environment (the contract in src/shared/runTags.ts `ENV`, set by
// src/launch/env.ts), resolved once. Credentials go only into request headers, never into spans.
import { ENV, TAG } from '../../shared/runTags';

export interface PreloadConfig {
  /** http(s)://host[:port][/prefix], without a trailing slash or user info. */
  baseUrl: string;
  /** Auth headers for every MLflow request. */
  headers: Record<string, string>;
  experimentId?: string;
  experimentName?: string;
  captureContent: boolean;
  /** Trace tags every root span carries (TAG.* → value). */
  runTags: Record<string, string>;
  /** The file to rewrite after each accepted upload (signal.ts), when the extension asked for one. */
  signalFile?: string;
  /** Why tracing cannot export at all (e.g. a file: tracking URI), reported once. */
  unusable?: string;
}

const DEFAULT_URI = 'http://127.0.0.1:5000';

export function readConfig(env: NodeJS.ProcessEnv = process.env): PreloadConfig {
  const headers: Record<string, string> = {};
  let uri = (env[ENV.trackingUri] ?? '').trim() || DEFAULT_URI;
  let unusable: string | undefined;

  if (uri === 'databricks' || uri.startsWith('databricks://')) {
    const host = (env.DATABRICKS_HOST ?? '').trim();
    const token = (env.DATABRICKS_TOKEN ?? '').trim();
    if (!host || !token) unusable = `MLFLOW_TRACKING_URI is "${uri}" but DATABRICKS_HOST and DATABRICKS_TOKEN are not both set`;
    uri = host ? (/^https?:\/\//.test(host) ? host : `https://${host}`) : DEFAULT_URI;
    if (token) headers.authorization = `Bearer ${token}`;
  } else if (!/^https?:\/\//i.test(uri)) {
    unusable = `MLFLOW_TRACKING_URI "${uri}" is not an http(s) server; Gemini traces need a tracking server (start one with \`mlflow server --port 5000\`)`;
    uri = DEFAULT_URI;
  }

  let baseUrl = uri;
  try {
    const u = new URL(uri);
    // Node's http client does not turn user info into a header: do it here and keep it out of URLs.
    if (u.username || u.password) {
      headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
    }
    baseUrl = u.toString().replace(/\/+$/, '');
  } catch {
    unusable ??= `MLFLOW_TRACKING_URI "${uri}" is not a valid URL`;
  }

  const token = (env.MLFLOW_TRACKING_TOKEN ?? '').trim();
  const user = env.MLFLOW_TRACKING_USERNAME;
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if (token) headers.authorization = `Bearer ${token}`;
  else if (user !== undefined && user !== '' && !headers.authorization) {
    headers.authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
  }

  const runTags: Record<string, string> = { [TAG.runtime]: 'node' };
  const put = (tag: string, value: string | undefined) => {
    if (value && value.trim()) runTags[tag] = value.trim();
  };
  put(TAG.runId, env[ENV.runId]);
  put(TAG.runName, env[ENV.runName]);
  put(TAG.runStarted, env[ENV.runStarted]);
  put(TAG.workspace, env[ENV.workspace]);

  const capture = (env[ENV.captureContent] ?? '').trim().toLowerCase();
  return {
    baseUrl,
    headers,
    experimentId: (env[ENV.experimentId] ?? '').trim() || undefined,
    experimentName: (env[ENV.experimentName] ?? '').trim() || undefined,
    captureContent: !(capture === 'false' || capture === '0' || capture === 'no' || capture === 'off'),
    runTags,
    signalFile: (env[ENV.signal] ?? '').trim() || undefined,
    unusable,
  };
}

/** GEMINI_TRACE_ACTIVE=0/false turns the preload off even when NODE_OPTIONS still loads it. */
export function tracingDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env[ENV.active] ?? '').trim().toLowerCase();
  return v === '0' || v === 'false' || v === 'off' || v === 'no';
}
