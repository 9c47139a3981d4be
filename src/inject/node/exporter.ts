// Sends finished spans to MLflow's OTLP endpoint (`POST <tracking URI>/v1/traces`, protobuf, header
// `x-mlflow-experiment-id`). The experiment id is resolved from MLFLOW_EXPERIMENT_NAME through
// MLflow's REST API on the first export, never on the app's call path. The wire format comes from
// the serializer `@opentelemetry/exporter-trace-otlp-proto` uses; the transport is our own because
// that exporter's retrying transport schedules ref'd retry timers (1–5 s of backoff) that would
// hold the app's exit while MLflow is down. Batches the processor hands over go to the bounded
// outbox (outbox.ts), which sends them and holds them while MLflow is away; what it still holds
// when the process ends goes to a sender process (handoff.ts, from exit.ts).
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { PreloadConfig } from './config';
import { SENDER_LINGER_MS } from './handoff';
import { HttpFailure, request } from './http';
import { takeUnnamed } from './openRoots';
import { LIMITS, Outbox } from './outbox';
import type { Verdict } from './outbox';
import { signaller } from './signal';

const REQUEST_TIMEOUT_MS = 10_000;

/** Prints a line on stderr once per key (the preload's warn). */
export type Warn = (line: string, key?: string) => void;

export class MlflowExporter implements SpanExporter {
  private experiment?: Promise<string>;
  private readonly outbox: Outbox;
  /** Tells the Traces view MLflow has new traces (signal.ts). */
  private readonly signal: () => void;

  constructor(
    private readonly cfg: PreloadConfig,
    private readonly warn: Warn,
    /** Called with spans when the outbox takes them, and again when they leave it (sent or dropped). */
    private readonly track: { taken(spans: ReadableSpan[]): void; settled(spans: ReadableSpan[]): void } = { taken() {}, settled() {} },
  ) {
    this.signal = signaller(cfg.signalFile);
    this.outbox = new Outbox({
      send: (spans) => this.attempt(spans),
      taken: (spans) => track.taken(spans),
      settled: (spans) => track.settled(spans),
      overflow: () =>
        this.warn(
          `[gemini-trace] MLflow at ${cfg.baseUrl} has not taken Gemini traces for a while: the oldest spans held in memory are being dropped (at most ${LIMITS.maxSpans} are kept). Newer ones are still kept and sent when it answers.`,
          'overflow',
        ),
    });
  }

  /** Starts resolving the experiment id (idempotent); failures surface on export. */
  experimentId(): Promise<string> {
    this.experiment ??= this.resolveExperiment().then(
      (id) => {
        this.failing = false;
        return id;
      },
      (e: unknown) => {
        this.experiment = undefined; // try again once the server is back
        throw e;
      },
    );
    return this.experiment;
  }

  /** Resolves the experiment ahead of the first export; a server that is down is reported now. */
  prefetch(): void {
    this.experimentId().catch((e: unknown) => this.fail(e, retryable(e)));
  }

  /** Where and how to send, for the sender that takes over at exit (handoff.ts). */
  target(): { url: string; headers: Record<string, string>; experimentId?: string; experimentName?: string; signalFile?: string } {
    return {
      url: `${this.cfg.baseUrl}/v1/traces`,
      headers: { ...this.cfg.headers, 'content-type': 'application/x-protobuf' },
      experimentId: this.resolvedId,
      experimentName: this.cfg.experimentName,
      signalFile: this.cfg.signalFile,
    };
  }

  /** Unusable, or the last request (a batch or the experiment lookup) failed. */
  isDown(): boolean {
    return !!this.cfg.unusable || this.failing || this.outbox.backingOff();
  }

  /** The configuration cannot reach any MLflow (e.g. a file: tracking URI). */
  unusable(): boolean {
    return !!this.cfg.unusable;
  }

  /** Spans the outbox holds. */
  holding(): number {
    return this.outbox.size;
  }

  /** Every span held (see Outbox.heldSpans). */
  heldSpans(): ReadableSpan[] {
    return this.outbox.heldSpans();
  }

  /** MLflow has answered this process at least once (any HTTP answer): it is there, if slow or down for now. */
  reached(): boolean {
    return this.answered;
  }

  /** One attempt now at everything held (see Outbox.drain). */
  drain(): Promise<void> {
    return this.outbox.drain();
  }

  serialize(spans: ReadableSpan[]): Uint8Array | undefined {
    return ProtobufTraceSerializer.serializeRequest(spans);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.cfg.unusable) {
      this.fail(new Error(this.cfg.unusable), false);
      this.track.taken(spans);
      this.track.settled(spans);
      done({ code: ExportResultCode.FAILED, error: new Error(this.cfg.unusable) });
      return;
    }
    // Taken: from here the outbox answers for these spans, so the processor's ref'd export timer
    // ends at once and never holds the app.
    this.outbox.add(spans);
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}

  private resolvedId?: string;
  /** Any HTTP answer from MLflow so far. */
  private answered = false;
  /** The last request failed and none has succeeded since. */
  private failing = false;

  /** One request for one batch, and what the outbox should do with it. Never rejects. */
  private async attempt(spans: ReadableSpan[]): Promise<Verdict> {
    try {
      await this.send(spans);
      this.signal();
      this.nameOpenTraces(spans);
      return 'sent';
    } catch (e) {
      const retry = retryable(e);
      this.fail(e, retry);
      return retry ? 'retry' : 'drop';
    }
  }

  private async send(spans: ReadableSpan[]): Promise<void> {
    const id = await this.experimentId();
    const body = this.serialize(spans);
    if (!body) throw new Error('could not encode the spans as OTLP protobuf');
    const r = await request('POST', `${this.cfg.baseUrl}/v1/traces`, { ...this.cfg.headers, 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': id }, body, REQUEST_TIMEOUT_MS);
    this.answered = true;
    this.failing = false;
    if (r.status < 200 || r.status > 299) throw new HttpStatus(r.status, `answered HTTP ${r.status} to POST /v1/traces: ${excerpt(r.body)}`);
  }

  /** MLflow now holds spans of these traces: name those whose root is still open (openRoots.ts).
   *  Off the send path, one request per tag, failures ignored (the root still names it later). */
  private nameOpenTraces(spans: ReadableSpan[]): void {
    for (const [traceId, tags] of takeUnnamed(spans.map((s) => s.spanContext().traceId))) {
      for (const [key, value] of Object.entries(tags)) {
        void request('PATCH', `${this.cfg.baseUrl}/api/2.0/mlflow/traces/tr-${traceId}/tags`, { ...this.cfg.headers, 'content-type': 'application/json' }, JSON.stringify({ key, value }), REQUEST_TIMEOUT_MS).catch(() => undefined);
      }
    }
  }

  private async resolveExperiment(): Promise<string> {
    if (this.cfg.unusable) throw new Error(this.cfg.unusable);
    if (this.cfg.experimentId) return (this.resolvedId = this.cfg.experimentId);
    const name = this.cfg.experimentName;
    if (!name) return (this.resolvedId = '0'); // MLflow's "Default" experiment
    const found = await this.getByName(name);
    if (found) return (this.resolvedId = found);
    const r = await this.rest('POST', '/api/2.0/mlflow/experiments/create', { name });
    if (r.status === 200) return (this.resolvedId = String((JSON.parse(r.body) as { experiment_id: string }).experiment_id));
    // Another process created it between our lookup and our create.
    if (r.body.includes('RESOURCE_ALREADY_EXISTS')) {
      const again = await this.getByName(name);
      if (again) return (this.resolvedId = again);
    }
    throw new HttpStatus(r.status, `could not create experiment "${name}" (HTTP ${r.status}: ${excerpt(r.body)})`);
  }

  private async getByName(name: string): Promise<string | undefined> {
    const r = await this.rest('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
    if (r.status === 404 || r.body.includes('RESOURCE_DOES_NOT_EXIST')) return undefined;
    if (r.status !== 200) throw new HttpStatus(r.status, `could not look up experiment "${name}" (HTTP ${r.status}: ${excerpt(r.body)})`);
    const exp = (JSON.parse(r.body) as { experiment?: { experiment_id?: string; lifecycle_stage?: string } }).experiment;
    if (exp?.lifecycle_stage === 'deleted') {
      throw new Error(`experiment "${name}" is deleted — restore it in the MLflow UI or pick another name`);
    }
    return exp?.experiment_id;
  }

  private async rest(method: 'GET' | 'POST', path: string, body?: unknown) {
    const headers: Record<string, string> = { ...this.cfg.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await request(method, `${this.cfg.baseUrl}${path}`, headers, body === undefined ? undefined : JSON.stringify(body), REQUEST_TIMEOUT_MS);
    this.answered = true;
    return r;
  }

  private fail(e: unknown, retrying: boolean): void {
    this.failing = true;
    this.warn(failureMessage(this.cfg, e, retrying, this.answered));
  }
}

class HttpStatus extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Whether MLflow may take the same request later: it was unreachable, slow, overloaded or failing
 *  inside. Bad credentials, a missing endpoint or a deleted experiment will not mend themselves. */
function retryable(e: unknown): boolean {
  if (e instanceof HttpFailure) return true;
  if (e instanceof HttpStatus) return e.status === 408 || e.status === 429 || e.status >= 500;
  return false;
}

function excerpt(body: string): string {
  const t = body.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t || '(empty body)';
}

/** One line that says what went wrong and how to fix it. */
export function failureMessage(cfg: PreloadConfig, e: unknown, retrying = false, reachedBefore = false): string {
  const where = `MLflow at ${cfg.baseUrl}`;
  const held = `Gemini traces are held in memory (at most ${LIMITS.maxSpans} spans) and sent when it answers`;
  const tail = !retrying
    ? 'Gemini traces from this process are dropped.'
    : reachedBefore
      ? `${held}, also for ${Math.round(SENDER_LINGER_MS / 60_000)} minutes after this process ends.`
      : `${held} while this process runs.`;
  if (cfg.unusable) return `[gemini-trace] ${cfg.unusable}. ${tail}`;
  if (e instanceof HttpFailure && e.code === 'refused') {
    const port = (() => {
      try {
        return new URL(cfg.baseUrl).port || '5000';
      } catch {
        return '5000';
      }
    })();
    return `[gemini-trace] ${where} ${e.message} — start it with \`mlflow server --port ${port}\` (VS Code: "Gemini Trace: Start Local MLflow Server") or point MLFLOW_TRACKING_URI at a running server. ${tail}`;
  }
  if (e instanceof HttpStatus && (e.status === 401 || e.status === 403)) {
    return `[gemini-trace] ${where} rejected the credentials (HTTP ${e.status}) — set MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD (VS Code: "Gemini Trace: Set MLflow Credentials…"). ${tail}`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return `[gemini-trace] ${where} ${msg}. ${tail}`;
}
