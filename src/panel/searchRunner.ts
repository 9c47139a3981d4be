// The panel's searches, one at a time: a search of a large trace's content runs for seconds (the
// first over 100,000 spans reads every span's text: about a second here), so a newer query stops the
// one before it (the page drops its answer anyway, and both would share the host's slices), and
// the page hears how far the running one has got. Pure: no vscode.
import type { SliceOptions } from '../shared/steps';
import type { SearchResult } from './search';

/** How often the page hears a running search's progress. */
const PROGRESS_MS = 250;

export interface Searchable {
  searchSliced(query: string, o?: SliceOptions): Promise<SearchResult>;
}

export class SearchRunner {
  private running: AbortController | undefined;
  /** The running search, settled when it ends. */
  private current: Promise<unknown> | undefined;

  /** `closed`: aborted when the panel closes; `progress` hears the fraction done, at most every
   *  `everyMs`. */
  constructor(
    private readonly closed: AbortSignal,
    private readonly progress: (query: string, fraction: number) => void,
    private readonly everyMs = PROGRESS_MS,
  ) {}

  /** While a search runs, a promise that settles when it ends (else undefined): the trace's read
   *  lets it go first, as the search reads the spans the read would (earlySession.ts). */
  busy(): Promise<unknown> | undefined {
    return this.running && this.current;
  }

  run(s: Searchable, query: string): Promise<SearchResult> {
    const p = this.start(s, query);
    this.current = p;
    return p;
  }

  private async start(s: Searchable, query: string): Promise<SearchResult> {
    this.running?.abort(new Error('A newer search replaced this one.'));
    const mine = new AbortController();
    this.running = mine;
    let told = performance.now();
    try {
      return await s.searchSliced(query, {
        signal: AbortSignal.any([this.closed, mine.signal]),
        onProgress: (f) => {
          const now = performance.now();
          if (now - told < this.everyMs) return;
          told = now;
          this.progress(query, f);
        },
      });
    } finally {
      if (this.running === mine) this.running = undefined;
    }
  }
}
