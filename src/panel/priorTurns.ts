// The turns before a trace in its conversation, from earlier traces: a request that resends the
// model's earlier answers may have dropped a thought signature one of them carried, and only those
// earlier traces can tell. The conversation is the trace's session (model/sessions.ts), else its
// traced run; the 20 traces before it are read (from the trace cache where it has them).
import { andFilters, runClause, sessionClause } from '../explorer/filter';
import type { Turn } from '../model/call/signatures';
import { spanCalls } from '../model/adapters/spanCalls';
import { TAG } from '../shared/runTags';
import { sessionOf } from '../model/sessions';
import type { Trace } from '../model/types';
import type { MlflowApi } from '../mlflow/api';
import type { Services } from '../core/services';
import type { TraceSession } from './session';
import { errorMessage } from '../shared/errors';

const LOOK_BACK = 20;

export async function priorTurns(trace: Trace, api: MlflowApi, get: (traceId: string) => Promise<Trace>, signal?: AbortSignal): Promise<Turn[]> {
  const s = trace.summary;
  if (!s.experimentId) return [];
  const session = sessionOf(s);
  const run = s.tags[TAG.runId];
  const scope = session ? andFilters(sessionClause(session), session.kind !== 'session' && run ? runClause(run, TAG.runId) : undefined) : run ? runClause(run, TAG.runId) : undefined;
  if (!scope) return [];
  const filter = andFilters(scope, `trace.timestamp_ms <= ${Math.floor(s.requestTimeMs)}`);
  const r = await api.searchTraces({ experimentIds: [s.experimentId], filter, orderBy: ['timestamp_ms DESC'], maxResults: LOOK_BACK + 1 }, { signal });
  const earlier = r.traces.filter((t) => t.trace_id !== s.id).slice(0, LOOK_BACK).reverse();
  const turns: Turn[] = [];
  for (const info of earlier) {
    if (signal?.aborted) return [];
    const t = await get(info.trace_id);
    for (const c of spanCalls(t)) turns.push({ label: `${c.span.name} in trace ${t.summary.id.slice(0, 11)}…`, call: c.call });
  }
  return turns;
}

/** Gives `session` the turns before its trace; true when there were some. Failures are logged, never thrown. */
export async function addEarlierTurns(session: TraceSession, services: Services, signal?: AbortSignal): Promise<boolean> {
  try {
    const turns = await priorTurns(session.trace, services.connection.client(), (id) => services.traces.get(id), signal);
    if (!turns.length) return false;
    session.setPriorTurns(turns);
    return true;
  } catch (e) {
    services.log.debug(`trace panel: reading the turns before ${session.trace.summary.id} failed: ${errorMessage(e)}`);
    return false;
  }
}
