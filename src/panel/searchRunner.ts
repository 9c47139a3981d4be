// The panel's searches, one at a time: a search of a large trace's content runs for seconds (the
// first over 100,000 spans reads every span's text: about a second here), so a newer query stops the
// one before it (the page drops its answer anyway, and both would share the host's slices), and
// the page hears how far the running one has got and the matches found so far: the first at once,
// so a user sees where a word first occurs before the search has read the whole trace. Pure: no
// vscode.
import type { SearchOptions, SearchResult } from './search';

/** How often the page hears a running search's progress. */
const PROGRESS_MS = 250;

export interface Searchable {
  searchSliced(query: string, o?: SearchOptions): Promise<SearchResult>;
}

export class SearchRunner {
  /** The running search: what stops it, and its answer (settled when it ends). */
  private running: { stop: AbortController; done: Promise<SearchResult> } | undefined;

  /** `closed`: aborted when the panel closes; `progress` hears the fraction done and the matches
   *  found since it last heard (in row order), at once for the first match, then at most every
   *  `everyMs`. */
  constructor(
    private readonly closed: AbortSignal,
    private readonly progress: (query: string, fraction: number, found: number[]) => void,
    private readonly everyMs = PROGRESS_MS,
  ) {}

  /** While a search runs, a promise that settles when it ends (else undefined): the trace's read
   *  lets it go first, as the search reads the spans the read would (earlySession.ts). */
  busy(): Promise<unknown> | undefined {
    return this.running?.done;
  }

  run(s: Searchable, query: string): Promise<SearchResult> {
    this.running?.stop.abort(new Error('A newer search replaced this one.'));
    const stop = new AbortController();
    let told = performance.now();
    let fraction = 0;
    let found: number[] = [];
    let first = true;
    const tell = (): void => {
      told = performance.now();
      this.progress(query, fraction, found);
      found = [];
    };
    const done = s
      .searchSliced(query, {
        signal: AbortSignal.any([this.closed, stop.signal]),
        onProgress: (f) => {
          fraction = f;
          if (performance.now() - told >= this.everyMs) tell();
        },
        onMatch: (i) => {
          found.push(i);
          if (first) {
            first = false;
            tell();
          }
        },
      })
      .finally(() => {
        if (this.running?.stop === stop) this.running = undefined;
      });
    this.running = { stop, done };
    return done;
  }
}
