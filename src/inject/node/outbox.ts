// Where finished spans wait until MLflow has taken them. While MLflow answers, each batch goes out
// at once (a few requests may run side by side). A failure the server can recover from (refused,
// reset, timeout, 5xx, 429) leaves the batch in place and switches to one probe at a time after a
// capped exponential back-off; spans that end meanwhile just join the queue, so a restarted server
// gets everything held since it went down, each span once.
// - Never keeps the app alive: the back-off timer is unref'd (and the request sockets are, in
//   http.ts); exit.ts decides how long exit may wait for a last attempt, and hands on the rest.
// - Bounded: at most LIMITS.maxSpans spans or about LIMITS.maxBytes of attributes; past either the
//   oldest spans go, with one note on stderr.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export const LIMITS = {
  maxSpans: 2048,
  maxBytes: 64 * 1024 * 1024,
  /** Spans per request. */
  maxBatch: 512,
  /** Requests under way at once while MLflow answers; one probe at a time while it does not. */
  maxRequests: 4,
  minBackoffMs: 500,
  maxBackoffMs: 5000,
};

/** What became of one request: taken, worth another try later, or refused for good. */
export type Verdict = 'sent' | 'retry' | 'drop';

export interface OutboxHooks {
  /** Sends one batch. Must not reject. */
  send(spans: ReadableSpan[]): Promise<Verdict>;
  /** Spans entered the outbox. */
  taken(spans: ReadableSpan[]): void;
  /** The outbox was full and dropped its oldest spans (called on every overflow). */
  overflow(dropped: number): void;
}

export class Outbox {
  /** Oldest first. A span stays here until it has left for good, also while a request carries it. */
  private queue: ReadableSpan[] = [];
  private sizes = new Map<ReadableSpan, number>();
  private bytes = 0;
  /** Spans a request under way carries. */
  private busy = new Set<ReadableSpan>();
  private requests = 0;
  private timer?: ReturnType<typeof setTimeout>;
  /** 0 while MLflow takes requests; otherwise the wait before the next attempt. */
  private backoffMs = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly hooks: OutboxHooks,
    private readonly limits = LIMITS,
  ) {}

  add(spans: ReadableSpan[]): void {
    if (spans.length === 0) return;
    this.hooks.taken(spans);
    for (const s of spans) {
      const size = estimateSize(s);
      this.queue.push(s);
      this.sizes.set(s, size);
      this.bytes += size;
    }
    this.trim();
    this.pump();
  }

  /** Spans held (queued, or in a request under way). */
  get size(): number {
    return this.queue.length;
  }

  /** Everything held, oldest first, also spans a request under way carries: when the process
   *  ends, that request's fate is unknown (a server slow to read it loses it with the connection),
   *  and MLflow stores a span sent twice once. */
  heldSpans(): ReadableSpan[] {
    return [...this.queue];
  }

  /** The last request failed and the next waits for its back-off. */
  backingOff(): boolean {
    return this.backoffMs > 0;
  }

  /** Tries now (skipping a pending back-off) and resolves once everything held was sent, or at
   *  the first failure: what exit.ts waits for, within its own budget. */
  drain(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.cancelTimer();
    // Everything held goes out now, as many requests at once as a healthy server gets.
    this.backoffMs = 0;
    this.pump();
    return done;
  }

  private pump(): void {
    if (this.timer) return;
    const max = this.backoffMs > 0 ? 1 : this.limits.maxRequests;
    while (this.requests < max) {
      const batch: ReadableSpan[] = [];
      for (const s of this.queue) {
        if (this.busy.has(s)) continue;
        batch.push(s);
        if (batch.length >= this.limits.maxBatch) break;
      }
      if (batch.length === 0) return;
      for (const s of batch) this.busy.add(s);
      this.requests++;
      let verdict: Promise<Verdict>;
      try {
        verdict = this.hooks.send(batch);
      } catch {
        verdict = Promise.resolve('retry');
      }
      verdict.then(
        (v) => this.settle(batch, v),
        () => this.settle(batch, 'retry'),
      );
    }
  }

  private settle(batch: ReadableSpan[], verdict: Verdict): void {
    this.requests--;
    for (const s of batch) this.busy.delete(s);
    if (verdict === 'retry') {
      // The spans stay where they are, oldest first; one probe at a time until MLflow answers.
      this.backoffMs = this.backoffMs ? Math.min(this.backoffMs * 2, this.limits.maxBackoffMs) : this.limits.minBackoffMs;
      this.wake();
      if (!this.timer) this.later();
      return;
    }
    this.remove(new Set(batch));
    if (verdict === 'drop') {
      // Refused for good (bad credentials, a deleted experiment): those spans leave, and the next
      // batch still waits the longest back-off, so a misconfigured server is not hammered.
      this.backoffMs = this.limits.maxBackoffMs;
      this.wake();
      if (!this.timer) this.later();
      return;
    }
    // MLflow took it: it is back (if it was away), so what waited for the back-off goes now.
    this.backoffMs = 0;
    this.cancelTimer();
    if (this.queue.length === 0) this.wake();
    this.pump();
  }

  private remove(gone: Set<ReadableSpan>): void {
    this.queue = this.queue.filter((s) => {
      if (!gone.has(s)) return true;
      this.bytes -= this.sizes.get(s) ?? 0;
      this.sizes.delete(s);
      return false;
    });
  }

  /** The next attempt, after the back-off, on a timer that never holds the process. */
  private later(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, this.backoffMs);
    this.timer.unref?.();
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Past the cap the oldest spans go (also one a request carries: if that request succeeds, the
   *  span simply arrived; it is never put back). */
  private trim(): void {
    let n = 0;
    let bytes = this.bytes;
    while (this.queue.length - n > this.limits.maxSpans || (bytes > this.limits.maxBytes && this.queue.length - n > 1)) {
      bytes -= this.sizes.get(this.queue[n]) ?? 0;
      n++;
    }
    if (n === 0) return;
    this.remove(new Set(this.queue.slice(0, n)));
    this.hooks.overflow(n);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

/** About how many bytes a span holds: its string attributes dominate (inputs, outputs). */
function estimateSize(span: ReadableSpan): number {
  let n = 256;
  try {
    for (const v of Object.values(span.attributes)) n += typeof v === 'string' ? v.length : 16;
    for (const e of span.events) n += 64 + JSON.stringify(e.attributes ?? {}).length;
  } catch {
    /* an estimate */
  }
  return n;
}
