// Which MLflow experiment the spans go to, as the header `x-mlflow-experiment-id` of each upload
// names it: MLFLOW_EXPERIMENT_ID as given, else MLFLOW_EXPERIMENT_NAME looked up over REST and
// created when missing, else MLflow's "Default" experiment ("0"). Shared by the exporter in the
// app (exporter.ts) and the sender it leaves at exit (sender.ts), so both resolve a name alike.
// Node built-ins only (through http.ts): the sender loads nothing else.
import { excerpt, HttpStatus, request } from './http';
import type { HttpReply } from './http';

export interface ExperimentTarget {
  /** http(s)://host[:port][/prefix], without a trailing slash. */
  baseUrl: string;
  /** Auth headers for every request. */
  headers: Record<string, string>;
  experimentId?: string;
  experimentName?: string;
}

/** One REST call to MLflow; the caller decides the timeout and whether it holds the process. */
export type Rest = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<HttpReply>;

/** A Rest over http.ts. `onAnswer` hears of every HTTP answer (MLflow is there, if unhappy). */
export function restOver(t: ExperimentTarget, timeoutMs: number, holdProcess: boolean, onAnswer: () => void = () => {}): Rest {
  return async (method, path, body) => {
    const headers: Record<string, string> = { ...t.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await request(method, `${t.baseUrl}${path}`, headers, body === undefined ? undefined : JSON.stringify(body), timeoutMs, holdProcess);
    onAnswer();
    return r;
  };
}

/** The experiment id to send to. Rejects with HttpFailure (unreachable), HttpStatus or an Error
 *  whose message says what to do (a deleted experiment). */
export async function resolveExperiment(t: ExperimentTarget, rest: Rest): Promise<string> {
  if (t.experimentId) return t.experimentId;
  const name = t.experimentName;
  if (!name) return '0'; // MLflow's "Default" experiment
  const found = await getByName(name, rest);
  if (found) return found;
  const r = await rest('POST', '/api/2.0/mlflow/experiments/create', { name });
  if (r.status === 200) return String((JSON.parse(r.body) as { experiment_id: string }).experiment_id);
  // Another process created it between our lookup and our create.
  if (r.body.includes('RESOURCE_ALREADY_EXISTS')) {
    const again = await getByName(name, rest);
    if (again) return again;
  }
  throw new HttpStatus(r.status, `could not create experiment "${name}" (HTTP ${r.status}: ${excerpt(r.body)})`);
}

async function getByName(name: string, rest: Rest): Promise<string | undefined> {
  const r = await rest('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  if (r.status === 404 || r.body.includes('RESOURCE_DOES_NOT_EXIST')) return undefined;
  if (r.status !== 200) throw new HttpStatus(r.status, `could not look up experiment "${name}" (HTTP ${r.status}: ${excerpt(r.body)})`);
  const exp = (JSON.parse(r.body) as { experiment?: { experiment_id?: string; lifecycle_stage?: string } }).experiment;
  if (exp?.lifecycle_stage === 'deleted') {
    throw new Error(`experiment "${name}" is deleted — restore it in the MLflow UI or pick another name`);
  }
  return exp?.experiment_id;
}
