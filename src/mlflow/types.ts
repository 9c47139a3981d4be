// Wire types of the MLflow REST API, snake_case as the server sends them. Only the fields the
// product reads are typed; everything else passes through untouched.

/** int64 values (nanosecond times) arrive as JSON numbers above 2^53; the client's JSON parser
 *  keeps them as decimal strings so no precision is lost. */
export type Int64 = string | number;

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: 'active' | 'deleted';
  last_update_time?: Int64;
  creation_time?: Int64;
  tags?: { key: string; value: string }[];
}

export interface TraceLocation {
  type: 'MLFLOW_EXPERIMENT' | string;
  mlflow_experiment?: { experiment_id: string };
}

export type TraceState = 'OK' | 'ERROR' | 'IN_PROGRESS' | 'STATE_UNSPECIFIED';

/** TraceInfoV3 as returned by `traces/search` and `traces/get`. */
export interface TraceInfo {
  trace_id: string;
  client_request_id?: string;
  trace_location?: TraceLocation;
  request_preview?: string;
  response_preview?: string;
  /** RFC 3339 timestamp, e.g. "2026-11-21T05:42:23.123Z". */
  request_time?: string;
  /** Protobuf duration, e.g. "1.234s". */
  execution_duration?: string;
  state?: TraceState;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
  assessments?: unknown[];
}

export interface SearchTracesResponse {
  traces?: TraceInfo[];
  next_page_token?: string;
}

/** Raw spans as the server or artifact store returns them; the model normalises all encodings. */
export interface TraceData {
  spans: unknown[];
}

export interface FullTrace {
  info: TraceInfo;
  data: TraceData;
  /** Where the spans were read from, for diagnostics. */
  source: 'tracking-store' | 'artifact';
}
