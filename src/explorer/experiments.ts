// Which experiments the tree shows and which one traced apps write to, resolved by name or id
// (settings, else MLFLOW_EXPERIMENT_NAME / MLFLOW_EXPERIMENT_ID, else Default), cached until
// refresh. Experiment names that do not exist yet (an app creates its experiment on first
// trace) are asked again at most every few seconds.
import type { Experiment } from '../mlflow/types';
import type { Connection, TracedRun } from '../core/services';
import type { Api } from './traceSource';

const PAGE = 100;
const RETRY_MISSING_MS = 3000;
const DEFAULT_NAME = 'Default';

/** One lookup by name: when it was asked (or answered), and what came back. */
interface Lookup {
  at: number;
  found: boolean;
  settled: boolean;
  value: Promise<Experiment | undefined>;
}

export class ExperimentResolver {
  private experiments: Experiment[] = [];
  private token: string | undefined;
  private loaded: Promise<void> | undefined;
  private readonly byName = new Map<string, Lookup>();
  /** Bumped by invalidate(): an answer to a request made before (the old server's, when the
   *  tracking URI changed while it was in flight) must not land in the new cache. */
  private generation = 0;

  constructor(
    private readonly api: Api,
    private readonly connection: Connection,
  ) {}

  invalidate(): void {
    this.generation++;
    this.experiments = [];
    this.token = undefined;
    this.loaded = undefined;
    this.byName.clear();
  }

  cachedList(): readonly Experiment[] {
    return this.experiments;
  }

  /** First page of active experiments (configured one first), cached. */
  async list(): Promise<{ experiments: Experiment[]; hasMore: boolean }> {
    const loading = (this.loaded ??= this.fetchPage().catch((e) => {
      if (this.loaded === loading) this.loaded = undefined;
      throw e;
    }));
    await loading;
    const configured = await this.configured();
    const rest = this.experiments.filter((e) => e.experiment_id !== configured?.experiment_id);
    return { experiments: configured ? [configured, ...rest] : rest, hasMore: this.token !== undefined };
  }

  async loadMore(): Promise<void> {
    if (this.token) await this.fetchPage();
  }

  private async fetchPage(): Promise<void> {
    const generation = this.generation;
    const page = await this.api().searchExperiments({ maxResults: PAGE, orderBy: ['last_update_time DESC'], viewType: 'ACTIVE_ONLY', pageToken: this.token });
    if (generation !== this.generation) return; // the tree asks again after an invalidation
    const known = new Set(this.experiments.map((e) => e.experiment_id));
    this.experiments.push(...page.experiments.filter((e) => !known.has(e.experiment_id)));
    this.token = page.nextPageToken || undefined;
  }

  /** Name of the experiment traced runs write to when they name none. */
  configuredName(): string | undefined {
    if (this.connection.experimentName) return this.connection.experimentName;
    if (this.connection.experimentId) return this.experiments.find((e) => e.experiment_id === this.connection.experimentId)?.name;
    return DEFAULT_NAME;
  }

  /** The configured experiment, if it exists on the server. */
  async configured(): Promise<Experiment | undefined> {
    const id = this.connection.experimentName ? undefined : this.connection.experimentId;
    if (id) return this.experiments.find((e) => e.experiment_id === id) ?? (await this.byNameOrId(undefined, id));
    return this.byNameOrId(this.connection.experimentName ?? DEFAULT_NAME);
  }

  runExperimentName(run: TracedRun): string | undefined {
    return run.experimentName ?? this.configuredName();
  }

  /** Experiment id a traced run writes to, once it exists. */
  async idForRun(run: TracedRun): Promise<string | undefined> {
    if (!run.experimentName) return (await this.configured())?.experiment_id;
    return (await this.byNameOrId(run.experimentName))?.experiment_id;
  }

  /** Whether any of these experiments holds at least one trace (one request). */
  async anyTraces(experimentIds: string[]): Promise<boolean> {
    if (!experimentIds.length) return false;
    const page = await this.api().searchTraces({ experimentIds: experimentIds.slice(0, PAGE), maxResults: 1, orderBy: ['timestamp_ms DESC'] });
    return page.traces.length > 0;
  }

  /** A traced process just uploaded: an experiment it names may exist now, so the next lookup of
   *  a missing one asks at once instead of waiting out RETRY_MISSING_MS (up to 3 s more before a
   *  new experiment's first traces show). Lookups still in flight are left to answer. */
  askMissingAgain(): void {
    for (const [name, hit] of this.byName) if (hit.settled && !hit.found) this.byName.delete(name);
  }

  private byNameOrId(name: string | undefined, id?: string): Promise<Experiment | undefined> {
    const listed = this.experiments.find((e) => (name ? e.name === name : e.experiment_id === id));
    if (listed) return Promise.resolve(listed);
    // MLflow has no "get experiment by id" in our API surface and ids need no lookup to search
    // traces: an id outside the first page gets a placeholder name.
    if (!name) return Promise.resolve(id ? { experiment_id: id, name: `Experiment ${id}` } : undefined);
    const hit = this.byName.get(name);
    // A missing experiment may be created any moment by a traced app: ask again, but not often.
    if (hit && (hit.found || Date.now() - hit.at < RETRY_MISSING_MS)) return hit.value;
    const generation = this.generation;
    const entry: Lookup = { at: Date.now(), found: false, settled: false, value: this.api().getExperimentByName(name) };
    this.byName.set(name, entry);
    entry.value.then(
      (e) => {
        entry.found = !!e;
        entry.settled = true;
        entry.at = Date.now();
        if (generation !== this.generation) return;
        if (e && !this.experiments.some((x) => x.experiment_id === e.experiment_id)) this.experiments.push(e);
      },
      () => {
        if (this.byName.get(name) === entry) this.byName.delete(name);
      },
    );
    return entry.value;
  }
}
