// Turning what a command receives (a TraceRef, a tree node, a typed id, a pasted link) into a
// TraceRef. Shared by the panel and jump-to-code commands.
import type { TraceRef } from '../services';

const TRACE_ID = /\btr-[0-9a-f]{32}\b/i;

/** A TraceRef from what a command received: a TraceRef, a tree node carrying one, or an id. */
export function toTraceRef(arg: unknown): TraceRef | undefined {
  if (typeof arg === 'string') return arg.trim() ? { traceId: arg.trim() } : undefined;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const o = arg as Record<string, unknown>;
  const inner = typeof o.ref === 'object' && o.ref !== null ? (o.ref as Record<string, unknown>) : o;
  const traceId = inner.traceId ?? o.traceId;
  if (typeof traceId !== 'string' || !traceId) return undefined;
  const spanId = inner.spanId ?? o.spanId;
  const experimentId = inner.experimentId ?? o.experimentId;
  return {
    traceId,
    spanId: typeof spanId === 'string' && spanId ? spanId : undefined,
    experimentId: typeof experimentId === 'string' && experimentId ? experimentId : undefined,
  };
}

/** Accepts a bare id, `tr-…`, or any text holding one (an MLflow UI link, a log line). */
export function parseTraceIdInput(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const m = TRACE_ID.exec(t);
  if (m) return m[0].toLowerCase();
  if (/^[0-9a-f]{32}$/i.test(t)) return `tr-${t.toLowerCase()}`;
  // Other servers (Databricks, older MLflow) use other id shapes: pass them through unchanged.
  return /^[\w.:-]+$/.test(t) ? t : undefined;
}
