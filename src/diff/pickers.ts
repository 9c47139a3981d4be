// Quick picks that choose what to compare: a recent trace, a model call inside a trace, and the
// default second side — the same call site's previous call.
import * as vscode from 'vscode';
import { summarizeTraceInfo } from '../model/summary';
import type { Services } from '../core/services';
import type { TraceRef } from '../shared/traceRef';
import { modelCalls } from './pairing';

const RECENT = 50;
/** How many older traces "previous call at this site" looks through before giving up. */
const LOOKBACK = 30;

async function experimentIdOf(services: Services, ref?: TraceRef): Promise<string> {
  if (ref?.experimentId) return ref.experimentId;
  if (ref) {
    const t = await services.traces.get(ref.traceId);
    if (t.summary.experimentId) return t.summary.experimentId;
  }
  const c = services.connection;
  if (c.experimentId) return c.experimentId;
  const name = c.experimentName ?? 'Default';
  const exp = await c.client().getExperimentByName(name);
  if (!exp) throw new Error(`Experiment "${name}" does not exist on ${c.trackingUri}. Set geminiTrace.experiment to one that does.`);
  return exp.experiment_id;
}

export async function pickRecentTrace(services: Services, opts: { near?: TraceRef; exclude?: string; title: string }): Promise<TraceRef | undefined> {
  const experimentId = await experimentIdOf(services, opts.near);
  const { traces } = await services.connection.client().searchTraces({ experimentIds: [experimentId], orderBy: ['timestamp_ms DESC'], maxResults: RECENT });
  const items = traces
    .filter((t) => t.trace_id !== opts.exclude)
    .map((info) => {
      const s = summarizeTraceInfo(info);
      return {
        label: `${s.state === 'ERROR' ? '$(error)' : '$(pulse)'} ${s.name ?? s.id}`,
        description: new Date(s.requestTimeMs).toLocaleString(),
        detail: (s.requestPreview ?? '').slice(0, 120),
        ref: { traceId: s.id, experimentId } as TraceRef,
      };
    });
  if (!items.length) throw new Error('No other traces in this experiment to compare with.');
  return (await vscode.window.showQuickPick(items, { title: opts.title, matchOnDetail: true, matchOnDescription: true }))?.ref;
}

/** A model call inside a trace; undefined when the user dismissed the pick. */
export async function pickModelCall(services: Services, traceId: string, title: string): Promise<TraceRef | undefined> {
  const trace = await services.traces.get(traceId);
  const calls = modelCalls(trace);
  if (!calls.length) throw new Error(`Trace ${traceId} holds no Gemini model call.`);
  if (calls.length === 1) return { traceId, spanId: calls[0].span.id };
  const items = calls.map((c) => ({ label: c.span.name, description: c.site?.replace(/^.*[\\/]/, ''), detail: c.call.promptText.slice(0, 120), spanId: c.span.id }));
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDetail: true });
  return picked && { traceId, spanId: picked.spanId };
}

/** The latest earlier call made at the same code location as `ref`'s span, searching older traces. */
export async function previousAtSameSite(services: Services, ref: TraceRef): Promise<TraceRef | undefined> {
  const trace = await services.traces.get(ref.traceId);
  const span = ref.spanId ? trace.byId.get(ref.spanId) : undefined;
  if (!span?.code) return undefined;
  const site = `${span.code.filepath}:${span.code.lineno}`;
  // An earlier call in the same trace (a loop) counts first.
  const same = modelCalls(trace).filter((c) => c.site === site && c.span.startNs < span.startNs).pop();
  if (same) return { traceId: ref.traceId, spanId: same.span.id };
  const experimentId = await experimentIdOf(services, ref);
  const { traces } = await services.connection.client().searchTraces({
    experimentIds: [experimentId],
    filter: `trace.timestamp_ms < ${trace.summary.requestTimeMs}`,
    orderBy: ['timestamp_ms DESC'],
    maxResults: LOOKBACK,
  });
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Looking for the previous call at ${site.replace(/^.*[\\/]/, '')}`, cancellable: true },
    async (_p, token) => {
      for (const info of traces) {
        if (token.isCancellationRequested) return undefined;
        const older = await services.traces.get(info.trace_id).catch(() => undefined);
        const hit = older && modelCalls(older).filter((c) => c.site === site).pop();
        if (hit) return { traceId: info.trace_id, spanId: hit.span.id, experimentId };
      }
      return undefined;
    },
  );
}
