// Opening diffs: span against span in the native diff editor, and trace against trace through a
// pairing summary whose rows open the diff of each pair.
import * as vscode from 'vscode';
import { readModelCall } from '../model/adapters/read';
import type { Services } from '../core/services';
import type { TraceRef } from '../shared/traceRef';
import { diffUri, loadCall, whyNotDiffable } from './documents';
import { describePair, pairCalls, type CallPair } from './pairing';
import { renderPrompt, renderResponse, VIEW_TITLES, type DiffView } from './text';

export class UserFacingError extends Error {}

function label(ref: TraceRef, spanName: string): string {
  return `${spanName} ${ref.traceId.replace(/^tr-/, '').slice(0, 8)}`;
}

/** Opens VS Code's diff editor on one view of two model-call spans. */
export async function openSpanDiff(services: Services, left: TraceRef, right: TraceRef, view?: DiffView): Promise<void> {
  const [l, r] = await Promise.all([loadCall(services, left), loadCall(services, right)]);
  if (!view) {
    const promptChanged = renderPrompt(l.call) !== renderPrompt(r.call);
    const responseChanged = renderResponse(l.call) !== renderResponse(r.call);
    const items: (vscode.QuickPickItem & { view: DiffView })[] = (['prompt', 'response', 'config'] as const).map((v) => ({
      view: v,
      label: VIEW_TITLES[v],
      description: v === 'prompt' ? (promptChanged ? 'changed' : 'same') : v === 'response' ? (responseChanged ? 'changed' : 'same') : undefined,
    }));
    const picked = await vscode.window.showQuickPick(items, { title: `Compare ${l.span.name} with ${r.span.name}`, placeHolder: 'Which part to diff?' });
    if (!picked) return;
    view = picked.view;
  }
  for (const [ref, side] of [[left, l], [right, r]] as const) {
    const why = whyNotDiffable(side.trace, ref.spanId!, view);
    if (why) throw new UserFacingError(why);
  }
  const lu = diffUri({ traceId: left.traceId, spanId: left.spanId! }, view, label(left, l.span.name));
  const ru = diffUri({ traceId: right.traceId, spanId: right.spanId! }, view, label(right, r.span.name));
  await vscode.commands.executeCommand('vscode.diff', lu, ru, `${VIEW_TITLES[view]}: ${label(left, l.span.name)} ↔ ${label(right, r.span.name)}`, {
    preview: false,
  });
}

function defaultView(p: CallPair): DiffView {
  return p.promptChanged ? 'prompt' : p.responseChanged ? 'response' : 'config';
}

/** Pairs the two traces' model calls and shows the summary; choosing a row opens its diff. */
export async function compareTraces(services: Services, left: TraceRef, right: TraceRef, pick?: (pairs: CallPair[]) => Promise<CallPair | undefined>): Promise<CallPair[]> {
  const [a, b] = await Promise.all([services.traces.get(left.traceId), services.traces.get(right.traceId)]);
  const pairs = pairCalls(a, b);
  if (!pairs.length) {
    throw new UserFacingError(`Neither ${left.traceId} nor ${right.traceId} holds a Gemini model call (or another model call) with a recorded prompt or response, so there is nothing to pair.`);
  }
  const chosen = pick ? await pick(pairs) : await pickPair(pairs, `${a.summary.name ?? left.traceId} ↔ ${b.summary.name ?? right.traceId}`);
  if (!chosen) return pairs;
  if (!chosen.left || !chosen.right) {
    const only = (chosen.left ?? chosen.right)!;
    void vscode.window.showInformationMessage(`"${only.span.name}" at ${only.site ?? 'an unknown location'} exists only in the ${chosen.left ? 'first' : 'second'} trace.`);
    return pairs;
  }
  await openSpanDiff(services, { traceId: left.traceId, spanId: chosen.left.span.id }, { traceId: right.traceId, spanId: chosen.right.span.id }, defaultView(chosen));
  return pairs;
}

async function pickPair(pairs: CallPair[], title: string): Promise<CallPair | undefined> {
  type Item = vscode.QuickPickItem & { pair: CallPair };
  const changed = pairs.filter((p) => p.promptChanged || p.responseChanged).length;
  const items: Item[] = pairs.map((pair) => ({ ...describePair(pair), pair }));
  return (await vscode.window.showQuickPick(items, {
    title: `${title} — ${pairs.length} model call${pairs.length === 1 ? '' : 's'}, ${changed} changed`,
    placeHolder: 'Pick a call to open its diff',
    matchOnDescription: true,
    matchOnDetail: true,
  }))?.pair;
}

/** Compares two refs of the same kind: spans with a model call → span diff, otherwise traces. */
export async function compareRefs(services: Services, a: TraceRef, b: TraceRef, view?: DiffView): Promise<CallPair[] | void> {
  if (a.traceId === b.traceId && a.spanId === b.spanId) throw new UserFacingError('Pick two different traces or spans to compare.');
  const spanCall = async (r: TraceRef) => {
    if (!r.spanId) return false;
    const t = await services.traces.get(r.traceId);
    const s = t.byId.get(r.spanId);
    return !!s && !!readModelCall(s);
  };
  if (a.spanId && b.spanId && (await spanCall(a)) && (await spanCall(b))) return openSpanDiff(services, a, b, view);
  if (a.spanId && b.spanId) {
    // Spans that are not model calls: say so rather than show an empty diff.
    const t = await services.traces.get((await spanCall(a)) ? b.traceId : a.traceId);
    const id = (await spanCall(a)) ? b.spanId : a.spanId;
    throw new UserFacingError(whyNotDiffable(t, id, 'prompt') ?? 'These spans cannot be compared.');
  }
  return compareTraces(services, { traceId: a.traceId }, { traceId: b.traceId });
}
