// One bounded HTTP request to MLflow from inside the user's process. The socket is unref'd so a
// pending export never keeps the app alive (exit.ts decides how long exit may wait). No retries
// here: outbox.ts decides when a failed batch is tried again.
import * as http from 'node:http';
import * as https from 'node:https';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

export interface HttpReply {
  status: number;
  body: string;
}

export class HttpFailure extends Error {
  constructor(
    message: string,
    readonly code: 'refused' | 'timeout' | 'network',
  ) {
    super(message);
  }
}

export function request(
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  headers: Record<string, string>,
  body: Uint8Array | string | undefined,
  timeoutMs: number,
): Promise<HttpReply> {
  // If the app runs its own OpenTelemetry http instrumentation, keep our exports out of its traces.
  return context.with(suppressTracing(context.active()), () => send(method, url, headers, body, timeoutMs));
}

function send(method: string, url: string, headers: Record<string, string>, body: Uint8Array | string | undefined, timeoutMs: number): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    let req: http.ClientRequest;
    try {
      const u = new URL(url);
      const lib = u.protocol === 'https:' ? https : http;
      const payload = typeof body === 'string' ? Buffer.from(body) : body;
      req = lib.request(u, {
        method,
        headers: { ...headers, ...(payload ? { 'content-length': String(payload.byteLength) } : {}) },
        agent: false,
      });
      req.on('socket', (s) => s.unref());
      req.setTimeout(timeoutMs, () => {
        req.destroy();
        finish(() => reject(new HttpFailure(`did not answer within ${Math.round(timeoutMs / 1000)} s`, 'timeout')));
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        const refused = e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ECONNRESET';
        finish(() => reject(new HttpFailure(e.code === 'ECONNREFUSED' ? 'refused the connection' : `could not be reached (${e.code ?? e.message})`, refused ? 'refused' : 'network')));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })));
        res.on('error', (e) => finish(() => reject(new HttpFailure(`broke off its reply (${e.message})`, 'network'))));
      });
      req.end(payload);
    } catch (e) {
      finish(() => reject(new HttpFailure(`could not be called (${e instanceof Error ? e.message : String(e)})`, 'network')));
    }
  });
}
