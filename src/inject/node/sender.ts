// The sender a traced process leaves behind as it exits (handoff.ts starts it detached:
// `node sender.cjs <spans file>`, its own bundle). It delivers the spans the app still held to
// MLflow after the app is gone. Node built-ins only, and never the preload: it runs without
// NODE_OPTIONS and without stdio.
// - The file: one JSON line (SenderHeader), then the serialized OTLP pieces. It is deleted as
//   soon as it is read. Credentials come in the environment (AUTH_ENV), as they reached the app.
// - A request carries several pieces at once (serialized OTLP requests laid end to end are one
//   request). When MLflow does not answer one in time it is asked again with half as many: a
//   server that needs longer than the timeout for a batch (seen on a loaded machine right after
//   MLflow restarted) would otherwise be sent the same batch again and again until the sender
//   gave up, while it quietly stored the first copy each time.
// - Retries back off (0.5 s doubling to 5 s). The sender gives up once MLflow has taken nothing
//   for `lingerMs`, or at once when it refuses for good (bad credentials, a deleted experiment).
import { errorMessage } from '../../shared/errors';
import { readFileSync, rmSync, writeFile } from 'node:fs';
import { dirname } from 'node:path';
import { resolveExperiment, restOver } from './experiment';
import type { ExperimentTarget } from './experiment';
import { AUTH_ENV } from './handoff';
import type { SenderHeader } from './handoff';
import { HttpFailure, HttpStatus, excerpt, request, retryable } from './http';

const MIN_WAIT_MS = 500;
const MAX_WAIT_MS = 5000;

/** What became of the pieces: how many MLflow took, and why the sender stopped early if it did. */
export interface Delivery {
  sent: number;
  total: number;
  stopped?: string;
}

/** Reads the spans file (and deletes it), then delivers its pieces. */
export async function deliverFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Delivery> {
  let all: Buffer;
  try {
    all = readFileSync(file);
  } finally {
    try {
      rmSync(dirname(file), { recursive: true, force: true });
    } catch {
      /* nothing else to do */
    }
  }
  const nl = all.indexOf(10);
  const header = JSON.parse(all.subarray(0, nl).toString('utf8')) as SenderHeader;
  const pieces: Buffer[] = [];
  let at = nl + 1;
  for (const n of header.sizes) {
    pieces.push(all.subarray(at, at + n));
    at += n;
  }
  const auth = JSON.parse(env[AUTH_ENV] || '{}') as Record<string, string>;
  return deliver(header, pieces, auth);
}

export async function deliver(h: SenderHeader, pieces: Buffer[], auth: Record<string, string>): Promise<Delivery> {
  const target: ExperimentTarget = { baseUrl: h.baseUrl, headers: auth, experimentId: h.experimentId, experimentName: h.experimentName };
  let deadline = Date.now() + h.lingerMs;
  const rest = restOver(target, h.requestTimeoutMs, true);
  let experimentId = h.experimentId;
  let perRequest = Math.max(1, h.piecesPerRequest);
  let wait = MIN_WAIT_MS;
  let i = 0;
  const result = (stopped?: string): Delivery => ({ sent: i, total: pieces.length, ...(stopped ? { stopped } : {}) });
  while (i < pieces.length) {
    const left = deadline - Date.now();
    if (left <= 0) return result('MLflow took nothing for the whole linger time');
    const n = Math.min(perRequest, pieces.length - i);
    try {
      experimentId ??= await resolveExperiment(target, rest);
      const headers = { ...auth, 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': experimentId };
      const r = await request('POST', `${h.baseUrl}/v1/traces`, headers, Buffer.concat(pieces.slice(i, i + n)), Math.min(h.requestTimeoutMs, left), true);
      if (r.status < 200 || r.status > 299) {
        const e = new HttpStatus(r.status, `answered HTTP ${r.status} to POST /v1/traces: ${excerpt(r.body)}`);
        // Refused for good: bad credentials or no such endpoint will refuse the rest too; a batch
        // MLflow rejects (400, 422) is skipped, the next ones may be fine.
        if ([401, 403, 404].includes(r.status)) return result(e.message);
        if (retryable(e)) throw e;
      }
      i += n;
      deadline = Date.now() + h.lingerMs;
      wait = MIN_WAIT_MS;
      // As the app's exporter does (signal.ts): the Traces view asks MLflow now.
      if (h.signalFile) writeFile(h.signalFile, String(Date.now()), () => {});
    } catch (e) {
      if (!retryable(e)) return result(errorMessage(e));
      // Too slow to answer in time: it may well have stored the batch; smaller ones get answers.
      if (e instanceof HttpFailure && e.code === 'timeout') perRequest = Math.max(1, perRequest >> 1);
      if (Date.now() + wait >= deadline) return result(`gave up: ${errorMessage(e)}`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, MAX_WAIT_MS);
    }
  }
  return result();
}

// The bundle's entry: `node sender.cjs <file>`. Silent whatever happens: nobody is left to read it.
if (require.main === module) {
  const file = process.argv[2];
  if (file) deliverFile(file).catch(() => undefined);
}
