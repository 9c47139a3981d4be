// The spans a process still holds when it ends are handed to a small detached Node process that
// delivers them after the app is gone, so neither a slow MLflow, a burst of calls at the end, nor
// a restart of MLflow costs the app exit time or loses its last traces.
// - The spans go into a file in a fresh private temp directory (0700/0600); the sender deletes it
//   as soon as it has read it. Credentials are not written there: they reach the sender in its
//   environment, as they reached the app.
// - The sender has no NODE_OPTIONS (the preload never loads into it) and no stdio: it never
//   writes to the app's terminal. It retries with a capped back-off and gives up once MLflow has
//   taken nothing for SENDER_LINGER_MS (a slow server that keeps taking batches keeps it going).
// - MLflow upserts spans by id, so a span sent twice (its first request's answer was lost with the
//   process) is stored once.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { MlflowExporter } from './exporter';

/** How long the sender keeps trying without MLflow taking a batch: what bounds its life. */
export const SENDER_LINGER_MS = 120_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** Spans per request: MLflow ingests a big request slowly, and a smaller one that fails costs less. */
const BATCH = 256;
const AUTH_ENV = 'GEMINI_TRACE_SENDER_AUTH';

// Runs in the sender: `node -e SENDER <file>`. Plain Node 18+, no dependencies.
const SENDER = String.raw`
const fs = require('fs');
const path = require('path');
const file = process.argv[1];
let all;
try {
  all = fs.readFileSync(file);
} finally {
  try { fs.rmSync(path.dirname(file), { recursive: true, force: true }); } catch {}
}
const nl = all.indexOf(10);
const h = JSON.parse(all.subarray(0, nl).toString('utf8'));
let at = nl + 1;
const bodies = h.sizes.map((n) => { const b = all.subarray(at, at + n); at += n; return b; });
const auth = JSON.parse(process.env.${AUTH_ENV} || '{}');
let deadline = Date.now() + h.lingerMs;
class Retry extends Error {}
const call = async (method, url, headers, body) => {
  const left = deadline - Date.now();
  if (left <= 0) throw new Error('out of time');
  let r;
  try {
    r = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(Math.min(h.requestTimeoutMs, left)) });
  } catch (e) {
    throw new Retry(String(e));
  }
  const text = await r.text();
  if (r.status === 408 || r.status === 429 || r.status >= 500) throw new Retry('HTTP ' + r.status);
  return { status: r.status, text };
};
const experiment = async () => {
  if (!h.experimentName) return '0';
  const q = await call('GET', h.baseUrl + '/api/2.0/mlflow/experiments/get-by-name?experiment_name=' + encodeURIComponent(h.experimentName), auth);
  if (q.status === 200) return JSON.parse(q.text).experiment.experiment_id;
  const c = await call('POST', h.baseUrl + '/api/2.0/mlflow/experiments/create', { ...auth, 'content-type': 'application/json' }, JSON.stringify({ name: h.experimentName }));
  if (c.status === 200) return JSON.parse(c.text).experiment_id;
  throw new Retry('could not create the experiment: HTTP ' + c.status);
};
(async () => {
  let id = h.experimentId;
  let wait = 500;
  for (const body of bodies) {
    for (;;) {
      try {
        id = id || (await experiment());
        await call('POST', h.baseUrl + '/v1/traces', { ...auth, 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': id }, body);
        wait = 500;
        deadline = Date.now() + h.lingerMs;
        // As the app's exporter does (signal.ts): the Traces view asks MLflow now.
        if (h.signalFile) fs.writeFile(h.signalFile, String(Date.now()), () => {});
        break;
      } catch (e) {
        if (!(e instanceof Retry) || Date.now() + wait >= deadline) return;
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 5000);
      }
    }
  }
})().catch(() => {});
`;

/** Writes the spans out and starts the sender; returns at once. Throws if it could not. */
export function handOff(spans: ReadableSpan[], exporter: MlflowExporter): void {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += BATCH) {
    const body = exporter.serialize(spans.slice(i, i + BATCH));
    if (body) bodies.push(body);
  }
  if (bodies.length === 0) return;
  const t = exporter.target();
  const header = {
    baseUrl: t.url.replace(/\/v1\/traces$/, ''),
    experimentId: t.experimentId,
    experimentName: t.experimentName,
    signalFile: t.signalFile,
    sizes: bodies.map((b) => b.byteLength),
    lingerMs: SENDER_LINGER_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  };
  const dir = mkdtempSync(join(tmpdir(), 'gemini-trace-'));
  const file = join(dir, 'spans.bin');
  writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...bodies.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))]), { mode: 0o600 });
  const child = spawn(process.execPath, ['-e', SENDER, file], {
    detached: true,
    stdio: 'ignore',
    env: { ...passThrough(), ELECTRON_RUN_AS_NODE: '1', [AUTH_ENV]: JSON.stringify(authOnly(t.headers)) },
    windowsHide: true,
  });
  child.on('error', () => {}); // nobody is left to hear of it
  child.unref();
  if (child.pid === undefined) {
    // Not started: the spans file must not stay behind on disk.
    rmSync(dir, { recursive: true, force: true });
    throw new Error('could not start a sender process');
  }
}

/** What the sender needs of the app's environment to reach the same server the same way. */
function passThrough(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['PATH', 'SystemRoot', 'NODE_EXTRA_CA_CERTS', 'NODE_TLS_REJECT_UNAUTHORIZED']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function authOnly(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'authorization') out[k] = v;
  return out;
}
