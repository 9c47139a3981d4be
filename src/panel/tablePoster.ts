// Posting a trace's table to its page: whole, or for a large trace in pieces (TraceSession.payloads),
// one per turn of the host's event loop so other extensions run in between. After the first piece
// (the top of the tree) the rest waits until the page has drawn it, or FIRST_PIECE_WAIT_MS: posted
// at once, the first piece of 300,000 spans reached the page only with the last, 1.5 s later
// (bench/results/bigtrace-2026-12-05b.md). A newer post, a page that went away (it asks again when
// it is back) or a closed panel stops the rest.
import type { TracePayload } from '../contract/protocol';

/** Longest wait for the page to draw a large table's first piece before the rest is posted. */
const FIRST_PIECE_WAIT_MS = 2000;

export class TablePoster {
  /** Counts posts: a post in pieces stops when a newer one starts. */
  private posts = 0;
  /** The page has drawn a whole table of this trace: it draws no first piece of a later post (it
   *  keeps the table on screen until the new one is whole), so there is nothing to wait for. */
  private pageHasTrace = false;
  /** The page shows this trace's top already (a preview): a later post's first piece changes
   *  nothing the user sees, so the rest follows it at once. */
  private pageHasTop = false;
  private resume: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `send` posts one message; `open` says whether the page is there to take it. */
  constructor(
    private readonly send: (p: TracePayload) => void,
    private readonly open: () => boolean,
  ) {}

  post(pieces: Iterator<TracePayload>): void {
    const post = ++this.posts;
    const next = (): void => {
      this.resume = undefined;
      clearTimeout(this.timer);
      if (post !== this.posts || !this.open()) return;
      const r = pieces.next();
      if (r.done) return;
      this.send(r.value);
      if (r.value.from === 0 && r.value.table.n < r.value.header.spanCount && !this.pageHasTrace && !this.pageHasTop) {
        this.resume = next;
        this.timer = setTimeout(next, FIRST_PIECE_WAIT_MS);
      } else setImmediate(next);
    };
    next();
  }

  /** The page drew `spans` spans of a trace of `total`. */
  rendered(spans: number, total: number | undefined): void {
    if (spans === total) this.pageHasTrace = true;
    this.resume?.();
  }

  /** The page drew a preview of this trace (its top). */
  topDrawn(): void {
    this.pageHasTop = true;
  }

  /** The page is gone or new: it holds no table. */
  pageReset(): void {
    this.pageHasTrace = false;
    this.pageHasTop = false;
  }

  dispose(): void {
    this.posts++;
    clearTimeout(this.timer);
  }
}
