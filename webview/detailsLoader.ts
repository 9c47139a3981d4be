// Loading the details of the selected span: one request per selection (held arrow keys wait a
// moment, so passing rows ask nothing), answers to an older selection dropped, and nothing asked
// again for the span already shown of the same trace revision. The host posts the details of the
// span a table opens on right after its first piece, unasked (offer): they are shown from there,
// as the answer to the page's own request comes only after the rest of the table.
import type { SpanDetails, TraceHeader } from '../src/contract/protocol';
import type { SpanTable } from '../src/contract/spanTable';
import { errorMessage } from '../src/shared/errors';
import type { DetailsPane } from './details';
import type { Host } from './rpc';

const KEYBOARD_DELAY_MS = 80;

export class DetailsLoader {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private shownRevision = -1;
  /** The span whose details are being asked for, by the load numbered `seq`. */
  private asking: { spanId: string; seq: number } | undefined;
  /** Details the host posted before the page selected their span. */
  private offered: { spanId: string; revision: number; details: SpanDetails } | undefined;

  constructor(
    private readonly host: Host,
    private readonly details: DetailsPane,
    /** The trace on screen now (its table, header and revision), read when an answer arrives. */
    private readonly current: () => { t: SpanTable; hdr: TraceHeader; revision: number } | undefined,
  ) {}

  load(i: number, how: 'pointer' | 'keyboard' | 'program'): void {
    const now = this.current();
    if (!now) return;
    const spanId = now.t.ids[i];
    if (this.details.current?.spanId === spanId && now.revision === this.shownRevision) return;
    clearTimeout(this.timer);
    const seq = ++this.seq;
    const offered = this.offered;
    if (offered?.spanId === spanId && offered.revision === now.revision) {
      this.offered = undefined;
      this.show(offered.details);
      return;
    }
    const load = async () => {
      this.details.showLoading(now.t.names[i]);
      this.asking = { spanId, seq };
      try {
        const d = await this.host.request('spanDetails', { spanId });
        if (seq !== this.seq) return;
        this.show(d);
      } catch (e) {
        if (seq === this.seq) this.details.showEmpty(`Could not load this span: ${errorMessage(e)}`);
      }
    };
    if (how === 'keyboard') this.timer = setTimeout(() => void load(), KEYBOARD_DELAY_MS);
    else void load();
  }

  /** Details the host posted unasked for `spanId` at `revision`: shown if that span's are being
   *  asked for (its answer is then dropped), else kept for when the page selects it. */
  offer(spanId: string, revision: number, details: SpanDetails): void {
    if (this.current()?.revision !== revision) return;
    if (this.asking?.spanId === spanId && this.asking.seq === this.seq) {
      this.seq++;
      this.show(details);
    } else this.offered = { spanId, revision, details };
  }

  private show(d: SpanDetails): void {
    const latest = this.current();
    this.asking = undefined;
    if (!latest) return;
    this.shownRevision = latest.revision;
    this.details.show(d, latest.t, latest.hdr);
    // When details first showed, on the machine's clock (bench/panel-open.mjs reads it).
    document.body.dataset.detailsAt ??= String(Math.round(performance.timeOrigin + performance.now()));
  }
}
