// Decides, tick by tick, whether the live poll asks MLflow at all. Every request that touches
// MLflow's database costs its server a few ms, whatever it asks (measured in bench/live-poll.mjs),
// so an idle view that asked every second would cost that every second, for nothing.
//
// Processes this window traces rewrite a signal file after each upload MLflow accepted (ENV.signal,
// written by src/inject). Reading that file is the idle tick: when its text changed, MLflow has
// something new and the poll asks at once, then keeps asking every tick for a while (a trace's
// spans and tags land in separate requests). Writers this window did not start (another machine,
// a script posting by hand) send no signal: a slower safety-net poll finds their traces.
// Pure Node (no vscode): the benchmark drives it directly.
import { readFile } from 'node:fs/promises';

export interface ActivityOptions {
  /** The safety net: the longest gap between two requests to MLflow while the view watches. */
  idleMs: number;
  /** How long after a signal every tick asks MLflow. */
  hotMs: number;
}

export type PollReason = 'first' | 'signal' | 'hot' | 'pending' | 'unsignalled-run' | 'idle' | 'probe';

export class ActivityGate {
  private mark: string | undefined;
  private lastAsked = Number.NEGATIVE_INFINITY;
  private hotUntil = 0;
  /** A signal arrived in this session: the processes we start can reach the file. */
  private signalWorks = false;
  private forced = true;

  constructor(
    readonly file: string | undefined,
    private readonly opts: () => ActivityOptions,
  ) {}

  /** The next tick asks MLflow whatever the signal says (new server, view shown, refresh). */
  force(): void {
    this.forced = true;
  }

  /**
   * Why this tick should ask MLflow, or undefined to skip it.
   * @param state what the caller knows: traces still in progress (their end sends no signal when
   *   another process wrote them), traced runs active now, the last poll failed (it is the probe).
   */
  async reason(state: { pending: boolean; activeRuns: number; failing: boolean }, now = Date.now()): Promise<PollReason | undefined> {
    const changed = await this.readChanged();
    if (changed) {
      this.signalWorks = true;
      this.hotUntil = now + this.opts().hotMs;
    }
    if (this.forced) return 'first';
    if (state.failing) return 'probe';
    if (changed) return 'signal';
    if (now < this.hotUntil) return 'hot';
    if (state.pending) return 'pending';
    // Runs we started, but no signal yet this session: its file may be out of their reach (a
    // container, a remote), so they are polled every tick rather than risk missing their traces.
    if (state.activeRuns > 0 && !this.signalWorks) return 'unsignalled-run';
    if (now - this.lastAsked >= this.opts().idleMs) return 'idle';
    return undefined;
  }

  /** Every tick asks MLflow for hotMs from now: a traced run just started or ended. A process's
   *  last traces may go up after it ended, from its exit sender, which sends no signal. */
  heat(now = Date.now()): void {
    this.hotUntil = Math.max(this.hotUntil, now + this.opts().hotMs);
  }

  /** MLflow was asked (successfully or not) at `now`. */
  asked(now = Date.now()): void {
    this.lastAsked = now;
    this.forced = false;
  }

  /** Whether the signal file's text differs from the last read. A missing file reads as empty. */
  private async readChanged(): Promise<boolean> {
    if (!this.file) return false;
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      // Not written yet, or unreadable: no signal (the safety net still polls).
    }
    const first = this.mark === undefined;
    const changed = !first && text !== this.mark;
    this.mark = text;
    return changed;
  }
}
