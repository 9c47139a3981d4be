// "Reveal span": from an editor line to the latest spans that line made. MLflow can filter traces
// by span attribute, but only with LIKE over each span's stored JSON, so the server narrows the
// search and every hit is then checked here against the real file and line.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import { isMlflowError } from '../mlflow/errors';
import type { TraceInfo } from '../mlflow/types';
import { TAG } from '../shared/runTags';
import type { Span, Trace } from '../model/types';
import type { Services } from '../core/services';
import { formatLatency } from '../shared/format';
import type { TraceRef } from '../shared/traceRef';
import { pathMatches } from './locate';
import { errorMessage } from '../shared/errors';

const MAX_TRACES = 30;
const MAX_HITS = 25;
/** A multi-line call may record its first line or the line of the call expression. */
const NEAR_LINES = 2;

export interface SpanAtLine {
  ref: TraceRef;
  span: Span;
  trace: Trace;
  distance: number;
}

export function registerRevealSpan(services: Services): void {
  services.context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND.revealSpan, async (arg?: { uri?: vscode.Uri | string; line?: number; pick?: boolean }) => {
      const editor = vscode.window.activeTextEditor;
      const uri = arg?.uri ? (typeof arg.uri === 'string' ? vscode.Uri.parse(arg.uri) : arg.uri) : editor?.document.uri;
      const line = arg?.line ?? (editor ? editor.selection.active.line + 1 : undefined);
      if (!uri || !line) {
        void vscode.window.showInformationMessage('Gemini Trace: put the cursor on a line that calls Gemini, then run "Reveal Spans Made at This Line".');
        return [];
      }
      let hits: SpanAtLine[];
      try {
        hits = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Gemini Trace: looking for spans made at ${path.basename(uri.fsPath)}:${line}…`, cancellable: true },
          (_p, token) => findSpansAtLine(services, uri, line, token),
        );
      } catch (e) {
        const message = errorMessage(e);
        void vscode.window.showErrorMessage(`Gemini Trace: could not search traces: ${message}`);
        return [];
      }
      const refs = hits.map((h) => ({ ...h.ref, name: h.span.name }));
      if (arg?.pick === false) return refs;
      if (!hits.length) {
        void vscode.window.showInformationMessage(
          `No span was recorded at ${vscode.workspace.asRelativePath(uri)}:${line} in the latest ${MAX_TRACES} traces. Spans carry their call site when the app runs with Gemini tracing (launch config, traced terminal, or the CLI).`,
        );
        return refs;
      }
      const chosen = hits.length === 1 ? hits[0] : (await vscode.window.showQuickPick(hits.map(toItem), { title: `Spans made at ${vscode.workspace.asRelativePath(uri)}:${line}`, matchOnDescription: true, matchOnDetail: true }))?.hit;
      if (chosen) await vscode.commands.executeCommand(COMMAND.openTrace, chosen.ref);
      return refs;
    }),
  );
}

function toItem(h: SpanAtLine): vscode.QuickPickItem & { hit: SpanAtLine } {
  const s = h.span;
  const ms = s.endNs === null ? undefined : Number(s.endNs - s.startNs) / 1e6;
  const bits = [ms === undefined ? 'running' : formatLatency(ms)];
  if (s.usage) bits.push(`${s.usage.total} tokens`);
  if (s.model) bits.push(s.model);
  if (s.status === 'ERROR') bits.push('error');
  const when = new Date(Number(s.startNs / 1_000_000n));
  const run = h.trace.summary.tags[TAG.runName];
  return {
    label: `${s.status === 'ERROR' ? '$(error)' : '$(sparkle)'} ${s.name}`,
    description: bits.join(' · '),
    detail: `${when.toLocaleString()}${run ? ` · run ${run}` : ''} · ${h.ref.traceId}${h.distance ? ` · line ${s.code?.lineno}` : ''}`,
    hit: h,
  };
}

async function experimentIds(services: Services): Promise<string[]> {
  const client = services.connection.client();
  const name = services.connection.experimentName;
  if (name) {
    const e = await client.getExperimentByName(name);
    if (e) return [e.experiment_id];
  }
  if (services.connection.experimentId) return [services.connection.experimentId];
  const { experiments } = await client.searchExperiments({ maxResults: 50, viewType: 'ACTIVE_ONLY' });
  return experiments.map((e) => e.experiment_id);
}

/** MLflow's span-attribute LIKE matches `"<key>"<value>` inside the span JSON; values are JSON-encoded. */
function likeValue(s: string): string {
  return s.replace(/'/g, "''");
}

export async function findSpansAtLine(services: Services, uri: vscode.Uri, line: number, token?: vscode.CancellationToken): Promise<SpanAtLine[]> {
  const client = services.connection.client();
  const ids = await experimentIds(services);
  if (!ids.length) return [];
  const base = path.basename(uri.fsPath);
  const search = async (filter: string | undefined): Promise<TraceInfo[]> => {
    try {
      return (await client.searchTraces({ experimentIds: ids, filter, orderBy: ['timestamp_ms DESC'], maxResults: MAX_TRACES })).traces;
    } catch (e) {
      // A server that cannot filter on span attributes still lets us scan its newest traces.
      if (filter && isMlflowError(e) && (e.kind === 'bad-request' || e.kind === 'unsupported')) return [];
      throw e;
    }
  };
  // Exact first (this line in a file of this name), then any span in a file of this name, then
  // the newest traces: each step runs only when the one before found nothing.
  const steps = [
    `span.attributes.code.lineno LIKE ': "${line}"' AND span.attributes.code.filepath LIKE '%${likeValue(base)}%'`,
    `span.attributes.code.filepath LIKE '%${likeValue(base)}%'`,
    undefined,
  ];
  for (const filter of steps) {
    if (token?.isCancellationRequested) return [];
    const infos = await search(filter);
    const hits = await check(services, infos, uri, line, token);
    if (hits.length) return hits;
  }
  return [];
}

async function check(services: Services, infos: TraceInfo[], uri: vscode.Uri, line: number, token?: vscode.CancellationToken): Promise<SpanAtLine[]> {
  const hits: SpanAtLine[] = [];
  for (const info of infos) {
    if (token?.isCancellationRequested || hits.length >= MAX_HITS) break;
    let trace: Trace;
    try {
      trace = await services.traces.get(info.trace_id);
    } catch (e) {
      services.log.warn(`revealSpan: skipped trace ${info.trace_id}: ${errorMessage(e)}`);
      continue;
    }
    const ws = trace.summary.tags[TAG.workspace];
    for (const s of trace.spans) {
      if (!s.code) continue;
      const distance = Math.abs(s.code.lineno - line);
      if (distance > NEAR_LINES || !pathMatches(s.code.filepath, uri, ws)) continue;
      hits.push({ ref: { traceId: trace.summary.id, spanId: s.id, experimentId: trace.summary.experimentId ?? info.trace_location?.mlflow_experiment?.experiment_id }, span: s, trace, distance });
    }
  }
  // Exact line first, then the newest.
  return hits.sort((a, b) => a.distance - b.distance || Number(b.span.startNs - a.span.startNs)).slice(0, MAX_HITS);
}
