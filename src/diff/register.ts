// The diff feature's entry points: the tree ("Compare With…", "Compare Selected"), the panel's
// Compare… button (geminiTrace.compareWith with a TraceRef), and the command palette.
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import { isMlflowError } from '../mlflow/errors';
import type { Services } from '../core/services';
import { toTraceRef, type TraceRef } from '../shared/traceRef';
import { compareRefs, UserFacingError } from './compare';
import { DIFF_SCHEME, DiffDocuments } from './documents';
import { summarizePair, type CallPair, type PairSummary } from './pairing';
import { pickModelCall, pickRecentTrace, previousAtSameSite } from './pickers';
import type { DiffView } from './text';
import { errorMessage, errorStack } from '../shared/errors';

/** Arguments of geminiTrace.compare when called programmatically (panel, tests). */
export interface CompareArgs {
  left: TraceRef;
  right: TraceRef;
  view?: DiffView;
}

/** What a compare command did, so callers (the panel, tests) can show or check the outcome. */
export interface CompareResult {
  /** The pairing summary, when two traces were compared. */
  pairs?: PairSummary[];
  /** The message shown to the user when the compare could not be done. */
  error?: string;
}

const isRef = (x: TraceRef | undefined): x is TraceRef => !!x;

export function registerDiff(services: Services): void {
  const { context, log } = services;
  const guard =
    <A extends unknown[]>(name: string, fn: (...a: A) => Promise<CallPair[] | void>) =>
    async (...a: A): Promise<CompareResult> => {
      try {
        const pairs = await fn(...a);
        return pairs ? { pairs: pairs.map(summarizePair) } : {};
      } catch (e) {
        const message = errorMessage(e);
        if (!isMlflowError(e) && !(e instanceof UserFacingError)) log.error(`${name}: ${errorStack(e)}`);
        void vscode.window.showErrorMessage(`Compare: ${message}`);
        return { error: message };
      }
    };

  // With a span: offer the same call site's previous call first; with a trace: recent traces.
  const compareWith = async (first: TraceRef): Promise<CallPair[] | void> => {
    if (first.spanId) {
      const previous = await previousAtSameSite(services, first);
      type Item = vscode.QuickPickItem & { choice: 'previous' | 'other' };
      const items: Item[] = [
        ...(previous ? [{ label: '$(history) Previous call at the same line', description: previous.traceId, choice: 'previous' as const }] : []),
        { label: '$(list-flat) Another trace…', choice: 'other' },
      ];
      const choice = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Compare with…' });
      if (!choice) return;
      if (choice.choice === 'previous' && previous) return compareRefs(services, previous, first);
      const other = await pickRecentTrace(services, { near: first, exclude: first.traceId, title: 'Compare with which trace?' });
      const otherSpan = other && (await pickModelCall(services, other.traceId, 'Compare with which call?'));
      return otherSpan && compareRefs(services, otherSpan, first);
    }
    const other = await pickRecentTrace(services, { near: first, exclude: first.traceId, title: 'Compare with which trace?' });
    return other && compareRefs(services, other, first);
  };

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, new DiffDocuments(services)),
    vscode.commands.registerCommand(
      COMMAND.compareWith,
      guard('compareWith', async (ref?: unknown) => {
        const first = toTraceRef(ref) ?? (await pickRecentTrace(services, { title: 'Compare which trace?' }));
        return first && compareWith(first);
      }),
    ),
    vscode.commands.registerCommand(
      COMMAND.compareSelected,
      guard('compareSelected', async (clicked?: unknown, selected?: unknown[]) => {
        const refs = (selected?.length ? selected : [clicked]).map(toTraceRef).filter(isRef);
        if (refs.length !== 2) throw new Error(`Select exactly two traces or two spans (${refs.length} selected).`);
        // Older first, so the diff reads left = before, right = after, as the tree lists newest first.
        return compareRefs(services, refs[1], refs[0]);
      }),
    ),
    vscode.commands.registerCommand(
      COMMAND.compare,
      guard('compare', async (args?: CompareArgs) => {
        const left = toTraceRef(args?.left);
        const right = toTraceRef(args?.right);
        if (left && right) return compareRefs(services, left, right, args?.view);
        const trace = await pickRecentTrace(services, { title: 'Compare: pick a trace (1 of 2)' });
        const call = trace && (await pickModelCall(services, trace.traceId, 'Compare: pick a model call'));
        return call && compareWith(call);
      }),
    ),
  );
}
