// The words of every MlflowError: what went wrong, at which server, and what the user can do.
// Kept apart from the transport so the messages read as one voice and can be reviewed together.
import { MlflowError } from './errors';

const START_COMMAND = '**Gemini Trace: Start Local MLflow Server**';
const CREDENTIALS_COMMAND = '**Gemini Trace: Set MLflow Credentials…**';
const SERVER_COMMAND = '**Gemini Trace: Set MLflow Server URL…**';

function isLoopback(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

function hostAndPort(baseUrl: string): { host: string; port: string } {
  const u = new URL(baseUrl);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || (u.protocol === 'https:' ? '443' : '80') };
}

export function refused(baseUrl: string, url: string, cause: unknown): MlflowError {
  const fix = isLoopback(baseUrl)
    ? (() => {
        const { host, port } = hostAndPort(baseUrl);
        return `Start one with \`mlflow server --host ${host} --port ${port}\` or the command ${START_COMMAND}`;
      })()
    : `Check the tracking URI with ${SERVER_COMMAND}`;
  return new MlflowError('connection-refused', `MLflow at ${baseUrl} refused the connection — is the server running? ${fix}`, { url, cause });
}

export function unreachable(baseUrl: string, url: string, code: string | undefined, cause: unknown): MlflowError {
  const what =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? 'its host name does not resolve'
      : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
        ? 'the connection was reset'
        : code?.startsWith('CERT_') || code?.includes('TLS') || code?.includes('SSL') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
          ? 'its TLS certificate was not accepted'
          : `the network request failed${code ? ` (${code})` : ''}`;
  return new MlflowError('unreachable', `Could not reach MLflow at ${baseUrl}: ${what} — check the tracking URI with ${SERVER_COMMAND} and your network.`, { url, cause });
}

export function timedOut(baseUrl: string, url: string, request: string, ms: number): MlflowError {
  return new MlflowError(
    'timeout',
    `MLflow at ${baseUrl} did not answer ${request} within ${formatMs(ms)} — the server may be busy or the network slow. Try again, or raise the setting **geminiTrace.requestTimeout**.`,
    { url },
  );
}

export function cancelled(baseUrl: string, url: string, request: string): MlflowError {
  return new MlflowError('cancelled', `Request ${request} to MLflow at ${baseUrl} was cancelled.`, { url });
}

export function unauthorized(baseUrl: string, url: string, hadCredentials: boolean, serverMessage: string | undefined): MlflowError {
  const head = hadCredentials
    ? `MLflow at ${baseUrl} rejected the credentials (401)`
    : `MLflow at ${baseUrl} requires authentication (401)`;
  return new MlflowError(
    'unauthorized',
    `${head}${suffix(serverMessage)} — set credentials with ${CREDENTIALS_COMMAND} (or the environment variables MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN).`,
    { url, status: 401 },
  );
}

export function forbidden(baseUrl: string, url: string, request: string, serverMessage: string | undefined): MlflowError {
  return new MlflowError(
    'forbidden',
    `MLflow at ${baseUrl} denied ${request} (403)${suffix(serverMessage)} — the credentials lack permission for this. Ask the server's owner for access, or set other credentials with ${CREDENTIALS_COMMAND}.`,
    { url, status: 403 },
  );
}

/** An endpoint the server does not have: 404 without MLflow's error JSON, 405, 501, ENDPOINT_NOT_FOUND. */
export function unsupported(baseUrl: string, url: string, request: string, since: string | undefined, status: number): MlflowError {
  const need = since
    ? `this needs MLflow ≥ ${since}. Upgrade the server (\`pip install -U mlflow\`) and restart it`
    : `check that the tracking URI points at an MLflow server (and includes any path prefix) with ${SERVER_COMMAND}`;
  return new MlflowError('unsupported', `MLflow at ${baseUrl} has no endpoint ${request} (${status}) — ${need}.`, { url, status, since });
}

export function notFound(baseUrl: string, url: string, serverMessage: string | undefined, errorCode: string | undefined): MlflowError {
  return new MlflowError('not-found', `MLflow at ${baseUrl} found no such resource${suffix(serverMessage)}.`, { url, status: 404, errorCode });
}

export function traceNotFound(baseUrl: string, traceId: string, cause: MlflowError): MlflowError {
  return new MlflowError('not-found', `Trace ${traceId} was not found on MLflow at ${baseUrl} — it may have been deleted. Refresh the Traces view.`, {
    ...cause.details,
    cause,
  });
}

export function experimentNotFound(baseUrl: string, name: string): MlflowError {
  return new MlflowError(
    'not-found',
    `MLflow at ${baseUrl} has no experiment named "${name}" — check the setting **geminiTrace.experiment**, or run a traced app once to create it.`,
  );
}

export function badRequest(baseUrl: string, url: string, request: string, status: number, errorCode: string | undefined, serverMessage: string | undefined): MlflowError {
  return new MlflowError(
    'bad-request',
    `MLflow at ${baseUrl} refused ${request}${errorCode ? ` (${errorCode})` : ` (${status})`}: ${serverMessage?.trim() || 'no reason given'}`,
    { url, status, errorCode },
  );
}

export function serverError(baseUrl: string, url: string, request: string, status: number, errorCode: string | undefined, serverMessage: string | undefined): MlflowError {
  return new MlflowError(
    'server-error',
    `MLflow at ${baseUrl} failed on ${request} with ${status}${errorCode ? ` ${errorCode}` : ''}${suffix(serverMessage)} — see the server's log; try again once it is healthy.`,
    { url, status, errorCode },
  );
}

export function malformed(baseUrl: string, url: string, request: string, status: number, body: string, detail?: string): MlflowError {
  const looksHtml = /^\s*</.test(body);
  const what = looksHtml
    ? 'an HTML page instead of JSON — the tracking URI may point at a proxy, a login page or another web server, not MLflow'
    : `a response that is not valid JSON${detail ? ` (${detail})` : ''}: ${excerpt(body)}`;
  return new MlflowError('malformed-response', `MLflow at ${baseUrl} answered ${request} with ${what}. Check the tracking URI with ${SERVER_COMMAND}.`, { url, status });
}

export function badInput(message: string): MlflowError {
  return new MlflowError('bad-request', message);
}

function suffix(serverMessage: string | undefined): string {
  const m = serverMessage?.trim();
  return m ? `: ${excerpt(m)}` : '';
}

function excerpt(s: string, max = 200): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one || '(empty)';
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
