// Text that arrives in pieces (a response body, decoded as it downloads), seen by a parser through
// a window: the part not yet consumed, plus the pieces pulled in when the parser needs more. The
// whole text is never joined: a 300,000-span body is 252 MB, and joining it held the extension
// host for 150 ms. Used by the streaming parse in jsonSteps.ts.
import { WAIT, type Steps } from './steps';

/** Where the text comes from. */
export interface TextSource {
  /** The next piece that has arrived and not been read, or undefined when none is waiting. */
  read(): string | undefined;
  /** True once the text has ended and every piece has been read. */
  done(): boolean;
  /** Resolves when read() or done() may give something new. */
  more(): Promise<void>;
}

/** A source over text that is all here already. */
export function wholeText(text: string): TextSource {
  let given = false;
  return {
    read: () => (given ? undefined : ((given = true), text)),
    done: () => given,
    more: () => Promise.resolve(),
  };
}

export class TextWindow {
  /** The unconsumed text and what has been pulled in after it. */
  text = '';
  /** Where `text` starts in the whole text. */
  base = 0;
  /** Characters read from the source so far. */
  total = 0;
  /** The first characters of the text: all of it while `total` ≤ `keep`. */
  prefix = '';

  /** `pull`: characters to pull in at least each time more is needed (fewer merges of small pieces). */
  constructor(
    private readonly source: TextSource,
    private readonly pull: number,
    private readonly keep: number,
  ) {}

  /** True when `text` runs to the end of the whole text. */
  get ended(): boolean {
    return this.source.done();
  }

  /**
   * Drops the text before `from` and pulls in more: at least as much as is kept (so a long value
   * that needs many pieces is merged a logarithmic number of times, never once per piece), at
   * least `pull`, or all the rest. Yields WAIT while the source has nothing.
   */
  *grow(from: number): Steps<void> {
    const kept = this.text.slice(from);
    this.base += from;
    const want = Math.max(kept.length, this.pull);
    const parts = [kept];
    let added = 0;
    for (;;) {
      for (let piece = added < want ? this.source.read() : undefined; piece !== undefined; piece = added < want ? this.source.read() : undefined) {
        this.note(piece);
        parts.push(piece);
        added += piece.length;
      }
      if (added >= want || this.source.done()) break;
      yield WAIT;
    }
    // One piece after nothing kept is taken as it is: a whole text given at once is not copied.
    this.text = kept === '' && parts.length === 2 ? parts[1] : parts.join('');
  }

  /** Reads the rest of the text without keeping it (only its length and the prefix count). */
  *drain(): Steps<void> {
    this.text = '';
    for (;;) {
      for (let piece = this.source.read(); piece !== undefined; piece = this.source.read()) this.note(piece);
      if (this.source.done()) return;
      yield WAIT;
    }
  }

  private note(piece: string): void {
    this.total += piece.length;
    if (this.prefix.length <= this.keep) this.prefix += piece;
  }
}
