// Getting the last spans out when the app ends, without holding its exit:
// - a natural exit ('beforeExit'): the batch processor flushes into the exporter's outbox, which
//   makes one attempt at everything it holds (also spans held while MLflow was away, without
//   waiting for their back-off). The process waits for that at most EXIT_WAIT_MS, through a ref'd
//   timer (the requests' sockets are unref'd): enough for a local MLflow to take the last batch.
// - 'exit' (also after process.exit(), which skips 'beforeExit'): calls still in flight are closed
//   as interrupted, and every span no request has wholly carried is handed to a detached sender
//   process (handoff.ts) that delivers it after the app is gone. The app waits only for a file
//   write and a spawn. Nothing is handed on when MLflow has not answered once since the process
//   started and is failing now (the warning said traces are dropped then), or is unusable.
// Ctrl-C (SIGINT) keeps Node's default: we install no signal handlers, so the app's own handling
// is unchanged; spans older than the export delay are already in MLflow by then.
// Work the app stopped watching (a background interaction still running, a Live session still
// open) is closed first, on either event, by the finalizers its tracers registered: those spans
// end as unfinished rather than interrupted.
import { errorMessage } from '../../shared/errors';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { handOff } from './handoff';
import type { HandoffTarget } from './handoff';

/** What exit needs of the pipeline (tracer.ts builds it and installs these hooks). */
export interface ExitPipeline {
  /** Ended spans the exporter has not taken yet. */
  buffered: Set<ReadableSpan>;
  /** Spans started and not yet ended. */
  live: Set<Span>;
  /** Hands everything buffered to the exporter and makes one attempt at sending all it holds. */
  flush: () => Promise<void>;
  exporter: {
    holding(): number;
    heldSpans(): ReadableSpan[];
    unusable(): boolean;
    reached(): boolean;
    isDown(): boolean;
    target(): HandoffTarget;
    serialize(spans: ReadableSpan[]): Uint8Array;
  };
}

/** Upper bound on what the preload adds to a process's exit. */
export const EXIT_BUDGET_MS = 1500;
/** How long a natural exit waits for the last in-process export before handing the rest on. */
export const EXIT_WAIT_MS = 500;

/** Called once the app is ending (beforeExit, else exit), before anything is flushed. */
export const exitFinalizers = new Set<() => void>();

function finalize(): void {
  for (const f of [...exitFinalizers]) {
    exitFinalizers.delete(f);
    try {
      f();
    } catch {
      /* never disturb the app's exit */
    }
  }
}

export function installExitHooks(p: ExitPipeline, warn: (line: string) => void): void {
  let flushing = false;
  /** Spans the outbox held at exit got their one attempt (a second 'beforeExit' must not retry
   *  them again, or a down server would keep the process looping through 'beforeExit'). */
  let outboxTried = false;

  process.on('beforeExit', () => {
    try {
      finalize();
      if (flushing || (p.buffered.size === 0 && (outboxTried || p.exporter.holding() === 0))) return;
      flushing = true;
      outboxTried = true;
      const hold = setTimeout(() => {}, EXIT_WAIT_MS);
      p.flush()
        .catch(() => {})
        .finally(() => {
          clearTimeout(hold);
          flushing = false;
        });
    } catch {
      /* never disturb the app's exit */
    }
  });

  process.on('exit', () => {
    let spans: ReadableSpan[] = [];
    try {
      finalize();
      for (const span of [...p.live]) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'The process exited before this call finished.' });
        span.setAttribute('gemini_trace.interrupted', true);
        span.end();
      }
      spans = [...p.buffered, ...p.exporter.heldSpans()];
      p.buffered.clear();
      if (spans.length === 0 || p.exporter.unusable() || (!p.exporter.reached() && p.exporter.isDown())) return;
      handOff(spans, p.exporter.target(), (s) => p.exporter.serialize(s));
    } catch (e) {
      try {
        warn(`[gemini-trace] the last ${spans.length} span(s) could not be handed on as the process exited (${errorMessage(e)}); they are dropped.`);
      } catch {
        /* never disturb the app's exit */
      }
    }
  });
}
