// The MLflow REST client: every endpoint the product uses, over ./http (timeouts, cancellation,
// auth, lossless JSON, error mapping). Endpoints and shapes were checked against MLflow 3.17's
// server (mlflow/server/handlers.py) and a running server; see the notes on each method.
import type { AuthConfig, ClientOptions, MlflowApi, NewAssessment, RequestOptions, SearchTracesParams, TraceReadOptions } from './api';
import { resolveEndpoint, type Endpoint } from './auth';
import * as describe from './describe';
import { MlflowError } from './errors';
import { Http } from './http';
import { loadSpans } from './spans';
import type { Experiment, FullTrace, SearchTracesResponse, TraceInfo } from './types';

export { authFromEnv } from './auth';

/** MLflow's own cap on traces/search (handlers.py: _assert_less_than_or_equal(max_results, 500)). */
export const MAX_TRACES_PER_PAGE = 500;
/** Ids per delete-traces request, well under SQLite's bound-parameter limit. */
const DELETE_BATCH = 100;

export class MlflowClient implements MlflowApi {
  readonly baseUrl: string;
  private readonly http: Http | undefined;
  /** A tracking URI that cannot be used; every method rejects with it (constructors must not throw). */
  private readonly invalid: MlflowError | undefined;

  constructor(opts: ClientOptions) {
    let endpoint: Endpoint | undefined;
    try {
      endpoint = resolveEndpoint(opts.trackingUri, opts.auth ?? ({ kind: 'none' } satisfies AuthConfig));
    } catch (e) {
      this.invalid = e instanceof MlflowError ? e : new MlflowError('bad-request', String(e));
    }
    this.baseUrl = endpoint?.baseUrl ?? opts.trackingUri;
    this.http = endpoint && new Http(endpoint, opts);
  }

  /** Stops every request under way and any later one (cancelled): see Http.close. */
  close(): void {
    this.http?.close();
  }

  private get api(): Http {
    if (!this.http) throw this.invalid;
    return this.http;
  }

  /** MLflow's `/health` answers "OK"; Databricks has no such route, so a one-row search stands in. */
  async health(o?: RequestOptions): Promise<void> {
    if (this.api.endpoint.databricks) {
      await this.searchExperiments({ maxResults: 1 }, o);
      return;
    }
    const text = await this.api.request<string>({ method: 'GET', path: '/health', response: 'text' }, o);
    if (text.trim() !== 'OK') {
      throw describe.malformed(this.baseUrl, `${this.baseUrl}/health`, 'GET /health', 200, text, 'expected "OK"');
    }
  }

  async searchExperiments(
    p: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; viewType?: 'ACTIVE_ONLY' | 'ALL' },
    o?: RequestOptions,
  ): Promise<{ experiments: Experiment[]; nextPageToken?: string }> {
    // max_results is required in practice: the server rejects the proto default 0.
    const r = await this.api.request<{ experiments?: Experiment[]; next_page_token?: string }>(
      {
        method: 'POST',
        path: '/api/2.0/mlflow/experiments/search',
        body: { max_results: p.maxResults ?? 1000, page_token: p.pageToken, filter: p.filter, order_by: p.orderBy, view_type: p.viewType },
      },
      o,
    );
    return { experiments: list(r.experiments, 'experiments', this.baseUrl), nextPageToken: r.next_page_token || undefined };
  }

  async getExperimentByName(name: string, o?: RequestOptions): Promise<Experiment | undefined> {
    try {
      const r = await this.api.request<{ experiment?: Experiment }>(
        { method: 'GET', path: '/api/2.0/mlflow/experiments/get-by-name', query: { experiment_name: name } },
        o,
      );
      if (!r.experiment?.experiment_id) throw describe.malformed(this.baseUrl, this.baseUrl, 'experiments/get-by-name', 200, JSON.stringify(r), 'no experiment in the answer');
      return r.experiment;
    } catch (e) {
      if (e instanceof MlflowError && e.kind === 'not-found' && e.details.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  }

  async createExperiment(name: string, o?: RequestOptions): Promise<string> {
    if (!name.trim()) throw describe.badInput('An experiment needs a name.');
    const r = await this.api.request<{ experiment_id?: string }>({ method: 'POST', path: '/api/2.0/mlflow/experiments/create', body: { name } }, o);
    if (!r.experiment_id) throw describe.malformed(this.baseUrl, this.baseUrl, 'experiments/create', 200, JSON.stringify(r), 'no experiment_id');
    return String(r.experiment_id);
  }

  async searchTraces(p: SearchTracesParams, o?: RequestOptions): Promise<{ traces: TraceInfo[]; nextPageToken?: string }> {
    if (!p.experimentIds.length) throw describe.badInput('Searching traces needs at least one experiment id.');
    const max = p.maxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > MAX_TRACES_PER_PAGE) {
      throw describe.badInput(`maxResults must be a whole number from 1 to ${MAX_TRACES_PER_PAGE} (MLflow's limit per page), not ${max}.`);
    }
    const r = await this.api.request<SearchTracesResponse>(
      {
        method: 'POST',
        path: '/api/3.0/mlflow/traces/search',
        since: '3.0',
        body: {
          locations: p.experimentIds.map((id) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } })),
          filter: p.filter || undefined,
          max_results: max,
          order_by: p.orderBy,
          page_token: p.pageToken || undefined,
        },
      },
      o,
    );
    return { traces: list(r.traces, 'traces', this.baseUrl), nextPageToken: r.next_page_token || undefined };
  }

  async getTraceInfo(traceId: string, o?: RequestOptions): Promise<TraceInfo> {
    checkId(traceId);
    try {
      const r = await this.api.request<{ trace?: { trace_info?: TraceInfo } }>(
        { method: 'GET', path: `/api/3.0/mlflow/traces/${encodeURIComponent(traceId)}`, since: '3.0' },
        o,
      );
      const info = r.trace?.trace_info;
      if (!info?.trace_id) throw describe.malformed(this.baseUrl, this.baseUrl, `traces/${traceId}`, 200, JSON.stringify(r), 'no trace_info');
      return info;
    } catch (e) {
      throw e instanceof MlflowError && e.kind === 'not-found' ? describe.traceNotFound(this.baseUrl, traceId, e) : e;
    }
  }

  async getTrace(traceId: string, o: TraceReadOptions = {}): Promise<FullTrace> {
    const info = await this.getTraceInfo(traceId, { signal: o.signal, timeoutMs: o.timeoutMs });
    try {
      return await loadSpans(this.api, info, o);
    } catch (e) {
      // Deleted between the two requests, or its spans are gone.
      throw e instanceof MlflowError && e.kind === 'not-found' ? describe.traceNotFound(this.baseUrl, traceId, e) : e;
    }
  }

  async deleteTraces(experimentId: string, traceIds: string[], o?: RequestOptions): Promise<number> {
    if (!experimentId) throw describe.badInput('Deleting traces needs the experiment id they belong to.');
    let deleted = 0;
    for (let i = 0; i < traceIds.length; i += DELETE_BATCH) {
      const r = await this.api.request<{ traces_deleted?: number | string }>(
        {
          method: 'POST',
          path: '/api/3.0/mlflow/traces/delete-traces',
          since: '3.0',
          body: { experiment_id: experimentId, request_ids: traceIds.slice(i, i + DELETE_BATCH) },
        },
        o,
      );
      deleted += Number(r.traces_deleted ?? 0);
    }
    return deleted;
  }

  async setTraceTag(traceId: string, key: string, value: string, o?: RequestOptions): Promise<void> {
    checkId(traceId);
    if (!key) throw describe.badInput('A trace tag needs a key.');
    await this.api.request(
      { method: 'PATCH', path: `/api/3.0/mlflow/traces/${encodeURIComponent(traceId)}/tags`, body: { key, value }, since: '3.0' },
      o,
    );
  }

  async deleteTraceTag(traceId: string, key: string, o?: RequestOptions): Promise<void> {
    checkId(traceId);
    if (!key) throw describe.badInput('A trace tag needs a key.');
    await this.api.request({ method: 'DELETE', path: `/api/3.0/mlflow/traces/${encodeURIComponent(traceId)}/tags`, body: { key }, since: '3.0' }, o);
  }

  /**
   * Writes spans through MLflow's OTLP endpoint (`POST /v1/traces`, OTLP/JSON, the experiment in
   * `x-mlflow-experiment-id`: mlflow/server/otel_api.py), as the tracers do. Used for replays.
   */
  async logSpans(experimentId: string, otlpJson: unknown, o?: RequestOptions): Promise<void> {
    if (!experimentId) throw describe.badInput('Writing spans needs an experiment id.');
    await this.api.request({ method: 'POST', path: '/v1/traces', body: otlpJson, headers: { 'x-mlflow-experiment-id': experimentId }, since: '3.4' }, o);
  }

  /**
   * Adds feedback or an expectation to a trace (or one of its spans): `POST
   * /api/3.0/mlflow/traces/{trace_id}/assessments` (CreateAssessment, mlflow/protos/service.proto;
   * handlers._create_assessment). The value is a protobuf Value: true/false, a number, a string or
   * JSON. Returns the assessment as stored.
   */
  async createAssessment(traceId: string, a: NewAssessment, o?: RequestOptions): Promise<unknown> {
    checkId(traceId);
    if (!a.name.trim()) throw describe.badInput('An assessment needs a name.');
    const assessment: Record<string, unknown> = {
      trace_id: traceId,
      assessment_name: a.name,
      source: { source_type: a.sourceType ?? 'HUMAN', source_id: a.sourceId ?? '' },
      [a.kind]: { value: a.value },
    };
    if (a.rationale) assessment.rationale = a.rationale;
    if (a.spanId) assessment.span_id = a.spanId;
    const r = await this.api.request<{ assessment?: unknown }>(
      { method: 'POST', path: `/api/3.0/mlflow/traces/${encodeURIComponent(traceId)}/assessments`, body: { assessment }, since: '3.0' },
      o,
    );
    if (!r.assessment) throw describe.malformed(this.baseUrl, this.baseUrl, 'traces/assessments', 200, JSON.stringify(r), 'no assessment in the answer');
    return r.assessment;
  }

  /**
   * One MLflow trace attachment (MLflow ≥ 3.11 moves inline media out of spans into
   * `<trace artifacts>/attachments/<uuid>`, leaving an `mlflow-attachment://` reference). Served,
   * like the UI reads it, by `get-trace-artifact` with a `path` (handlers.get_trace_artifact_handler).
   */
  async getTraceAttachment(traceId: string, attachmentId: string, o?: RequestOptions): Promise<Buffer> {
    checkId(traceId);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(attachmentId)) throw describe.badInput(`"${attachmentId}" is not an attachment id (MLflow names attachments by UUID).`);
    return this.api.request<Buffer>(
      { method: 'GET', path: '/ajax-api/2.0/mlflow/get-trace-artifact', query: { request_id: traceId, path: attachmentId }, response: 'bytes', since: '3.11' },
      { timeoutMs: 120_000, ...o },
    );
  }

  /**
   * MLflow's UI is a hash-routed app; its traces tab opens a trace's drawer from
   * `selectedEvaluationId` (ExperimentPageTracesTabRoute in the 3.17 UI bundle). Databricks serves
   * the same UI under /ml/.
   */
  traceUiUrl(experimentId: string, traceId: string): string {
    const q = new URLSearchParams({ selectedEvaluationId: traceId }).toString();
    const route = `experiments/${encodeURIComponent(experimentId)}/traces?${q}`;
    return this.http?.endpoint.databricks ? `${this.baseUrl}/ml/${route}` : `${this.baseUrl}/#/${route}`;
  }
}

function checkId(traceId: string): void {
  if (!traceId?.trim()) throw describe.badInput('A trace id is required.');
}

function list<T>(value: T[] | undefined, what: string, baseUrl: string): T[] {
  if (value === undefined) return []; // proto3 JSON omits empty lists
  if (!Array.isArray(value)) throw new MlflowError('malformed-response', `MLflow at ${baseUrl} returned "${what}" that is not a list.`);
  return value;
}
