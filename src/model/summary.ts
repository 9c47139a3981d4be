// Placeholder (signature only) until the trace-model helper writes the real summary.
import type { TraceInfo } from '../mlflow/types';
import type { TraceSummary } from './types';

export function summarizeTraceInfo(info: TraceInfo): TraceSummary {
  return { id: info.trace_id, state: 'UNKNOWN', requestTimeMs: 0, durationMs: null, tags: {}, metadata: {}, models: [] };
}
