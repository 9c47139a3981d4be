// The switch between the span panes and the Compare view: the Compare view takes their place
// until Back or Escape, and its rows open pair diffs or reveal a span.
import type { CompareViewState } from '../src/contract/protocol';
import { CompareView } from './compare';
import type { Host } from './rpc';

type ReadySummary = Extract<CompareViewState, { state: 'ready' }>['summary'];

export class CompareSwitch {
  private readonly view: CompareView;
  private last: ReadySummary | undefined;

  constructor(
    host: Host,
    /** The span panes the Compare view stands in for. */
    private readonly panes: HTMLElement,
    private readonly on: { back(): void; reveal(spanId: string): void },
  ) {
    this.view = new CompareView({
      back: () => this.close(),
      openDiff: (p, view) =>
        p.leftSpanId && p.rightSpanId && this.last && host.command('openPairDiff', { leftTraceId: this.last.left.traceId, leftSpanId: p.leftSpanId, rightTraceId: this.last.right.traceId, rightSpanId: p.rightSpanId, view }),
      reveal: (spanId) => (this.close(), on.reveal(spanId)),
    });
  }

  get root(): HTMLElement {
    return this.view.root;
  }

  get visible(): boolean {
    return this.view.visible;
  }

  show(s: CompareViewState, traceId: string | undefined): void {
    this.last = s.state === 'ready' ? s.summary : undefined;
    this.panes.hidden = true;
    this.view.show(s, traceId);
  }

  close(): void {
    this.view.hide();
    this.last = undefined;
    this.panes.hidden = false;
    this.on.back();
  }
}
