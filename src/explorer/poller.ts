// When to poll: while a traced run is active or the Traces view is visible, a tick every
// geminiTrace.explorer.pollInterval ms; never otherwise. A tick asks MLflow only when the
// activity gate says so (a signal from a traced process, traces in progress, or the
// idlePollInterval safety net); otherwise it costs one read of a small local file. While the
// server is unreachable the interval backs off exponentially (the poll doubles as the probe).
import * as vscode from 'vscode';
import { affectsSetting, setting } from '../contributions/settings';
import type { Services } from '../core/services';
import { ActivityGate } from './activity';
import type { TraceTreeProvider } from './treeProvider';
import { errorMessage } from '../shared/errors';

/** A restarted local server is noticed within seconds, a dead remote one costs one small request per 10 s. */
const MAX_BACKOFF_MS = 10_000;
const MIN_INTERVAL_MS = 250;
/** After a signal, every tick asks MLflow this long: a trace's spans and tags arrive in turns. */
const HOT_MS = 10_000;

export class LivePoller implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private running: AbortController | undefined;
  private failures = 0;
  private disposed = false;
  private readonly subs: vscode.Disposable[] = [];
  /** Requests to MLflow, rows, failures, and ticks that only read the signal file: for tests. */
  readonly stats = { polls: 0, rows: 0, failures: 0, skipped: 0 };
  readonly gate: ActivityGate;

  constructor(
    private readonly services: Services,
    private readonly provider: TraceTreeProvider,
    private readonly view: vscode.TreeView<unknown>,
    private readonly onNew: (count: number) => void,
  ) {
    this.gate = new ActivityGate(services.activitySignal, () => ({
      idleMs: Math.max(this.interval(), setting('explorer.idlePollInterval')),
      hotMs: HOT_MS,
    }));
    this.subs.push(
      view.onDidChangeVisibility(() => this.kick(true)),
      services.runs.onDidChange(() => {
        this.gate.heat();
        this.kick(true);
      }),
      services.connection.onDidChange(() => {
        // A new server or credentials: try at once rather than after a long back-off.
        if (services.connection.state === 'connecting') this.failures = 0;
        this.kick(true);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => affectsSetting(e, 'explorer') && this.kick(true)),
    );
    this.kick();
  }

  get active(): boolean {
    return !!this.timer || !!this.running;
  }

  private wanted(): boolean {
    return !this.disposed && (this.view.visible || this.services.runs.active.length > 0) && this.services.connection.state !== 'unauthorized';
  }

  private interval(): number {
    const base = Math.max(MIN_INTERVAL_MS, setting('explorer.pollInterval'));
    return this.failures ? Math.min(MAX_BACKOFF_MS, base * 2 ** this.failures) : base;
  }

  /** Re-evaluate: start right away if wanted and idle, stop if not wanted. `ask`: that tick asks
   *  MLflow whatever the activity signal says (the view was shown, a run started, a new server). */
  kick(ask = false): void {
    if (ask) this.gate.force();
    if (!this.wanted()) {
      this.stop();
      return;
    }
    if (this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running?.abort();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.wanted()) return;
    const ac = new AbortController();
    this.running = ac;
    try {
      const reason = await this.gate.reason({ pending: this.provider.livePending, activeRuns: this.services.runs.active.length, failing: this.failures > 0 });
      if (ac.signal.aborted) return;
      if (!reason) {
        this.stats.skipped += 1;
        return;
      }
      this.gate.asked();
      const r = await this.provider.pollOnce(ac.signal, reason === 'signal' || reason === 'first');
      this.stats.polls += 1;
      this.stats.rows += r.rows;
      this.services.connection.report(true);
      if (this.failures) this.services.log.info('explorer: MLflow answers again; live updates resumed');
      this.failures = 0;
      if (r.added.length) {
        this.services.log.debug(`explorer: ${r.added.length} new trace(s)`);
        this.onNew(r.added.length);
      }
      // Finished runs too: their later spans (a background run's last polls) are new to listeners.
      // And a new experiment's first traces, which its first poll takes as already there.
      if (r.added.length || r.updated.length || r.baseline.length) this.services.fireNewTraces([...r.added, ...r.updated, ...r.baseline]);
    } catch (e) {
      if (ac.signal.aborted) return;
      this.stats.failures += 1;
      this.services.connection.report(false, e);
      this.failures = Math.min(this.failures + 1, 10);
      if (this.failures === 1) this.services.log.warn(`explorer: live poll failed, backing off: ${errorMessage(e)}`);
    } finally {
      if (this.running === ac) this.running = undefined;
      if (this.wanted() && !this.timer) this.timer = setTimeout(() => void this.tick(), this.interval());
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    for (const s of this.subs) s.dispose();
  }
}
