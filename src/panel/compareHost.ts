// The host side of the panel's Compare view: picks the other trace (the same quick pick as the
// tree's "Compare With…"), reads it, posts the summary, and opens a row's native diff through
// the diff feature's own command, so its checks and error messages apply here too.
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import type { CompareResult } from '../diff/register';
import { pickRecentTrace } from '../diff/pickers';
import { compareSummary } from '../diff/summary';
import { isMlflowError } from '../mlflow/errors';
import type { Trace } from '../model/types';
import type { Services } from '../core/services';
import type { Commands, CompareViewState } from '../contract/protocol';
import { errorMessage } from '../shared/errors';

const VIEWS = new Set(['prompt', 'response']);

export class CompareController {
  /** The two traces on screen (left, right): a diff request must name these. */
  private open: { left: string; right: string } | undefined;
  private seq = 0;

  constructor(
    private readonly services: Services,
    private readonly show: (s: CompareViewState) => void,
  ) {}

  /** Asks for the other trace, then shows the two side by side. Dismissing the pick changes nothing. */
  async start(current: Trace | undefined, experimentId: string | undefined): Promise<void> {
    if (!current) {
      this.show({ state: 'failed', message: 'The trace is still loading: try Compare… again once it is shown.' });
      return;
    }
    const traceId = current.summary.id;
    let otherId: string | undefined;
    try {
      otherId = (await pickRecentTrace(this.services, { near: { traceId, experimentId: current.summary.experimentId ?? experimentId }, exclude: traceId, title: 'Compare this trace with which trace?' }))?.traceId;
    } catch (e) {
      this.show({ state: 'failed', message: `Could not list traces to compare with: ${messageOf(e)}` });
      return;
    }
    if (!otherId) return;
    const seq = ++this.seq;
    this.show({ state: 'loading', message: `Reading trace ${otherId}…` });
    let other: Trace;
    try {
      other = await this.services.traces.get(otherId);
    } catch (e) {
      if (seq !== this.seq) return;
      const uri = this.services.connection.trackingUri;
      this.show({
        state: 'failed',
        message:
          isMlflowError(e) && e.kind === 'not-found'
            ? `Trace ${otherId} was not found on ${uri}: it may have been deleted. Pick another trace with Compare….`
            : `Could not read trace ${otherId}: ${messageOf(e)}`,
      });
      return;
    }
    if (seq !== this.seq) return; // a newer Compare… won
    const summary = compareSummary(current, other);
    this.open = { left: summary.left.traceId, right: summary.right.traceId };
    this.show({ state: 'ready', summary });
  }

  /** Opens the native diff of one pair of the comparison on screen. */
  async openDiff(p: Commands['openPairDiff']): Promise<void> {
    const ok = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length < 200;
    if (!ok(p.leftSpanId) || !ok(p.rightSpanId) || !VIEWS.has(p.view)) throw new Error('The Compare view sent a malformed diff request.');
    if (!this.open || p.leftTraceId !== this.open.left || p.rightTraceId !== this.open.right) {
      throw new Error('That comparison is no longer open: run Compare… again.');
    }
    // The command reports its own failures (a span gone, no prompt recorded) to the user.
    const result = (await vscode.commands.executeCommand(COMMAND.compare, {
      left: { traceId: p.leftTraceId, spanId: p.leftSpanId },
      right: { traceId: p.rightTraceId, spanId: p.rightSpanId },
      view: p.view,
    })) as CompareResult | undefined;
    if (result?.error) this.services.log.warn(`trace panel: ${p.view} diff failed: ${result.error}`);
  }
}

function messageOf(e: unknown): string {
  return errorMessage(e);
}
