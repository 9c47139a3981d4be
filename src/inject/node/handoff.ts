// The spans a process still holds when it ends are handed to a small detached Node process that
// delivers them after the app is gone, so neither a slow MLflow, a burst of calls at the end, nor
// a restart of MLflow costs the app exit time or loses its last traces.
// - The spans go into a file in a fresh private temp directory (0700/0600); the sender deletes it
//   as soon as it has read it. Credentials are not written there: they reach the sender in its
//   environment, as they reached the app.
// - The sender (sender.ts, its own bundle: sender.cjs) has no NODE_OPTIONS (the preload never
//   loads into it) and no stdio: it never writes to the app's terminal. It retries with a capped
//   back-off, sends smaller requests to a server too slow to answer in time, and gives up once
//   MLflow has taken nothing for SENDER_LINGER_MS (a slow server that keeps taking batches keeps
//   it going).
// - MLflow upserts spans by id, so a span sent twice (its first request's answer was lost with the
//   process) is stored once.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ExperimentTarget } from './experiment';

/** How long the sender keeps trying without MLflow taking a batch: what bounds its life. */
export const SENDER_LINGER_MS = 120_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** Spans per piece of the file. Two serialized OTLP requests laid end to end are one request
 *  holding both (protobuf merges repeated fields), so the sender sends several pieces at once
 *  and fewer when MLflow is slow to take them. */
const PIECE_SPANS = 64;
/** Pieces per request at first: MLflow ingests a big request slowly, and a smaller one that
 *  fails costs less. */
const PIECES_PER_REQUEST = 4;
export const AUTH_ENV = 'GEMINI_TRACE_SENDER_AUTH';

/** The first line of the spans file: where to send the pieces that follow it. */
export interface SenderHeader extends Omit<ExperimentTarget, 'headers'> {
  signalFile?: string;
  /** Byte length of each piece, in file order. */
  sizes: number[];
  piecesPerRequest: number;
  lingerMs: number;
  requestTimeoutMs: number;
}

/** Where the sender sends, as the exporter knows it at exit. */
export interface HandoffTarget extends ExperimentTarget {
  signalFile?: string;
}

export interface HandoffOptions {
  /** The sender bundle (default: sender.cjs next to this bundle). */
  senderFile?: string;
  lingerMs?: number;
  requestTimeoutMs?: number;
}

/** Writes the spans out and starts the sender; returns at once. Throws if it could not. */
export function handOff(spans: ReadableSpan[], target: HandoffTarget, serialize: (spans: ReadableSpan[]) => Uint8Array, o: HandoffOptions = {}): void {
  const senderFile = o.senderFile ?? join(__dirname, 'sender.cjs');
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += PIECE_SPANS) {
    pieces.push(serialize(spans.slice(i, i + PIECE_SPANS)));
  }
  if (pieces.length === 0) return;
  if (!existsSync(senderFile)) throw new Error(`the sender ${senderFile} is missing (install the whole dist/inject/node folder)`);
  const header: SenderHeader = {
    baseUrl: target.baseUrl,
    experimentId: target.experimentId,
    experimentName: target.experimentName,
    signalFile: target.signalFile,
    sizes: pieces.map((b) => b.byteLength),
    piecesPerRequest: PIECES_PER_REQUEST,
    lingerMs: o.lingerMs ?? SENDER_LINGER_MS,
    requestTimeoutMs: o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
  };
  const dir = mkdtempSync(join(tmpdir(), 'gemini-trace-'));
  const file = join(dir, 'spans.bin');
  writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...pieces.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))]), { mode: 0o600 });
  const child = spawn(process.execPath, [senderFile, file], {
    detached: true,
    stdio: 'ignore',
    env: { ...passThrough(), ELECTRON_RUN_AS_NODE: '1', [AUTH_ENV]: JSON.stringify(authOnly(target.headers)) },
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
