// The preload's private OpenTelemetry pipeline: its own TracerProvider (never registered globally,
// so an app that runs OpenTelemetry itself keeps its own setup), a BatchSpanProcessor that exports
// off the call path, and the bookkeeping exit.ts needs to send what is still buffered when the
// process ends. Built on the first Gemini call, so a Node process that never calls Gemini
// (npm, a build tool, tsx's own launcher) never talks to MLflow.
import type { Span, Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { PreloadConfig } from './config';
import { EXIT_BUDGET_MS, installExitHooks } from './exit';
import type { ExitPipeline } from './exit';
import { MlflowExporter } from './exporter';
import type { Warn } from './exporter';

/** Default export delay: short enough that a trace is readable in MLflow within a second of the
 *  call returning (bench/trace-latency.mjs), long enough to batch a burst of calls. */
export const DEFAULT_DELAY_MS = 200;

export interface Pipeline extends ExitPipeline {
  tracer: Tracer;
  exporter: MlflowExporter;
  provider: TracerProvider;
}

let pipeline: Pipeline | undefined;

export function getPipeline(cfg: PreloadConfig, warn: Warn): Pipeline {
  if (pipeline) return pipeline;
  const buffered = new Set<ReadableSpan>();
  const live = new Set<Span>();
  const exporter = new MlflowExporter(cfg, warn, (spans) => {
    for (const s of spans) buffered.delete(s);
  });
  const envDelay = Number(process.env.OTEL_BSP_SCHEDULE_DELAY);
  const batch = new BatchSpanProcessor({
    exporter,
    scheduledDelayMillis: Number.isFinite(envDelay) && envDelay > 0 ? envDelay : DEFAULT_DELAY_MS,
    // The exporter answers at once (its outbox takes the batch), so this ref'd timer is cleared
    // straight away; it is only a backstop.
    exportTimeoutMillis: EXIT_BUDGET_MS,
  });
  const tracking: SpanProcessor = {
    onStart: (span) => void live.add(span),
    onEnd: (span) => {
      live.delete(span as unknown as Span);
      buffered.add(span);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new TracerProvider({
    // MLflow stores a batch's resource attributes as tags of every trace in it (on each batch, not
    // only the one with the root span): the run tags go here too, so a trace whose root is still
    // open (a background run, a Live session) is tagged with its run from its first exported span.
    // Only the process's constant tags: per-trace tags ride on the root span (calls.ts).
    resource: resourceFromAttributes({ 'service.name': 'gemini-trace-node', ...cfg.runTags }),
    spanProcessors: [tracking, batch],
  });
  pipeline = { tracer: provider.getTracer('gemini-trace-node'), exporter, provider, buffered, live, flush: () => batch.forceFlush().catch(() => undefined).then(() => exporter.drain()) };
  installExitHooks(pipeline, warn);
  // Resolve the experiment now, in the background, so the first export does not wait for it.
  exporter.prefetch();
  return pipeline;
}
