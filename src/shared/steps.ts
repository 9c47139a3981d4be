// Long pure computations written once as generators, run either at once (tests, small traces) or
// in slices that give the event loop back between them. The extension host is one thread shared
// by every extension: reading a 100,000-span trace in one go would freeze them all for seconds.
// Each `yield` is a point where the work may pause, and carries the fraction done (0..1).

export type Steps<T> = Generator<number, T, void>;

/** Yielded instead of a fraction by steps that need input which has not arrived yet (a body still
 *  downloading): runSliced resumes them once `SliceOptions.wait` resolves. */
export const WAIT = -1;

/** Runs the steps to the end without pausing (their input must all be there: WAIT is an error). */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (r.value === WAIT) throw new Error('steps waited for input that nothing gives');
  }
}

export interface SliceOptions {
  /** Longest stretch of work before the event loop gets a turn. */
  sliceMs?: number;
  /** Called at each pause with the fraction done. */
  onProgress?: (fraction: number) => void;
  /** Checked at each pause: an aborted run stops there and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** For steps that yield WAIT: resolves when their input may have grown. */
  wait?: () => Promise<void>;
  /** Asked at each pause: work that goes first (a promise that settles when it ends), or undefined. */
  yieldTo?: () => Promise<unknown> | undefined;
}

/** Runs the steps, pausing (a macrotask, so I/O and other extensions run) every `sliceMs`. */
export async function runSliced<T>(steps: Steps<T>, o: SliceOptions = {}): Promise<T> {
  const sliceMs = o.sliceMs ?? 25;
  let sliceStart = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (r.value === WAIT) {
      if (!o.wait) throw new Error('steps waited for input that nothing gives');
      await o.wait();
      o.signal?.throwIfAborted();
      // The slice goes on counting through a wait: one whose input had arrived already ends in a
      // microtask, with no turn of the event loop. Counted afresh after each wait, a body that a
      // local server sent faster than it was parsed held the extension host for 0.2-0.5 s in
      // one chain of such waits (test/integration/hostile.test.ts, opening 30,000 spans). After
      // a real wait, this only costs one pause more.
    }
    if (performance.now() - sliceStart < sliceMs) continue;
    if (r.value !== WAIT) o.onProgress?.(r.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let first = o.yieldTo?.(); first; first = o.yieldTo?.()) await first.catch(() => undefined);
    o.signal?.throwIfAborted();
    sliceStart = performance.now();
  }
}

/** True every `every` iterations: where a loop over spans offers to pause. */
export const pauseHere = (i: number, every = 512): boolean => i % every === every - 1;

/** The same steps, their progress mapped onto [from, to] of a larger whole. */
export function* scaled<T>(steps: Steps<T>, from: number, to: number): Steps<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    yield r.value === WAIT ? WAIT : from + r.value * (to - from);
  }
}
