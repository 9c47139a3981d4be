// Ties a traced debug session to its TracedRun: the resolver mints the run and stores its id in
// the config (`__geminiTraceRunId`); the run enters the registry when a session with that config
// starts (so a launch that a later resolver cancelled leaves no phantom run) and ends when that
// same session terminates. Child sessions (js-debug attaches one per process) never match, since
// they are matched by the session id of the session that carried the config.
import * as vscode from 'vscode';
import type { RunRegistry, TracedRun } from '../core/services';

export const RUN_ID_KEY = '__geminiTraceRunId';
// A resolved config whose session never starts is forgotten after this long.
const PENDING_TTL_MS = 10 * 60_000;

export class DebugRunTracker implements vscode.Disposable {
  private readonly pending = new Map<string, { run: TracedRun; at: number }>();
  private readonly bySession = new Map<string, string>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly runs: RunRegistry) {
    this.subscriptions = [
      vscode.debug.onDidStartDebugSession((s) => this.started(s)),
      vscode.debug.onDidTerminateDebugSession((s) => this.terminated(s)),
    ];
  }

  /** Called by the resolver once the config carries RUN_ID_KEY = run.id. */
  expect(run: TracedRun): void {
    const now = Date.now();
    for (const [id, p] of this.pending) if (now - p.at > PENDING_TTL_MS) this.pending.delete(id);
    this.pending.set(run.id, { run, at: now });
  }

  private started(session: vscode.DebugSession): void {
    const runId = session.configuration[RUN_ID_KEY];
    if (typeof runId !== 'string') return;
    const p = this.pending.get(runId);
    if (!p) return;
    this.pending.delete(runId);
    p.run.debugSessionId = session.id;
    this.bySession.set(session.id, runId);
    this.runs.add(p.run);
  }

  private terminated(session: vscode.DebugSession): void {
    const runId = this.bySession.get(session.id);
    if (!runId) return;
    this.bySession.delete(session.id);
    this.runs.end(runId);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
