// One bounded HTTP request to MLflow, from the user's process (exporter.ts) or from the sender it
// leaves at exit (sender.ts). Node built-ins only: the sender loads nothing else. The socket is
// unref'd so a pending export never keeps the app alive (exit.ts decides how long exit may wait).
// No retries here: outbox.ts and sender.ts decide when a failed request is tried again.
import { errorMessage } from '../../shared/errors';
import * as http from 'node:http';
import * as https from 'node:https';

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

/** MLflow answered, with a status that is not a success. */
export class HttpStatus extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Whether MLflow may take the same request later: it was unreachable, slow, overloaded or failing
 *  inside. Bad credentials, a missing endpoint or a deleted experiment will not mend themselves. */
export function retryable(e: unknown): boolean {
  if (e instanceof HttpFailure) return true;
  if (e instanceof HttpStatus) return e.status === 408 || e.status === 429 || e.status >= 500;
  return false;
}

/** The start of a reply's body, on one line, for an error message. */
export function excerpt(body: string): string {
  const t = body.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t || '(empty body)';
}

export type Method = 'GET' | 'POST' | 'PATCH';

/** `holdProcess`: keep the process alive while the request runs (the sender, whose whole life is
 *  its requests); in the app, a pending export must never do that. */
export function request(method: Method, url: string, headers: Record<string, string>, body: Uint8Array | string | undefined, timeoutMs: number, holdProcess = false): Promise<HttpReply> {
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
      if (!holdProcess) req.on('socket', (s) => s.unref());
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
      finish(() => reject(new HttpFailure(`could not be called (${errorMessage(e)})`, 'network')));
    }
  });
}
