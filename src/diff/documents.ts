// Read-only virtual documents for the native diff editor, one per (trace, span, view). The URI
// carries everything needed to rebuild the text, so a diff tab survives a window reload.
import * as vscode from 'vscode';
import { readModelCall } from '../model/adapters/read';
import type { ModelCall } from '../model/call/types';
import type { Span, Trace } from '../model/types';
import type { Services } from '../core/services';
import type { TraceRef } from '../shared/traceRef';
import { renderView, VIEW_TITLES, type DiffView } from './text';
import { errorMessage } from '../shared/errors';

export const DIFF_SCHEME = 'gemini-trace-diff';

export function diffUri(ref: Required<Pick<TraceRef, 'traceId' | 'spanId'>>, view: DiffView, label: string): vscode.Uri {
  // The path is what the diff tab shows; the query is what the provider reads.
  const safe = label.replace(/[^\w.\- ]+/g, '_').slice(0, 60) || 'span';
  const query = new URLSearchParams({ trace: ref.traceId, span: ref.spanId, view }).toString();
  return vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${VIEW_TITLES[view]}/${safe}.txt`, query });
}

/** Why a span cannot be diffed, in words a user can act on; undefined when it can. */
export function whyNotDiffable(trace: Trace, spanId: string, view: DiffView): string | undefined {
  const span = trace.byId.get(spanId);
  if (!span) return `Span ${spanId} is not in trace ${trace.summary.id} any more. Refresh the Traces view and pick again.`;
  const call = readModelCall(span);
  if (!call) return `"${span.name}" (${span.type}) is not a Gemini model call (nor any other model call the extension reads), so it has no prompt or response to compare. Pick an LLM span, or compare the whole traces.`;
  if (view === 'prompt' && !call.request.length && !call.system)
    return `"${span.name}" has no recorded prompt. Was it traced with captureContent: false?`;
  if (view === 'response' && !call.response.length && !call.responseText && !call.functionCalls.length)
    return `"${span.name}" has no recorded response${span.status === 'ERROR' ? ': the call failed' + (span.statusMessage ? ` (${span.statusMessage})` : '') : ''}.`;
  return undefined;
}

export async function loadCall(services: Services, ref: TraceRef): Promise<{ trace: Trace; span: Span; call: ModelCall }> {
  if (!ref.spanId) throw new Error('No span given: pick a model-call span.');
  const trace = await services.traces.get(ref.traceId);
  const span = trace.byId.get(ref.spanId);
  const call = span && readModelCall(span);
  if (!span || !call) throw new Error(whyNotDiffable(trace, ref.spanId, 'config'));
  return { trace, span, call };
}

export class DiffDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly services: Services) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const traceId = q.get('trace') ?? '';
    const spanId = q.get('span') ?? '';
    const view = (q.get('view') ?? 'prompt') as DiffView;
    try {
      const { span, call } = await loadCall(this.services, { traceId, spanId });
      return renderView(view, call, span);
    } catch (e) {
      // A document cannot reject usefully: say what happened inside it instead.
      return `Could not show ${VIEW_TITLES[view] ?? view} of span ${spanId} in trace ${traceId}:\n${errorMessage(e)}\n`;
    }
  }
}
