// A streamed call's span lives as long as the stream: it ends when the app's iteration finishes,
// throws, or stops early (break / return()). The app gets an iterator that behaves like the SDK's
// async generator — same chunks, same errors, same return() and throw() — and each step runs in the
// call's context, so tool calls the SDK makes while streaming nest under it.
import type { Call } from './calls';
import { assembleChunks, responseOutputs } from './spans';

/** Calls a stream-returning SDK method: the span stays open until the app finishes reading the
 *  stream it resolves to; a rejected call fails the span with the same error object. */
export function tracedStream(call: Call | undefined, invoke: () => unknown, hooks: StreamHooks): unknown {
  if (!call) return invoke();
  let result: unknown;
  try {
    result = call.run(invoke);
  } catch (e) {
    call.fail(e);
    throw e;
  }
  if (!(result instanceof Promise)) {
    call.succeed(() => null);
    return result;
  }
  return result.then(
    (gen: unknown) => {
      try {
        if (gen && typeof (gen as AsyncGenerator).next === 'function') return traceStream(call, gen as AsyncGenerator, hooks);
        call.succeed(() => responseOutputs(gen, hooks.capture));
      } catch {
        /* hand back the SDK's own value */
      }
      return gen;
    },
    (e: unknown) => {
      call.fail(e);
      throw e;
    },
  );
}

export interface StreamHooks {
  /** Whether this span carries token usage (model-call spans only); asked when the stream ends. */
  usage: () => boolean;
  capture: boolean;
}

export function traceStream<T>(call: Call, source: AsyncGenerator<T>, hooks: StreamHooks): AsyncGenerator<T> {
  const chunks: unknown[] = [];
  let first = true;
  const finish = (closedEarly: boolean) => {
    const assembled = assembleChunks(chunks);
    call.succeed(
      () => responseOutputs(assembled, hooks.capture),
      hooks.usage() ? assembled : undefined,
      { 'gemini_trace.stream_chunks': chunks.length, ...(closedEarly ? { 'gemini_trace.stream_closed_early': true } : {}) },
    );
  };
  const step = (invoke: () => Promise<IteratorResult<T>>, closing: boolean): Promise<IteratorResult<T>> => {
    let p: Promise<IteratorResult<T>>;
    try {
      p = call.run(invoke);
    } catch (e) {
      call.fail(e, () => responseOutputs(assembleChunks(chunks), hooks.capture));
      throw e;
    }
    return p.then(
      (r) => {
        try {
          if (r.done) finish(closing);
          else {
            if (first) {
              first = false;
              call.firstChunk();
            }
            chunks.push(r.value);
            if (closing) finish(true);
          }
        } catch {
          /* ignore */
        }
        return r;
      },
      (e: unknown) => {
        call.fail(e, () => responseOutputs(assembleChunks(chunks), hooks.capture));
        throw e;
      },
    );
  };
  const wrapped = {
    next: (...args: [] | [unknown]) => step(() => source.next(...args), false),
    return: (value?: unknown) => step(() => source.return(value as T), true),
    throw: (err?: unknown) => step(() => source.throw(err), false),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  // Same prototype as the SDK's generator, so `Object.prototype.toString` and instanceof checks
  // against AsyncGenerator behave the same; our own methods shadow the prototype's.
  try {
    Object.setPrototypeOf(wrapped, Object.getPrototypeOf(source));
  } catch {
    /* keep the plain object */
  }
  return wrapped as unknown as AsyncGenerator<T>;
}
