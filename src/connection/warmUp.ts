// A freshly started MLflow does its first-use work (imports, mostly) on the first request of each
// kind: about 1 s for an experiment lookup and 3 s for the first OTLP upload on this project's
// 2-core machine. A traced app that exits right after its calls leaves that wait to its first
// traces. The local-server command sends the same kinds of request itself before it reports the
// server ready. Read-only on purpose, so nothing is left in the user's store: a lookup of a name
// nobody uses, an OTLP upload with no spans (MLflow parses it and refuses it: 400), a one-trace
// search of the Default experiment. Best effort: a failure only means a slower first trace.
// (The other first-use wait, MLflow fetching a price list from the internet on the first model
// call it stores, is avoided by the server's environment: localServer.ts.)
import { randomUUID } from 'node:crypto';

export async function warmUpMlflow(baseUrl: string, timeoutMs = 15_000): Promise<void> {
  const base = baseUrl.replace(/\/+$/, '');
  const signal = AbortSignal.timeout(timeoutMs);
  const call = async (path: string, body?: unknown, headers: Record<string, string> = {}): Promise<void> => {
    const init: RequestInit = body === undefined ? { signal } : { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal };
    await (await fetch(`${base}${path}`, init)).arrayBuffer();
  };
  try {
    await call(`/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(`gemini-trace-warm-up-${randomUUID()}`)}`);
    await call('/v1/traces', { resourceSpans: [] }, { 'x-mlflow-experiment-id': '0' });
    await call('/api/3.0/mlflow/traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '0' } }], max_results: 1 });
  } catch {
    /* a cold server is slower, not broken */
  }
}
