// The seams between feature modules. extension.ts builds one Services and hands it to each
// module's register function; modules talk through these interfaces and VS Code commands only.
import type * as vscode from 'vscode';
import type { MlflowApi } from '../mlflow/api';
import type { Assessment } from '../model/assessments';
import type { Trace, TraceSummary } from '../model/types';
import type { SpanReader } from '../model/earlySpans';

export type ConnectionState = 'connecting' | 'up' | 'down' | 'unauthorized';

export interface Connection {
  /** Resolved: setting if the user set it, else MLFLOW_TRACKING_URI, else the default. */
  readonly trackingUri: string;
  /** Resolved: setting, else MLFLOW_EXPERIMENT_NAME, else undefined (meaning Default). */
  readonly experimentName: string | undefined;
  /** MLFLOW_EXPERIMENT_ID from the environment, when the name is not set. */
  readonly experimentId: string | undefined;
  readonly state: ConnectionState;
  /** Last error message while not 'up', for the UI. */
  readonly lastError: string | undefined;
  /** Fires when the URI, experiment, credentials or state change. */
  readonly onDidChange: vscode.Event<void>;
  /** A client for the current URI and credentials. */
  client(): MlflowApi;
  /** Report the outcome of a request so the state (and welcome views) follow reality. */
  report(ok: boolean, error?: unknown): void;
  /** Env vars a traced process needs to write to this server: URI and auth. Never logged. */
  injectionEnv(): Promise<Record<string, string>>;
}

export interface TracedRun {
  /** Unique per launch; written as the trace tag gemini_trace.run_id. */
  id: string;
  name: string;
  startedAt: Date;
  kind: 'debug' | 'terminal' | 'cli';
  debugSessionId?: string;
  experimentName?: string;
  endedAt?: Date;
}

export interface RunRegistry {
  readonly all: readonly TracedRun[];
  /** Runs that have not ended. */
  readonly active: readonly TracedRun[];
  /** The newest run, active or not. */
  readonly latest: TracedRun | undefined;
  add(run: TracedRun): void;
  end(runId: string): void;
  readonly onDidChange: vscode.Event<void>;
}

export interface TraceGetOptions {
  force?: boolean;
  signal?: AbortSignal;
  /** How reading a large trace is going, when this call starts the read. */
  onProgress?: (message: string) => void;
  /** When this call starts the read of a trace of more than `fromSpans` spans: its first `rows`
   *  spans in tree order, read as a trace of their own (`total`: the spans in the whole list) as
   *  soon as the body is in. The rest is read once what `show` returns has settled (the caller
   *  gets its preview on screen before the host is busy again). */
  preview?: {
    rows: number;
    fromSpans: number;
    show: (top: Trace, total: number) => Promise<void> | void;
    /** Then the whole raw list, for a caller that draws the whole table from it before the trace
     *  is read (panel/directTable.ts); the read waits for what it returns to settle. `reader`
     *  reads one span of it as normalising will, which then takes the span as read. */
    whole?: (info: unknown, spans: unknown[], reader: SpanReader) => Promise<void> | void;
    /** Work of the caller's on the trace that the read lets go first (SliceOptions.yieldTo). */
    yieldTo?: () => Promise<unknown> | undefined;
  };
}

export interface TraceStore {
  /** Full trace (with spans), cached until invalidated. Rejects with MlflowError or Error. */
  get(traceId: string, opts?: TraceGetOptions): Promise<Trace>;
  invalidate(traceId?: string): void;
}

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly connection: Connection;
  readonly runs: RunRegistry;
  readonly traces: TraceStore;
  /** The file traced processes rewrite after each upload MLflow accepted (ENV.signal); the live
   *  poll reads it to know when to ask MLflow. Undefined when no storage folder is available. */
  readonly activitySignal: string | undefined;
  /** Fired by the explorer's live poll with traces it had not seen (new ones, and those an
   *  experiment's first poll found), and with traces it had seen in progress that have since
   *  finished (a background run): CodeLens listens. */
  readonly onDidSeeNewTraces: vscode.Event<TraceSummary[]>;
  fireNewTraces(traces: TraceSummary[]): void;
  /** Fired when a trace's assessments changed here (feedback added): the panel and the tree redraw. */
  readonly onDidChangeAssessments: vscode.Event<{ traceId: string; assessments: Assessment[] }>;
  fireAssessments(traceId: string, assessments: Assessment[]): void;
}
