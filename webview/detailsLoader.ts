// Loading the details of the selected span: one request per selection (held arrow keys wait a
// moment, so passing rows ask nothing), answers to an older selection dropped, and nothing asked
// again for the span already shown of the same trace revision.
import type { TraceHeader } from '../src/contract/protocol';
import type { SpanTable } from '../src/contract/spanTable';
import { errorMessage } from '../src/shared/errors';
import type { DetailsPane } from './details';
import type { Host } from './rpc';

const KEYBOARD_DELAY_MS = 80;

export class DetailsLoader {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private shownRevision = -1;

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
    const load = async () => {
      this.details.showLoading(now.t.names[i]);
      try {
        const d = await this.host.request('spanDetails', { spanId });
        const latest = this.current();
        if (seq !== this.seq || !latest) return;
        this.shownRevision = latest.revision;
        this.details.show(d, latest.t, latest.hdr);
        // When details first answered, on the machine's clock (bench/panel-open.mjs reads it).
        document.body.dataset.detailsAt ??= String(Math.round(performance.timeOrigin + performance.now()));
      } catch (e) {
        if (seq === this.seq) this.details.showEmpty(`Could not load this span: ${errorMessage(e)}`);
      }
    };
    if (how === 'keyboard') this.timer = setTimeout(() => void load(), KEYBOARD_DELAY_MS);
    else void load();
  }
}
