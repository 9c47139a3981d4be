// Types for otlp.mjs, so TypeScript tests import it with checking.

/** One trace to post: a root CHAIN span and one LLM child with usage, model and previews. */
export interface TraceSeed {
  startMs: number;
  durationMs?: number;
  runId?: string;
  runName?: string;
  runStarted?: string;
  prompt?: string;
  reply?: string;
  model?: string;
  error?: boolean;
  name?: string;
  tokens?: [number, number];
}

export function traceSpans(t: TraceSeed): { traceId: string; spans: unknown[] };

/** Posts traces in batches over OTLP; the OTel trace ids (32 hex) in input order. */
export function postTraces(baseUrl: string, experimentId: string, traces: TraceSeed[], opts?: { batch?: number }): Promise<string[]>;

/** Creates an experiment and returns its id. */
export function createExperiment(baseUrl: string, name: string): Promise<string>;
