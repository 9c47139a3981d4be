// Where a panel's first open of its trace spent its time, from the panel's creation: the page
// ready to listen, the trace read (fetched, parsed, normalised: src/core/traceStore.ts logs that
// split), laid out (for a large trace whose table is drawn from its raw span list, directTable.ts,
// both are when that table was ready), its table's first piece posted and its last, the page's
// first rows drawn, the whole table held, and how long the page itself took to take in the last
// piece and draw (so the time VS Code took to carry the table is the rest). Logged once, when the
// page holds the whole table: at info level when that took over a second or the trace is large (a
// user asking why a trace opens slowly finds the answer in the log), else at debug.
// bench/panel-open.mjs reads the line.

/** `answers`: details and search answer (the trace's session, or earlySession.ts before it). */
export type OpenMark = 'ready' | 'read' | 'laidOut' | 'posted' | 'lastPosted' | 'firstRows' | 'whole' | 'answers';

const SLOW_MS = 1000;
const LARGE_SPANS = 10_000;

export class OpenTimeline {
  private readonly t0 = performance.now();
  private readonly at = new Map<OpenMark, number>();
  private logged = false;
  /** The page's own time from the whole table's last piece to its drawing. */
  private wholeDrawMs: number | undefined;

  /** Records the first time `mark` happened. */
  mark(mark: OpenMark): void {
    if (!this.at.has(mark)) this.at.set(mark, Math.round(performance.now() - this.t0));
  }

  /** The page drew the whole table `ms` after its last piece arrived (the first time counts). */
  drewWhole(ms: number): void {
    this.wholeDrawMs ??= Math.round(ms);
  }

  /** Once the whole table is held and details and search answer (for the table of a trace that
   *  is not drawn before it is read, after its read), the line to log and its level;
   *  undefined before and after. */
  report(traceId: string, spans: number): { level: 'info' | 'debug'; line: string } | undefined {
    const whole = this.at.get('whole');
    const answers = this.at.get('answers');
    if (whole === undefined || answers === undefined || this.logged) return undefined;
    this.logged = true;
    const ms = (m: OpenMark): string => (this.at.has(m) ? `${this.at.get(m)} ms` : '—');
    const line =
      `trace panel ${traceId}: ${spans.toLocaleString('en-US')} spans, first rows at ${ms('firstRows')}, whole at ${whole} ms ` +
      `(page ready ${ms('ready')}, trace read ${ms('read')}, laid out ${ms('laidOut')}, first piece posted ${ms('posted')}, ` +
      `last piece posted ${ms('lastPosted')}, page's own join and draw ${this.wholeDrawMs === undefined ? '—' : `${this.wholeDrawMs} ms`}); ` +
      `details and search from ${answers} ms`;
    return { level: whole > SLOW_MS || spans >= LARGE_SPANS ? 'info' : 'debug', line };
  }
}
