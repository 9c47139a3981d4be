// The app keeps the very Stream object the SDK returned (a ReadableStream of server-sent events);
// its ways of reading are tapped in place, on the object itself: `for await` and `values()` (the
// async iterator's next), `getReader()` (the reader's read), and `cancel()`. Each event the app
// reads passes through unchanged while it is assembled (interactionStream.ts); nothing is read
// ahead of the app. `tee()`, `pipeTo()` and `pipeThrough()` read the stream internally, out of our
// sight: the span ends there, marked as handed on. An event we cannot read stops the assembly,
// never the stream.
import { InteractionAssembler } from './interactionStream';

type Fn = (...args: unknown[]) => unknown;
export type StreamEnd = 'done' | 'early' | 'error' | 'handed-on';

export interface StreamWatch {
  /** The first step delta reached the app. */
  firstDelta(): void;
  /** The stream ended: read to its end, stopped early by the app, failed, or handed on. */
  end(asm: InteractionAssembler | undefined, how: StreamEnd, err?: unknown): void;
}

/** A method as the object's prototype chain defines it (not an own property we put there). */
function inherited(o: object, key: PropertyKey): Fn | undefined {
  for (let p = Object.getPrototypeOf(o); p; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d) return typeof d.value === 'function' ? (d.value as Fn) : undefined;
  }
  return undefined;
}

function setOwn(o: object, key: PropertyKey, value: Fn): void {
  Object.defineProperty(o, key, { value, writable: true, configurable: true, enumerable: false });
}

class Tap {
  private asm?: InteractionAssembler = new InteractionAssembler();
  private ended = false;

  constructor(private readonly watch: StreamWatch) {}

  see<R extends { done?: boolean; value?: unknown }>(r: R): R {
    if (r.done) this.end('done');
    else if (this.asm && !this.ended) {
      try {
        if (this.asm.add(r.value)) this.watch.firstDelta();
      } catch {
        this.asm = undefined;
      }
    }
    return r;
  }

  end(how: StreamEnd, err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.watch.end(this.asm, how, err);
    } catch {
      /* tracing only */
    }
  }

  /** A read that resolves to the same result, or rejects with the same error. */
  private read(original: Fn, self: unknown): Fn {
    return (...args: unknown[]) =>
      (original.apply(self, args) as Promise<{ done?: boolean; value?: unknown }>).then(
        (r) => this.see(r),
        (e: unknown) => {
          this.end('error', e);
          throw e;
        },
      );
  }

  iterator(it: unknown): unknown {
    if (!it || typeof it !== 'object') return it;
    const o = it as Record<string, Fn | undefined>;
    const next = o.next;
    const ret = o.return;
    if (typeof next === 'function') setOwn(o, 'next', this.read(next, o));
    if (typeof ret === 'function') {
      setOwn(o, 'return', (...args: unknown[]) => {
        this.end('early');
        return ret.apply(o, args);
      });
    }
    return it;
  }

  reader(rd: unknown): unknown {
    if (!rd || typeof rd !== 'object') return rd;
    const o = rd as Record<string, Fn | undefined>;
    const read = o.read;
    const cancel = o.cancel;
    if (typeof read === 'function') setOwn(o, 'read', this.read(read, o));
    if (typeof cancel === 'function') {
      setOwn(o, 'cancel', (...args: unknown[]) => {
        this.end('early');
        return cancel.apply(o, args);
      });
    }
    return rd;
  }
}

/** Taps the stream's ways of reading; returns the same object (anything else untouched). */
export function watchStream(source: unknown, watch: StreamWatch): unknown {
  if (!source || typeof source !== 'object') return source;
  const iterate = inherited(source, Symbol.asyncIterator);
  if (!iterate) return source;
  const tap = new Tap(watch);
  try {
    setOwn(source, Symbol.asyncIterator, function (this: unknown, ...args: unknown[]) {
      return tap.iterator(iterate.apply(this, args));
    });
    const getReader = inherited(source, 'getReader');
    if (getReader) {
      setOwn(source, 'getReader', function (this: unknown, ...args: unknown[]) {
        return tap.reader(getReader.apply(this, args));
      });
    }
    const cancel = inherited(source, 'cancel');
    if (cancel) {
      setOwn(source, 'cancel', function (this: unknown, ...args: unknown[]) {
        tap.end('early');
        return cancel.apply(this, args);
      });
    }
    for (const key of ['tee', 'pipeTo', 'pipeThrough']) {
      const m = inherited(source, key);
      if (!m) continue;
      setOwn(source, key, function (this: unknown, ...args: unknown[]) {
        tap.end('handed-on');
        return m.apply(this, args);
      });
    }
  } catch {
    /* a stream we cannot tap is left as it is (taps already set still only observe) */
  }
  return source;
}
