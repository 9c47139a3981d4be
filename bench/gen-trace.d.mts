// Types for gen-trace.mjs, so TypeScript tests import it with checking.

/** Hostile strings the generator puts in names and values when `hostile` is set. */
export const XSS: string[];

export interface GenerateOptions {
  spans?: number;
  encoding?: 'python' | 'typescript' | 'otel';
  seed?: number;
  inProgress?: boolean;
  hostile?: boolean;
  hugeBytes?: number;
  startMs?: number;
  filepath?: string;
}

/** A synthetic trace as MLflow serves it: its TraceInfoV3 and its spans' JSON text. */
export interface GeneratedTrace {
  info: {
    trace_id: string;
    trace_location: { type: string; mlflow_experiment: { experiment_id: string } };
    request_time: string;
    execution_duration: string | undefined;
    state: 'IN_PROGRESS' | 'OK';
    trace_metadata: Record<string, string>;
    tags: Record<string, string>;
  };
  spansJson: string;
}

export function generateTrace(opts?: GenerateOptions): GeneratedTrace;
