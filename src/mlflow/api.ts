// The MLflow REST client's surface, as every part of the extension consumes it.
// Every method rejects only with MlflowError (see errors.ts).
import type { Experiment, FullTrace, TraceInfo } from './types';

export type AuthConfig =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  /** Databricks workspace: host like https://adb-123.azuredatabricks.net and a PAT. */
  | { kind: 'databricks'; host: string; token: string };

export interface ClientOptions {
  /** http(s)://host[:port][/prefix] or "databricks" (then auth must be databricks). */
  trackingUri: string;
  auth?: AuthConfig;
  /** Default per-request timeout. */
  timeoutMs?: number;
  /** Request log at debug level; must never receive credentials. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface TraceReadOptions extends RequestOptions {
  /** Takes each raw span of a large trace as soon as it has downloaded (in order, with its index
   *  in the span list), and reads some of them whenever the download waits for more: spans are
   *  read while the rest arrive. Not every span comes this way (a small body is parsed whole), and
   *  a route that fails may have handed over some (the next starts again at index 0). */
  spans?: { add(raw: unknown, index: number): void; readSome(ms: number): boolean };
}

export interface SearchTracesParams {
  experimentIds: string[];
  /** MLflow search syntax, e.g. "trace.status = 'ERROR'". */
  filter?: string;
  /** e.g. ["timestamp_ms DESC"]. */
  orderBy?: string[];
  /** 1..500. */
  maxResults?: number;
  pageToken?: string;
}

/** Feedback (a judgement: thumbs, score, label) or an expectation (the right answer). */
export interface NewAssessment {
  kind: 'feedback' | 'expectation';
  name: string;
  value: unknown;
  rationale?: string;
  /** HUMAN unless said otherwise. */
  sourceType?: 'HUMAN' | 'LLM_JUDGE' | 'CODE';
  sourceId?: string;
  /** 16 hex digits: the assessment is about this span. */
  spanId?: string;
}

export interface MlflowApi {
  /** Base URL requests go to (Databricks host for "databricks"). */
  readonly baseUrl: string;
  health(o?: RequestOptions): Promise<void>;
  searchExperiments(
    p: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; viewType?: 'ACTIVE_ONLY' | 'ALL' },
    o?: RequestOptions,
  ): Promise<{ experiments: Experiment[]; nextPageToken?: string }>;
  /** undefined when no experiment has that name. */
  getExperimentByName(name: string, o?: RequestOptions): Promise<Experiment | undefined>;
  /** Returns the new experiment id. */
  createExperiment(name: string, o?: RequestOptions): Promise<string>;
  searchTraces(p: SearchTracesParams, o?: RequestOptions): Promise<{ traces: TraceInfo[]; nextPageToken?: string }>;
  /** Info only (tags, metadata, previews). */
  getTraceInfo(traceId: string, o?: RequestOptions): Promise<TraceInfo>;
  /** Info and raw spans, from the tracking store or the artifact store, whichever holds them. */
  getTrace(traceId: string, o?: TraceReadOptions): Promise<FullTrace>;
  /** Returns the number deleted. */
  deleteTraces(experimentId: string, traceIds: string[], o?: RequestOptions): Promise<number>;
  setTraceTag(traceId: string, key: string, value: string, o?: RequestOptions): Promise<void>;
  deleteTraceTag(traceId: string, key: string, o?: RequestOptions): Promise<void>;
  /** Writes OTLP/JSON spans into an experiment (MLflow's /v1/traces). */
  logSpans(experimentId: string, otlpJson: unknown, o?: RequestOptions): Promise<void>;
  /** Adds feedback or an expectation; returns it as stored (TraceInfo.assessments' shape). */
  createAssessment(traceId: string, a: NewAssessment, o?: RequestOptions): Promise<unknown>;
  /** The bytes of one trace attachment (an `mlflow-attachment://<id>` reference's id). */
  getTraceAttachment(traceId: string, attachmentId: string, o?: RequestOptions): Promise<Buffer>;
  /** The MLflow UI page of a trace. */
  traceUiUrl(experimentId: string, traceId: string): string;
}
