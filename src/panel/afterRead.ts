// What a trace's panel does once the trace's session exists, after the page has drawn the whole
// table (beforeRead.ts is what it shows before): the history check, then the search text built in
// idle time. Host work while a table crosses to the page delays its arrival about one for one (600
// ms of it after the post put a 100,000-span table's arrival ~570 ms later: VS Code's carrying
// takes CPU of its own in three processes, and this machine has two cores), so both wait for the
// page's word that it drew the table, or WHOLE_DRAW_WAIT_MS.
// Pure: no vscode; the panel (panelHost.ts) posts and counts revisions.
import type { SpanTable } from '../contract/spanTable';
import { isRunning } from '../model/summary';
import { timedWait } from '../shared/timedWait';
import { WHOLE_DRAW_WAIT_MS } from './beforeRead';
import type { TraceSession } from './session';

export interface AfterReadHost {
  /** The panel is open and shows `session`. */
  current(session: TraceSession): boolean;
  readonly signal: AbortSignal;
  /** Reads the session's conversation's earlier turns into it; true when it found any. */
  addEarlierTurns(session: TraceSession): Promise<boolean>;
  /** Something new to show: the panel's revision moves on and it posts the table again. */
  repost(): void;
  /** Builds the session's search text in idle time; the milliseconds it took, if it finished. */
  warm(session: TraceSession): Promise<number | undefined>;
  debug(line: string): void;
}

export class AfterRead {
  /** Resolves the wait for the page to draw the whole table. */
  private wholeDrawn: (() => void) | undefined;
  /** The table the page has drawn whole, while the page lives. */
  private drawnWhole: SpanTable | undefined;

  constructor(private readonly host: AfterReadHost) {}

  /** The page drew the whole of `table`. */
  drew(table: SpanTable | undefined): void {
    this.drawnWhole = table;
    this.wholeDrawn?.();
  }

  /** The page is gone: it holds no table. */
  pageGone(): void {
    this.drawnWhole = undefined;
  }

  /** The panel closed: nothing waits for its page. */
  dispose(): void {
    this.wholeDrawn?.();
  }

  /** The history check, then the search text, for the panel's new session. */
  async follow(session: TraceSession): Promise<void> {
    await this.checkHistory(session);
    await this.warmSearch(session);
  }

  /** A trace that resends history: its conversation's earlier traces say which thought signatures
   *  their answers carried; any dropped since are warned about (posted again). The check reads
   *  every span's model call, in slices. */
  private async checkHistory(session: TraceSession): Promise<void> {
    this.wholeDrawn?.(); // an earlier load's check: its session is no longer this panel's
    if (this.drawnWhole !== session.table) {
      const drawn = timedWait(WHOLE_DRAW_WAIT_MS);
      this.wholeDrawn = drawn.end;
      await drawn.done;
    }
    // A reopened trace's session (TraceSession.of) holds the turns found before; whether it
    // resends history is remembered too.
    if (!this.host.current(session) || session.hasPriorTurns) return;
    try {
      const found = (await session.resendsHistory({ signal: this.host.signal })) && (await this.host.addEarlierTurns(session));
      if (found && this.host.current(session)) this.host.repost();
    } catch {
      /* the panel closed: nothing to add to */
    }
  }

  /** Once a finished trace is read and its history checked, its search text is built in idle
   *  time (PanelAnswers.warm). A running trace is read again at every poll, so its text is not. */
  private async warmSearch(session: TraceSession): Promise<void> {
    if (!this.host.current(session) || isRunning(session.trace)) return;
    const ms = await this.host.warm(session);
    if (ms !== undefined) this.host.debug(`search text built in ${ms} ms`);
  }
}
