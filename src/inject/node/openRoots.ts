// Traces whose root span stays open while their children are exported: a background run, a Live
// session. MLflow takes a trace's name and tags only from its root span (OTLP ingest), so until the
// root lands the trace would be listed nameless. Once MLflow has accepted a span of such a trace,
// the exporter sets its name and the trace tags known so far over REST, once per trace; the root
// sets the same values again when it arrives.

/** Trace id (hex) → the tags the trace's root carries so far (mlflow.traceName among them). */
const open = new Map<string, () => Record<string, string>>();
/** Traces already named: each is named once. Cleared with its root. */
const named = new Set<string>();

export function rootOpened(traceId: string, tags: () => Record<string, string>): void {
  open.set(traceId, tags);
}

export function rootEnded(traceId: string): void {
  open.delete(traceId);
  named.delete(traceId);
}

/** The open traces among `traceIds` not named yet, with their tags; marked named. */
export function takeUnnamed(traceIds: Iterable<string>): [string, Record<string, string>][] {
  const out: [string, Record<string, string>][] = [];
  for (const id of new Set(traceIds)) {
    const tags = open.get(id);
    if (!tags || named.has(id)) continue;
    named.add(id);
    try {
      out.push([id, tags()]);
    } catch {
      /* tracing only */
    }
  }
  return out;
}
