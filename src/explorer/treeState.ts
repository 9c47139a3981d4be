// What the Traces view knows between calls: the cached lists per experiment, the node objects,
// the live poll's position, the filter and run scope, and whether the root is empty or failed.
// The provider owns one; its levels (treeLevels.ts), paging (treePaging.ts) and live updates
// (treeLive.ts) read and change it, and say through `changed` which node VS Code must redraw.
import type { Services, TracedRun } from '../core/services';
import type { Experiment } from '../mlflow/types';
import { ExperimentResolver } from './experiments';
import { compileFilter, type TraceFilter } from './filter';
import { IncrementalPoll } from './incremental';
import { NodeCache } from './nodeCache';
import type { Node } from './nodes';
import { ExperimentTraces, OTHER_RUN } from './traceSource';

export class TreeState {
  readonly experiments: ExperimentResolver;
  filter: TraceFilter = {};
  currentRun = false;
  readonly data = new Map<string, ExperimentTraces>();
  readonly nodes = new NodeCache();
  live: IncrementalPoll;
  rootEmpty = false;
  rootFailed = false;
  /** Whether any experiment holds a trace: asked once per reload; a live arrival clears it. */
  anyTraces: Promise<boolean> | undefined;
  /** Traces that arrived live and have not been opened: the view badge counts them. */
  readonly unseen = new Set<string>();
  /** Experiments whose live traces had the root listed again since the last reload (treeLive.ts). */
  readonly rootRelisted = new Set<string>();

  constructor(
    readonly services: Services,
    /** `node` (undefined: the whole tree) must be drawn again. */
    readonly changed: (node?: Node) => void,
    /** Filter, run scope or emptiness changed (the view description and context keys follow). */
    readonly stateChanged: () => void,
  ) {
    const api = () => services.connection.client();
    this.experiments = new ExperimentResolver(api, services.connection);
    this.live = new IncrementalPoll(api);
  }

  get filterString(): string | undefined {
    return compileFilter(this.filter);
  }

  /** Forget every cached list and ask VS Code for the tree again. */
  reload(): void {
    this.data.clear();
    this.nodes.clearBelowExperiments();
    this.experiments.invalidate();
    this.anyTraces = undefined;
    this.rootRelisted.clear();
    this.live = new IncrementalPoll(() => this.services.connection.client());
    this.services.traces.invalidate();
    this.changed(undefined);
    this.stateChanged();
  }

  dataFor(experimentId: string): ExperimentTraces {
    let d = this.data.get(experimentId);
    if (!d) {
      d = new ExperimentTraces(() => this.services.connection.client(), experimentId, this.filterString);
      this.data.set(experimentId, d);
    }
    return d;
  }

  setEmpty(empty: boolean): void {
    if (empty === this.rootEmpty) return;
    this.rootEmpty = empty;
    this.stateChanged();
  }

  readonly isActive = (runId: string) => runId !== OTHER_RUN && this.services.runs.active.some((r) => r.id === runId);

  /** Runs this window traced into experiment `e`. */
  windowRunsOf(e: Experiment): TracedRun[] {
    return this.services.runs.all.filter((r) => this.experiments.runExperimentName(r) === e.name);
  }
}
