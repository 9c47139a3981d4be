// The `geminiTrace` launch-config attribute and the tracking URI, checked the same way for debug
// configs and the CLI. Pure: errors come back as values whose message says how to fix them.

export interface TraceAttribute {
  experiment?: string;
  trackingUri?: string;
  captureContent?: boolean;
}

export type AttributeResult =
  | { kind: 'absent' }
  | { kind: 'off' }
  | { kind: 'on'; options: TraceAttribute }
  | { kind: 'invalid'; error: string };

const KEYS = ['experiment', 'trackingUri', 'captureContent'] as const;

/** Reads `"geminiTrace": true | false | { experiment?, trackingUri?, captureContent? }`.
 *  `checkUri: false` before variable substitution, when a URI may still read `${env:…}`. */
export function parseTraceAttribute(value: unknown, { checkUri = true } = {}): AttributeResult {
  if (value === undefined || value === null) return { kind: 'absent' };
  if (value === false) return { kind: 'off' };
  if (value === true) return { kind: 'on', options: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', error: `"geminiTrace" must be true, false or an object like { "experiment": "my-app" }; got ${JSON.stringify(value)}.` };
  }
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    return { kind: 'invalid', error: `"geminiTrace" has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${KEYS.join(', ')}.` };
  }
  const options: TraceAttribute = {};
  for (const k of ['experiment', 'trackingUri'] as const) {
    const v = obj[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !v.trim()) return { kind: 'invalid', error: `"geminiTrace.${k}" must be a non-empty string; got ${JSON.stringify(v)}.` };
    options[k] = v.trim();
  }
  if (obj.captureContent !== undefined) {
    if (typeof obj.captureContent !== 'boolean') {
      return { kind: 'invalid', error: `"geminiTrace.captureContent" must be true or false; got ${JSON.stringify(obj.captureContent)}.` };
    }
    options.captureContent = obj.captureContent;
  }
  if (checkUri && options.trackingUri) {
    const problem = checkTrackingUri(options.trackingUri);
    if (problem) return { kind: 'invalid', error: `"geminiTrace.trackingUri": ${problem}` };
  }
  return { kind: 'on', options };
}

/** undefined when the URI is one a traced app can write to; else what is wrong with it. */
export function checkTrackingUri(uri: string): string | undefined {
  if (/^databricks(-uc)?(:\/\/[^\s]*)?$/.test(uri)) return undefined;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `"${uri}" is not a URL. Use the MLflow server's address, e.g. http://127.0.0.1:5000, or "databricks".`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return `"${uri}" uses ${u.protocol} — traced apps write through an MLflow server's REST API: use http(s)://host:port (start one with \`mlflow server\`) or "databricks".`;
  }
  return undefined;
}
