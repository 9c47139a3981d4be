// Posting a trace's table to its page: whole, or for a large trace in pieces (TraceSession.payloads),
// one per turn of the host's event loop so other extensions run in between. When the rest is more
// than one piece, it waits after the first (the top of the tree) until the page has drawn it, or
// FIRST_PIECE_WAIT_MS: posted at once, the first piece of 300,000 spans reached the page only with
// the last, 1.5 s later (bench/results/bigtrace-2026-12-05b.md). A rest of one piece follows at
// once: waiting for the round trip put the whole of a 10,000-span table 120–340 ms after its first
// rows, against 55–60 ms without (bench/panel-open.mjs' timeline). A newer post, a page that went
// away (it asks again when it is back) or a closed panel stops the rest.
import type { TracePayload } from '../contract/protocol';
import { PIECE_SPANS } from './postedTable';

/** Longest wait for the page to draw a large table's first piece before the rest is posted. */
const FIRST_PIECE_WAIT_MS = 2000;

export class TablePoster {
  /** Counts posts: a post in pieces stops when a newer one starts. */
  private posts = 0;
  /** The page shows this trace already, so a later post's first piece need not be awaited: a whole
   *  table (the page keeps it on screen until the new one is whole), or its top (a preview: the
   *  first piece changes nothing the user sees). */
  private pageShowsTrace = false;
  private resume: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `send` posts one message; `open` says whether the page is there to take it. */
  constructor(
    private readonly send: (p: TracePayload) => void,
    private readonly open: () => boolean,
  ) {}

  /** `afterFirst` runs once the first piece (or the whole table) is sent, before the rest. */
  post(pieces: Iterator<TracePayload>, afterFirst?: () => void): void {
    const post = ++this.posts;
    const next = (): void => {
      this.resume = undefined;
      clearTimeout(this.timer);
      if (post !== this.posts || !this.open()) return;
      const r = pieces.next();
      if (r.done) return;
      this.send(r.value);
      const after = afterFirst;
      afterFirst = undefined;
      after?.();
      if (r.value.from === 0 && r.value.header.spanCount - r.value.table.n > PIECE_SPANS && !this.pageShowsTrace) {
        this.resume = next;
        this.timer = setTimeout(next, FIRST_PIECE_WAIT_MS);
      } else setImmediate(next);
    };
    next();
  }

  /** The page drew `spans` spans of a trace of `total`. */
  rendered(spans: number, total: number | undefined): void {
    if (spans === total) this.pageShowsTrace = true;
    this.resume?.();
  }

  /** The page drew a preview of this trace (its top). */
  topDrawn(): void {
    this.pageShowsTrace = true;
  }

  /** The page is gone or new: it holds no table. */
  pageReset(): void {
    this.pageShowsTrace = false;
  }

  dispose(): void {
    this.posts++;
    clearTimeout(this.timer);
  }
}
