// Trace references: what commands that act on a trace or span accept, and the one parser that
// turns what a command receives (a TraceRef, a tree node, a typed id, a pasted link) into one.

/** What commands that act on a trace or span accept. Tree nodes carry these fields too. */
export interface TraceRef {
  traceId: string;
  spanId?: string;
  experimentId?: string;
}

const TRACE_ID = /\btr-[0-9a-f]{32}\b/i;

/** A TraceRef from what a command received: a TraceRef, a tree node (its fields may be getters),
 *  an object holding one as `ref`, or an id. Only the three fields are kept, and only when set. */
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
    ...(typeof spanId === 'string' && spanId ? { spanId } : {}),
    ...(typeof experimentId === 'string' && experimentId ? { experimentId } : {}),
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
