// What a click in the trace panel asks of VS Code about the trace or one of its spans: open it in
// MLflow's UI, compare it, go to the code that made it, give feedback, replay it. The panel's own
// state (loading, posting, drawing) stays in panelHost.ts; these need only the trace shown.
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import { openCodeLocation } from '../code/jump';
import type { Commands } from '../contract/protocol';
import type { Trace } from '../model/types';
import type { TraceRef } from '../shared/traceRef';
import type { CompareController } from './compareHost';

export interface SpanActionContext {
  /** The trace, with a span of it when given. */
  ref(spanId?: string): TraceRef;
  /** The trace once it is read (undefined while the page shows a table drawn before it). */
  trace: Trace | undefined;
  /** The trace's page in MLflow's UI, when known (asked only when a click wants it). */
  mlflowUrl(): string | undefined;
  comparer: CompareController;
  /** The experiment the panel was opened from: the Compare pick lists its traces when the trace
   *  names none. */
  experimentId: string | undefined;
}

/** Handles the command when it is a span action; false for any other command. */
export async function spanAction(method: keyof Commands, p: Commands[keyof Commands], ctx: SpanActionContext): Promise<boolean> {
  switch (method) {
    case 'openInMlflow': {
      const url = ctx.mlflowUrl();
      if (!url) throw new Error('This trace has no MLflow UI page: its experiment is unknown.');
      await vscode.env.openExternal(vscode.Uri.parse(url));
      return true;
    }
    case 'compare': {
      const spanId = (p as Commands['compare']).spanId;
      // A span (from the details) compares that span; the header's Compare… opens the Compare view.
      if (spanId) await vscode.commands.executeCommand(COMMAND.compareWith, ctx.ref(spanId));
      else await ctx.comparer.start(ctx.trace, ctx.experimentId);
      return true;
    }
    case 'openPairDiff':
      await ctx.comparer.openDiff(p as Commands['openPairDiff']);
      return true;
    case 'goToCode':
      await vscode.commands.executeCommand(COMMAND.goToCode, ctx.ref((p as Commands['goToCode']).spanId));
      return true;
    case 'openLocation': {
      const c = p as Commands['openLocation'];
      if (typeof c.filepath !== 'string' || !Number.isFinite(c.lineno)) return true;
      await openCodeLocation({ filepath: c.filepath, lineno: Math.max(1, Math.floor(c.lineno)) }, ctx.trace?.summary.tags);
      return true;
    }
    case 'assess': {
      const c = p as Commands['assess'];
      await vscode.commands.executeCommand(COMMAND.addFeedback, ctx.ref(c.spanId), { kind: c.kind });
      return true;
    }
    case 'replay':
      await vscode.commands.executeCommand(COMMAND.replay, ctx.ref((p as Commands['replay']).spanId));
      return true;
    default:
      return false;
  }
}
