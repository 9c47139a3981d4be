// What integration tests reach inside the running extension: the live services, the Traces view's
// parts and the open panels, and what each trace panel's webview reported. activate() returns it
// only when VS Code runs the extension in Test mode; otherwise the extension exports nothing, and
// no command exists for tests alone.
import type { Commands, RequestMessage } from './contract/protocol';
import type { Services } from './core/services';
import type { ExplorerHooks } from './explorer/register';
import type { PanelProbe, TracePanel } from './panel/panelHost';
import type { PanelHooks } from './panel/register';

export interface PanelStats {
  /** What the webview reported drawing, newest last. */
  renders: Commands['rendered'][];
  /** Requests answered, by method: a round trip completed. */
  answered: Partial<Record<RequestMessage['method'], number>>;
}

export interface TestApi {
  readonly services: Services;
  /** Undefined when the feature failed to register (the log says why). */
  readonly explorer: ExplorerHooks | undefined;
  readonly panels: PanelHooks | undefined;
  /** What `panel`'s webview reported (empty for a panel that reported nothing yet). */
  panelStats(panel: TracePanel): PanelStats;
}

/** The probe the trace panels report to, and the stats it keeps per panel. */
export function panelRecorder(): PanelProbe & { stats(panel: TracePanel): PanelStats } {
  const byPanel = new WeakMap<TracePanel, PanelStats>();
  const stats = (panel: TracePanel) => {
    let s = byPanel.get(panel);
    if (!s) byPanel.set(panel, (s = { renders: [], answered: {} }));
    return s;
  };
  return {
    stats,
    rendered: (panel, c) => void stats(panel).renders.push(c),
    answered: (panel, method) => {
      const a = stats(panel).answered;
      a[method] = (a[method] ?? 0) + 1;
    },
  };
}
