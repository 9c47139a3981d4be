// An index of recent Gemini calls by source file and line, built from the spans' recorded code
// locations. Only compact facts are kept, never whole traces, so memory stays flat.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { modelCalls } from '../diff/pairing';
import { TAG } from '../shared/runTags';
import type { Trace } from '../model/types';
import type { Services } from '../core/services';
import { errorMessage } from '../shared/errors';

export interface SiteCall {
  traceId: string;
  spanId: string;
  runId?: string;
  startNs: bigint;
  durationMs: number;
  tokens: number;
  error: boolean;
  prompt: string;
  response: string;
}

/** Traces read when the index is first needed; later ones arrive with the live poll. */
const INITIAL_TRACES = 30;
const PER_SITE = 20;

export class CallSiteIndex implements vscode.Disposable {
  private readonly files = new Map<string, Map<number, SiteCall[]>>();
  private readonly seen = new Set<string>();
  /** Traces indexed while still in progress (a background run): indexed again once they finish. */
  private readonly partial = new Set<string>();
  private loading: Promise<void> | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly services: Services) {
    this.subs = [
      // The newest of a batch (oldest first): a first poll may report a busy experiment's last minutes.
      services.onDidSeeNewTraces((summaries) => void this.addTraces(summaries.slice(-INITIAL_TRACES).map((s) => s.id)).then(() => this.catchUp())),
      services.connection.onDidChange(() => this.clear()),
    ];
  }

  /** Calls recorded at `file` (absolute path), by 1-based line. Starts loading on first use. */
  callsIn(file: string): Map<number, SiteCall[]> | undefined {
    this.loading ??= this.loadRecent();
    return this.files.get(normalize(file));
  }

  clear(): void {
    this.files.clear();
    this.seen.clear();
    this.partial.clear();
    this.loading = undefined;
    this.emitter.fire();
  }

  /** The live poll saw news: once hints are in use, read the newest traces again too. The poll
   *  reports only traces it had not seen before, and some it saw first (a new experiment's first
   *  traces, a run's list the Traces view loaded while the app ran) are never reported as new. */
  private catchUp(): void {
    if (!this.loading || this.catchingUp) return;
    this.catchingUp = this.loading.then(() => this.loadRecent()).finally(() => (this.catchingUp = undefined));
  }

  private catchingUp: Promise<void> | undefined;

  private async loadRecent(): Promise<void> {
    try {
      const c = this.services.connection;
      let experimentId = c.experimentId;
      if (!experimentId) experimentId = (await c.client().getExperimentByName(c.experimentName ?? 'Default'))?.experiment_id;
      if (!experimentId) return;
      const { traces } = await c.client().searchTraces({ experimentIds: [experimentId], orderBy: ['timestamp_ms DESC'], maxResults: INITIAL_TRACES });
      await this.addTraces(traces.map((t) => t.trace_id));
    } catch (e) {
      this.services.log.debug(`call-site hints: could not load recent traces: ${errorMessage(e)}`);
      this.loading = undefined; // try again next time a file asks
    }
  }

  private async addTraces(ids: string[]): Promise<void> {
    let changed = false;
    for (const id of ids) {
      const again = this.partial.has(id);
      if (this.seen.has(id) && !again) continue;
      this.seen.add(id);
      const trace = await this.services.traces.get(id, { force: again }).catch(() => undefined);
      if (!trace) continue;
      if (again) {
        this.forget(id);
        changed = true;
      }
      if (trace.summary.state === 'IN_PROGRESS') this.partial.add(id);
      else this.partial.delete(id);
      if (this.index(trace)) changed = true;
    }
    if (changed) this.emitter.fire();
  }

  private forget(traceId: string): void {
    for (const lines of this.files.values()) {
      for (const [line, calls] of lines) {
        const kept = calls.filter((c) => c.traceId !== traceId);
        if (kept.length) lines.set(line, kept);
        else lines.delete(line);
      }
    }
  }

  private index(trace: Trace): boolean {
    let added = false;
    const runId = trace.summary.tags[TAG.runId];
    for (const { span, call } of modelCalls(trace)) {
      if (!span.code) continue;
      const file = normalize(resolveInWorkspace(span.code.filepath));
      const lines = this.files.get(file) ?? this.files.set(file, new Map()).get(file)!;
      const calls = lines.get(span.code.lineno) ?? [];
      calls.push({
        traceId: trace.summary.id,
        spanId: span.id,
        runId,
        startNs: span.startNs,
        durationMs: span.endNs === null ? 0 : Number(span.endNs - span.startNs) / 1e6,
        tokens: (call.usage ?? span.usage)?.total ?? 0,
        error: span.status === 'ERROR',
        prompt: call.promptText,
        response: call.responseText,
      });
      calls.sort((a, b) => (a.startNs > b.startNs ? -1 : a.startNs < b.startNs ? 1 : 0));
      lines.set(span.code.lineno, calls.slice(0, PER_SITE));
      added = true;
    }
    return added;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}

function resolveInWorkspace(p: string): string {
  if (path.isAbsolute(p)) return p;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, p) : p;
}

function normalize(p: string): string {
  const n = path.normalize(p);
  return process.platform === 'win32' ? n.toLowerCase() : n;
}
