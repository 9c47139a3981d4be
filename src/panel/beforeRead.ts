// What a large trace's panel shows before its trace is read (normalising 100,000 spans takes over
// half a second): the top of its tree as soon as the body is parsed (a preview), then its whole
// table drawn from the raw span list (directTable.ts), with the page's requests answered from the
// raw spans (earlySession.ts). The read of the trace waits for the page to draw each, as host
// work while a table crosses to the page delays its arrival about one for one.
// Pure: no vscode; the panel (panelHost.ts) posts and counts revisions.
import type { SpanReader } from '../model/earlySpans';
import type { Trace } from '../model/types';
import type { TracePayload } from '../contract/protocol';
import { runSliced } from '../shared/steps';
import { timedWait } from '../shared/timedWait';
import { directTableSteps, type DirectTable } from './directTable';
import { EarlySession } from './earlySession';
import type { OpenTimeline } from './openTimeline';
import { PostedTable } from './postedTable';
import { TraceSession } from './session';
import { buildHeader } from './viewModel';

/** Longest the read of the rest waits for the page to draw the preview: a busy extension host
 *  delays the message to the page, and the page's answer, by up to a second. */
const PREVIEW_DRAW_WAIT_MS = 500;
/** Longest a read waits for the page to draw a whole table. */
export const WHOLE_DRAW_WAIT_MS = 10_000;

export interface BeforeReadHost {
  /** The panel is open and its trace's session is not there yet. */
  waiting(): boolean;
  /** The page is there to post to. */
  ready(): boolean;
  readonly signal: AbortSignal;
  readonly timeline: OpenTimeline;
  uiUrl(experimentId: string | undefined): string | undefined;
  /** Something new to show: the panel's revision moves on. */
  revise(): void;
  postPreview(): void;
  postTrace(): void;
  /** The trace's session once it is read (undefined if its read failed or the panel closed). */
  whole(): Promise<TraceSession | undefined>;
}

export class BeforeRead {
  /** The top of a large trace, and how many spans the trace has. */
  preview: { session: TraceSession; total: number } | undefined;
  /** The whole table drawn from the raw span list, shown until the trace's session exists (which
   *  adopts it when it is the trace's own), and the answers to the page's requests until then. */
  direct: { table: DirectTable; posted: PostedTable; early: EarlySession } | undefined;
  private previewDrawn: (() => void) | undefined;
  private directDrawn: (() => void) | undefined;

  constructor(private readonly host: BeforeReadHost) {}

  /** Shows the top of the tree while the rest is read (TraceGetOptions.preview.show). */
  showPreview(top: Trace, total: number): Promise<void> | undefined {
    if (!this.host.waiting()) return undefined;
    this.preview = { session: new TraceSession(top, this.host.uiUrl(top.summary.experimentId)), total };
    this.host.revise();
    if (!this.host.ready()) return undefined; // posted when the page is ready
    this.host.postPreview();
    const drawn = timedWait(PREVIEW_DRAW_WAIT_MS);
    this.previewDrawn = drawn.end;
    return drawn.done;
  }

  /** Shows the whole table drawn from the raw span list (TraceGetOptions.preview.whole), when
   *  directTable.ts reads it; resolves once the page has drawn it. */
  async showDirect(info: unknown, spans: unknown[], reader: SpanReader): Promise<void> {
    if (!this.host.waiting()) return;
    const table = await runSliced(directTableSteps(info, spans, reader), { signal: this.host.signal });
    if (!table || !this.host.waiting()) return;
    // Read and laid out at once: the trace itself is read after the page has drawn this.
    this.host.timeline.mark('read');
    this.host.timeline.mark('laidOut');
    // The header closes over nothing of the panel: the trace's session may keep it after the panel.
    const url = this.host.uiUrl(table.trace.summary.experimentId);
    const posted = new PostedTable(table.table, () => buildHeader(table.trace, table.table, url));
    this.direct = { table, posted, early: new EarlySession(spans, table, reader, () => this.host.whole()) };
    this.host.timeline.mark('answers');
    this.host.revise();
    if (!this.host.ready()) return; // posted when the page is ready
    const drawn = timedWait(WHOLE_DRAW_WAIT_MS);
    this.directDrawn = drawn.end;
    this.host.postTrace();
    await drawn.done;
  }

  /** The preview as posted at `revision`, focusing `focus` if it holds it. */
  previewPayload(revision: number, focus: string | undefined): TracePayload | undefined {
    return this.preview?.session.previewPayload(revision, this.preview.total, focus);
  }

  /** The page drew the preview (or never will): the read goes on. */
  drewPreview(): void {
    this.previewDrawn?.();
  }

  /** The page drew the direct table (or never will): the read goes on. */
  drewDirect(): void {
    this.directDrawn?.();
  }

  /** The trace's session took over. */
  done(session: TraceSession): void {
    this.direct?.early.handOver(session);
    this.preview = undefined;
    this.direct = undefined;
  }
}
