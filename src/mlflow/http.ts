// One HTTP exchange with an MLflow server: global fetch with a per-request timeout and the
// caller's AbortSignal, lossless JSON parsing, and every failure turned into an MlflowError that
// names the server and the fix. Logs method, path, status and duration at debug level, never
// headers or bodies (they may carry credentials or user content).
import type { ClientOptions, RequestOptions } from './api';
import { authorizationHeader, type Endpoint } from './auth';
import { BodyText, bodyText } from './bodyText';
import * as describe from './describe';
import { MlflowError } from './errors';
import { parseJsonLossless } from '../shared/jsonLossless';
import { parseJsonStreamSteps, type ItemWatch } from '../shared/jsonSteps';
import { runSliced } from '../shared/steps';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: Method;
  /** Path below the base URL, starting with '/'. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** 'json' (default) parses losslessly; 'text' returns the body as is; 'bytes' as a Buffer. */
  response?: 'json' | 'text' | 'bytes';
  /** Extra request headers (never credentials: those come from the endpoint). */
  headers?: Record<string, string>;
  /** MLflow release that added the endpoint, named when the server lacks it. */
  since?: string;
  /** A list in a large JSON body whose items the caller reads as they arrive (see ItemWatch). */
  items?: ItemWatch;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Bodies longer than this are parsed in slices, while they download: the extension host is
 *  shared, and JSON.parse of a 100,000-span trace (84 MB) would hold it for a second. */
const SLICED_PARSE_CHARS = 1 << 20;

/** Hands the event loop to `work` (a millisecond at a time, other callbacks in between) until
 *  `more` settles or the work runs out; returns `more`. */
function whileWaiting(more: Promise<void>, work: ((ms: number) => boolean) | undefined): Promise<void> {
  if (!work) return more;
  let waiting = true;
  const stop = (): void => {
    waiting = false;
  };
  more.then(stop, stop);
  const step = (): void => {
    if (waiting && work(1)) setImmediate(step);
  };
  setImmediate(step);
  return more;
}

/** MLflow's error body: {"error_code": "...", "message": "..."}. */
interface MlflowErrorBody {
  error_code?: string;
  message?: string;
}

export class Http {
  private readonly timeoutMs: number;
  private readonly authorization: string | undefined;
  private readonly log: ClientOptions['log'];
  /** Aborted by close(): every request under way stops, none starts. */
  private readonly closer = new AbortController();

  constructor(
    readonly endpoint: Endpoint,
    opts: Pick<ClientOptions, 'timeoutMs' | 'log'>,
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.authorization = authorizationHeader(endpoint.auth);
    this.log = opts.log;
  }

  /** For a client whose server or credentials are no longer current: a method that makes several
   *  requests (a trace, then its spans) must not send the rest with what was replaced. */
  close(): void {
    this.closer.abort();
  }

  async request<T>(req: HttpRequest, given: RequestOptions = {}): Promise<T> {
    const opts = { ...given, signal: given.signal ? AbortSignal.any([given.signal, this.closer.signal]) : this.closer.signal };
    const { baseUrl } = this.endpoint;
    const pathAndQuery = req.path + queryString(req.query);
    const url = baseUrl + pathAndQuery;
    const label = `${req.method} ${req.path}`;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    if (opts.signal?.aborted) throw describe.cancelled(baseUrl, url, label);

    // One controller for both ways a request can end early; `reason` records which came first.
    const controller = new AbortController();
    let reason: 'timeout' | 'cancelled' | undefined;
    const onAbort = (): void => {
      reason ??= 'cancelled';
      controller.abort();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      reason ??= 'timeout';
      controller.abort();
    }, timeoutMs);

    const headers: Record<string, string> = { accept: req.response === 'bytes' ? '*/*' : 'application/json', ...req.headers };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (this.authorization) headers.authorization = this.authorization;

    const t0 = Date.now();
    let status = 0;
    let text: string;
    let chars = 0;
    let bytes: Buffer | undefined;
    /** A large JSON body's parse, under way while it downloads (its errors are read below). */
    let parsing: Promise<unknown> | undefined;
    let blank = false;
    try {
      const res = await fetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: controller.signal,
      });
      status = res.status;
      // Still under the timeout: a server can stall mid-body.
      const ok = status >= 200 && status < 300;
      if (req.response === 'bytes' && ok) {
        bytes = Buffer.from(await res.arrayBuffer());
        text = '';
      } else if (ok && req.response !== 'text') {
        const body = new BodyText(res, SLICED_PARSE_CHARS);
        if (await body.reaches(SLICED_PARSE_CHARS)) {
          parsing = runSliced(parseJsonStreamSteps(body, { items: req.items }), { signal: opts.signal, wait: () => whileWaiting(body.more(), req.items?.idle) });
          parsing.catch(() => undefined); // a failed download is the error to report, not its parse
        }
        await body.complete;
        text = body.text(); // a large body's start only: all an error message quotes
        chars = body.chars;
        blank = body.blank;
      } else text = await bodyText(res);
    } catch (e) {
      const err =
        reason === 'timeout'
          ? describe.timedOut(baseUrl, url, label, timeoutMs)
          : reason === 'cancelled'
            ? describe.cancelled(baseUrl, url, label)
            : networkError(baseUrl, url, e);
      this.log?.('debug', `${req.method} ${pathAndQuery} → ${status || err.kind} (${Date.now() - t0} ms)`);
      throw err;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    this.log?.('debug', `${req.method} ${pathAndQuery} → ${status} (${Date.now() - t0} ms, ${chars || text.length} B)`);

    if (status >= 200 && status < 300) {
      if (bytes) return bytes as T;
      if (req.response === 'text') return text as T;
      if (blank) return {} as T;
      try {
        const parsed = parsing ? await parsing : parseJsonLossless(text);
        if (parsed === null || typeof parsed !== 'object') throw new SyntaxError(`expected a JSON object, got ${JSON.stringify(parsed).slice(0, 40)}`);
        return parsed as T;
      } catch (e) {
        if (opts.signal?.aborted) throw describe.cancelled(baseUrl, url, label);
        throw describe.malformed(baseUrl, url, label, status, text, e instanceof Error ? e.message : undefined);
      }
    }
    throw this.statusError(req, url, label, status, text);
  }

  private statusError(req: HttpRequest, url: string, label: string, status: number, text: string): MlflowError {
    const { baseUrl } = this.endpoint;
    const body = mlflowErrorBody(text);
    const code = body?.error_code;
    const message = body?.message ?? (looksLikeHtml(text) ? undefined : text.trim().slice(0, 300) || undefined);
    if (status === 401 || code === 'UNAUTHENTICATED') return describe.unauthorized(baseUrl, url, this.authorization !== undefined, message);
    if (status === 403 || code === 'PERMISSION_DENIED') return describe.forbidden(baseUrl, url, label, message);
    if (code === 'ENDPOINT_NOT_FOUND' || status === 405 || status === 501 || (status === 404 && !body)) {
      return describe.unsupported(baseUrl, url, label, req.since, status);
    }
    if (status === 404) return describe.notFound(baseUrl, url, message, code);
    if (status >= 500) return describe.serverError(baseUrl, url, label, status, code, message);
    if (status >= 400) return describe.badRequest(baseUrl, url, label, status, code, message);
    // 1xx/3xx that fetch did not resolve: nothing an MLflow client can use.
    return describe.malformed(baseUrl, url, label, status, text, `unexpected status ${status}`);
  }
}

function queryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

function looksLikeHtml(text: string): boolean {
  return /^\s*</.test(text);
}

/** MLflow's error JSON, or undefined when the body is something else (HTML, plain text). */
function mlflowErrorBody(text: string): MlflowErrorBody | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && typeof (v as MlflowErrorBody).error_code === 'string') return v as MlflowErrorBody;
  } catch {
    /* not JSON */
  }
  return undefined;
}

/** The system error code behind undici's "fetch failed" (it nests it, sometimes in an AggregateError). */
function errorCode(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (x: unknown): string | undefined => {
    if (!x || typeof x !== 'object' || seen.has(x)) return undefined;
    seen.add(x);
    const o = x as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string' && o.code !== 'ERR_INVALID_URL') return o.code;
    const fromCause = walk(o.cause);
    if (fromCause) return fromCause;
    if (Array.isArray(o.errors)) for (const inner of o.errors) { const c = walk(inner); if (c) return c; }
    return undefined;
  };
  return walk(e);
}

function networkError(baseUrl: string, url: string, e: unknown): MlflowError {
  if (e instanceof MlflowError) return e;
  const code = errorCode(e);
  if (code === 'ECONNREFUSED') return describe.refused(baseUrl, url, e);
  return describe.unreachable(baseUrl, url, code, e);
}
