// The traced runs this window started (debug sessions, terminals), newest last.
import * as vscode from 'vscode';
import type { RunRegistry, TracedRun } from '../core/services';

const MAX_RUNS = 200;

export class RunRegistryImpl implements RunRegistry, vscode.Disposable {
  private readonly runs: TracedRun[] = [];
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  get all(): readonly TracedRun[] {
    return this.runs;
  }
  get active(): readonly TracedRun[] {
    return this.runs.filter((r) => !r.endedAt);
  }
  get latest(): TracedRun | undefined {
    return this.runs[this.runs.length - 1];
  }
  add(run: TracedRun): void {
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) this.runs.splice(0, this.runs.length - MAX_RUNS);
    this.emitter.fire();
  }
  end(runId: string): void {
    const run = this.runs.find((r) => r.id === runId);
    if (run && !run.endedAt) {
      run.endedAt = new Date();
      this.emitter.fire();
    }
  }
  dispose(): void {
    this.emitter.dispose();
  }
}
