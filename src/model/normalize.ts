// Placeholder: the foundation issue's normaliser replaces this file.
import type { Trace, TraceError } from './types';

export function normalizeTrace(_input: { info: unknown; spans: unknown }): Trace | TraceError {
  return { error: 'normaliser not implemented yet' };
}

export function isTraceError(t: Trace | TraceError): t is TraceError {
  return 'error' in t;
}
