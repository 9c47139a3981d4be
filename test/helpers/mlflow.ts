// The real MLflow server for node-side tests: the one `npm test` started (GT_MLFLOW_URL), or, when a
// test file runs alone, one started here on first use and stopped when the process exits.
import { randomUUID } from 'node:crypto';

let started: Promise<string> | undefined;

export function mlflowUrl(): Promise<string> {
  if (process.env.GT_MLFLOW_URL) return Promise.resolve(process.env.GT_MLFLOW_URL);
  started ??= (async () => {
    const { startMlflow } = await import('../../scripts/lib/mlflow.mjs');
    const s = await startMlflow({ unref: true });
    process.env.GT_MLFLOW_URL = s.url;
    return s.url as string;
  })();
  return started;
}

/** A unique experiment name, so tests sharing one server never see each other's traces. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** POST/GET helper for test setup against MLflow's REST API (not the product client). */
export async function mlflowRest<T = unknown>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const url = `${await mlflowUrl()}${path}`;
  const send = (): Promise<Response> => fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  // A test that spends seconds building its data (a 25,000-span trace on a loaded machine) finds
  // the pooled connection closed by the server's keep-alive timeout; the request never reached it.
  const r = await send()
    .catch((e: unknown) => {
      if (!closedIdle(e)) throw e;
      return send();
    })
    .catch((e: unknown) => {
      // fetch says only "fetch failed"; the cause (refused, reset, timed out) is what tells a dead
      // server from a slow one in CI's summary.
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`${method} ${url}: ${String((e as Error).message ?? e)}${cause ? ` (${cause.code ?? cause.message})` : ''}`, { cause: e });
    });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** fetch's failure on a pooled connection the server had closed: undici's "other side closed". */
function closedIdle(e: unknown): boolean {
  const cause = e instanceof TypeError ? (e.cause as { code?: string } | undefined) : undefined;
  return cause?.code === 'UND_ERR_SOCKET';
}
