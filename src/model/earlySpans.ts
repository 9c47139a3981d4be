// Spans read while the rest of their trace is still downloading. From anything but a server on
// the same machine, a large trace's body takes longer to arrive than to parse, and the extension
// host sits waiting for bytes: every span read then (decoded, typed, its usage found) is one that
// normalising need not read after the download, while the user waits for the first rows.
//
// The parse hands each span over as it completes (add: only queued, so a download that keeps the
// host busy is not slowed); the HTTP layer calls readSome while it waits for the next piece of the
// body. Only spans that read the same whatever the rest of the list holds are read early (see
// decodesAlone); normalising reads the others, and any not reached, itself. A result is used only
// for the very raw value it came from, at its index, its warnings replayed there in order, so the
// Trace is exactly the one a plain read gives.
import { isRecord } from '../shared/json';
import { decodesAlone } from './encodings';
import { readSpan } from './readSpan';
import type { Span } from './types';

/** Spans read between looks at the clock. */
const BATCH = 16;

/** Reads a trace's raw spans one at a time, each once (EarlySpans.read). */
export type SpanReader = Pick<EarlySpans, 'read' | 'peek'>;

export class EarlySpans {
  /** Raw spans as the parse handed them over, by index. */
  private readonly queued: unknown[] = [];
  /** The next queued index to read. */
  private next = 0;
  /** The raw value each early result was read from, and the result. */
  private readonly from: unknown[] = [];
  private readonly spans: (Span | undefined)[] = [];
  private readonly warnings = new Map<number, string[]>();

  /** Queues the raw span at `index` (a list that starts again at 0, from another route, replaces
   *  the queue). */
  add(raw: unknown, index: number): void {
    if (index === 0) this.next = 0;
    this.queued[index] = raw;
  }

  /** Reads queued spans for about `ms` milliseconds; false when none is left to read. Never
   *  throws: a span that fails here is left to normalising, which reports it. */
  readSome(ms: number): boolean {
    const end = performance.now() + ms;
    while (this.next < this.queued.length) {
      for (let k = 0; k < BATCH && this.next < this.queued.length; k++) this.readOne(this.next++);
      if (performance.now() >= end) return this.next < this.queued.length;
    }
    return false;
  }

  /** The span at `index`, read from `raw` now unless it was read and not taken yet, and kept for
   *  normalising to take as if it had been read while the body downloaded: what answers a large
   *  trace's requests before it is normalised (panel/earlySession.ts) reads each span once.
   *  Undefined for a span that does not read alone, or cannot be read. */
  read(index: number, raw: unknown): Span | undefined {
    if (this.from[index] !== raw || raw === undefined) {
      this.queued[index] = raw;
      this.readOne(index);
    }
    return this.from[index] === raw ? this.spans[index] : undefined;
  }

  /** The span read early from exactly `raw` at `index`, left where it is for normalising to take:
   *  the table drawn before normalising (panel/directTable.ts) takes its row from it instead of
   *  decoding the span again. 'warned' when its read warned (or failed); undefined when it was not
   *  read early. */
  peek(index: number, raw: unknown): Span | 'warned' | undefined {
    if (raw === undefined || this.from[index] !== raw) return undefined;
    return this.warnings.has(index) || !this.spans[index] ? 'warned' : this.spans[index];
  }

  /** The span read early from exactly `raw` at `index` (its warnings passed to `bad` now), or
   *  'unread'. */
  take(index: number, raw: unknown, bad: (m: string) => void): Span | undefined | 'unread' {
    if (this.from[index] !== raw || raw === undefined) return 'unread';
    this.from[index] = undefined;
    for (const w of this.warnings.get(index) ?? []) bad(w);
    return this.spans[index];
  }

  private readOne(index: number): void {
    const raw = this.queued[index];
    // Read already (by readSome or read): its result stands.
    if (raw === undefined) return;
    this.queued[index] = undefined;
    this.from[index] = undefined;
    if (!isRecord(raw) || !decodesAlone(raw)) return;
    const warnings: string[] = [];
    try {
      // The encoding guess is unused for a span that decodes alone.
      this.spans[index] = readSpan(raw, index, 'python', (m) => warnings.push(m));
    } catch {
      return;
    }
    this.from[index] = raw;
    if (warnings.length) this.warnings.set(index, warnings);
    else this.warnings.delete(index);
  }
}
