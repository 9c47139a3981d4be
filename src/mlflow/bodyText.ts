// A response body as text, decoded chunk by chunk as it arrives. `Response.text()` decodes the
// whole body in one call once it is all in: for a 100,000-span traces.json (84 MB) that blocked
// the extension host, which every extension shares, for 200–300 ms (bench/host-read.mjs).
import type { TextSource } from '../shared/textWindow';

export async function bodyText(res: Response): Promise<string> {
  const body = new BodyText(res, Infinity);
  await body.complete;
  return body.text();
}

/**
 * A body read as fast as it arrives, its decoded pieces queued for a parser that reads them as a
 * TextSource (so a large JSON body is parsed while it downloads, and never joined). The first
 * pieces are also kept, as text(): all of a small body, the start of a large one (what an error
 * message quotes).
 */
export class BodyText implements TextSource {
  /** Characters decoded so far. */
  chars = 0;
  /** Whether the body so far is all whitespace (String.prototype.trim's). */
  blank = true;
  /** Settles once the last byte is in; rejects with the network error or the abort. */
  readonly complete: Promise<void>;
  private readonly queue: string[] = [];
  private head = 0;
  private readonly start: string[] = [];
  private startChars = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  /** `keep`: characters of the body's start kept for text() once it grows past them. */
  constructor(
    res: Response,
    private readonly keep = 1 << 20,
  ) {
    this.complete = this.pump(res);
    this.complete.catch(() => undefined); // whoever reads the body sees the failure; never unhandled
  }

  private async pump(res: Response): Promise<void> {
    try {
      if (!res.body) return;
      const reader = res.body.getReader();
      const decoder = new TextDecoder(); // UTF-8, replacing bad bytes and dropping a BOM, as text() does
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.add(decoder.decode(value, { stream: true }));
      }
      this.add(decoder.decode());
    } finally {
      this.ended = true;
      this.notify();
    }
  }

  private add(piece: string): void {
    if (!piece) return;
    this.chars += piece.length;
    if (this.blank && piece.trim() !== '') this.blank = false;
    if (this.startChars <= this.keep) {
      this.start.push(piece);
      this.startChars += piece.length;
    }
    this.queue.push(piece);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The whole body once it has ended no longer than `keep`; otherwise its first characters. */
  text(): string {
    return this.start.join('');
  }

  /** True once more than `chars` characters have arrived; false when the body ended first. */
  async reaches(chars: number): Promise<boolean> {
    for (;;) {
      if (this.chars > chars) return true;
      if (this.ended) {
        await this.complete;
        return false;
      }
      await this.arrival();
    }
  }

  read(): string | undefined {
    if (this.head === this.queue.length) return undefined;
    const piece = this.queue[this.head];
    this.queue[this.head++] = '';
    if (this.head === this.queue.length) this.queue.length = this.head = 0;
    return piece;
  }

  done(): boolean {
    return this.ended && this.head === this.queue.length;
  }

  more(): Promise<void> {
    return this.ended || this.head < this.queue.length ? Promise.resolve() : this.arrival();
  }

  /** Resolves at the next piece or the end. */
  private arrival(): Promise<void> {
    return new Promise((resolve) => {
      const before = this.wake;
      this.wake = () => {
        before?.();
        resolve();
      };
    });
  }
}
