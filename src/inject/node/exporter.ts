// Sends finished spans to MLflow's OTLP endpoint (`POST <tracking URI>/v1/traces`, protobuf, header
// `x-mlflow-experiment-id`). The experiment id is resolved (experiment.ts) in the background when
// the pipeline is built, never on the app's call path. The wire format is our own encoder's
// (serializer.ts, the bytes OpenTelemetry's serializer writes, without its per-character loops);
// the transport is our own because `@opentelemetry/exporter-trace-otlp-proto`'s retrying transport
// schedules ref'd retry timers (1–5 s of backoff) that would hold the app's exit while MLflow is
// down. Batches the processor hands over go to the bounded outbox (outbox.ts), which sends them
// and holds them while MLflow is away; what it still holds when the process ends goes to a sender
// process (handoff.ts, from exit.ts).
import { errorMessage } from '../../shared/errors';
import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { PreloadConfig } from './config';
import { resolveExperiment, restOver } from './experiment';
import { SENDER_LINGER_MS } from './handoff';
import type { HandoffTarget } from './handoff';
import { HttpFailure, HttpStatus, excerpt, request, retryable } from './http';
import type { HttpReply, Method } from './http';
import { takeUnnamed } from './openRoots';
import { LIMITS, Outbox } from './outbox';
import type { Verdict } from './outbox';
import { serializeSpans } from './serializer';
import { signaller } from './signal';

const REQUEST_TIMEOUT_MS = 10_000;
const TAG_TRIES = 3;
const TAG_RETRY_MS = 1000;

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
    /** Called with spans when the outbox takes them (they are no longer the processor's). */
    private readonly taken: (spans: ReadableSpan[]) => void = () => {},
  ) {
    this.signal = signaller(cfg.signalFile);
    this.outbox = new Outbox({
      send: (spans) => this.attempt(spans),
      taken: (spans) => taken(spans),
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
        this.resolvedId = id;
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
  target(): HandoffTarget {
    return {
      baseUrl: this.cfg.baseUrl,
      headers: this.cfg.headers,
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

  serialize(spans: ReadableSpan[]): Uint8Array {
    return serializeSpans(spans);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.cfg.unusable) {
      this.fail(new Error(this.cfg.unusable), false);
      this.taken(spans);
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
    const r = await this.request('POST', '/v1/traces', { 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': id }, body);
    this.answered = true;
    this.failing = false;
    if (r.status < 200 || r.status > 299) throw new HttpStatus(r.status, `answered HTTP ${r.status} to POST /v1/traces: ${excerpt(r.body)}`);
  }

  /** MLflow now holds spans of these traces: name those whose root is still open (openRoots.ts).
   *  Off the send path, one request per tag. */
  private nameOpenTraces(spans: ReadableSpan[]): void {
    for (const [traceId, tags] of takeUnnamed(spans.map((s) => s.spanContext().traceId))) {
      for (const [key, value] of Object.entries(tags)) void this.setTag(traceId, key, value);
    }
  }

  /** One trace tag. No answer, a 5xx (a busy sqlite store answers "database is locked") or a 404
   *  (the trace not readable yet) is tried again a second later, twice: otherwise the trace would
   *  stay nameless until its root lands, when the run ends. Unref'd waits: an exiting app drops the
   *  retry, and the root names the trace when it lands. */
  private async setTag(traceId: string, key: string, value: string): Promise<void> {
    for (let attempt = 0; attempt < TAG_TRIES; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, TAG_RETRY_MS).unref());
      const r = await this.request('PATCH', `/api/2.0/mlflow/traces/tr-${traceId}/tags`, { 'content-type': 'application/json' }, JSON.stringify({ key, value })).catch(() => undefined);
      if (r && r.status < 500 && r.status !== 404) return;
    }
  }

  private resolveExperiment(): Promise<string> {
    if (this.cfg.unusable) return Promise.reject(new Error(this.cfg.unusable));
    const rest = restOver(this.cfg, REQUEST_TIMEOUT_MS, false, () => (this.answered = true));
    return quietly(() => resolveExperiment(this.cfg, rest));
  }

  private request(method: Method, path: string, headers: Record<string, string>, body: Uint8Array | string): Promise<HttpReply> {
    return quietly(() => request(method, `${this.cfg.baseUrl}${path}`, { ...this.cfg.headers, ...headers }, body, REQUEST_TIMEOUT_MS));
  }

  private fail(e: unknown, retrying: boolean): void {
    this.failing = true;
    this.warn(failureMessage(this.cfg, e, retrying, this.answered));
  }
}

/** If the app runs its own OpenTelemetry http instrumentation, keep our requests out of its traces. */
function quietly<T>(f: () => T): T {
  return context.with(suppressTracing(context.active()), f);
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
  const msg = errorMessage(e);
  return `[gemini-trace] ${where} ${msg}. ${tail}`;
}
