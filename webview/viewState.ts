// The panel's view state that survives hiding the panel or reloading the window: the selected
// span, the details tab, collapsed rows, zoom, scroll, search and pane sizes. Saved a moment
// after each change, read back when the same trace arrives again.
import type { TraceHeader } from '../src/contract/protocol';
import type { DetailsPane } from './details';
import type { Host, SavedState } from './rpc';
import type { SearchBar } from './search';
import type { Timeline } from './timeline';

const MAX_SAVED_COLLAPSED = 2000;
const SAVE_DELAY_MS = 250;

/** What the state is read from, as it is when saved. */
export interface ViewParts {
  hdr: TraceHeader | undefined;
  timeline: Timeline;
  details: DetailsPane;
  search: SearchBar;
  selectedId: string | undefined;
  /** The split's position, once the user moved it. */
  split: string | undefined;
}

export class ViewState {
  /** The state last saved (or restored from VS Code when the panel was created). */
  saved: SavedState | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: Host,
    private readonly parts: () => ViewParts,
  ) {
    this.saved = host.state;
  }

  saveSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  save(): void {
    const { hdr, timeline, details, search, selectedId, split } = this.parts();
    if (!hdr) return;
    const w = timeline.win;
    this.saved = {
      traceId: hdr.traceId,
      experimentId: hdr.experimentId,
      spanId: selectedId,
      tab: details.preferred,
      nameWidth: timeline.nameFraction,
      split: split ?? this.saved?.split,
      scrollTop: timeline.viewport.scrollTop,
      collapsed: [...timeline.collapsedIds()].slice(0, MAX_SAVED_COLLAPSED),
      view: w.zoomed ? [w.from, w.to] : undefined,
      query: search.query || undefined,
    };
    this.host.saveState(this.saved);
  }
}
