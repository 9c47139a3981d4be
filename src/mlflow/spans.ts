// Reading a trace's spans from wherever the server keeps them, chosen per trace:
// - tag mlflow.trace.spansLocation = TRACKING_STORE (spans logged over OTLP, MLflow ≥ 3.4 SDK and
//   server) or ARCHIVE_REPO (spans archived by the server): `GET /api/3.0/mlflow/traces/get`, which
//   returns OTel-proto JSON spans. On such a trace's absence of spans, that endpoint answers 500
//   "Trace data not stored in tracking store", so it is never tried for other traces.
// - otherwise (older SDKs and servers, or an SDK that could not log spans): the `traces.json` the
//   SDK uploaded to the artifact store at tag mlflow.artifactLocation, read through the server's
//   artifact proxy when that location is `mlflow-artifacts:`.
// - `GET /ajax-api/2.0/mlflow/get-trace-artifact?request_id=` (what MLflow's own UI uses) serves
//   either case from the server side, so it is the fallback whenever the direct route is missing
//   (server < 3.7 has no traces/get; a server not proxying artifacts; a file:/s3: location).
import type { TraceReadOptions } from './api';
import { MlflowError } from './errors';
import type { Http } from './http';
import type { ItemWatch } from '../shared/jsonSteps';
import type { FullTrace, TraceInfo } from './types';

export const SPANS_LOCATION_TAG = 'mlflow.trace.spansLocation';
export const ARTIFACT_LOCATION_TAG = 'mlflow.artifactLocation';

/** The artifact-proxy path of a trace's traces.json, or undefined when the location is not `mlflow-artifacts:`. */
export function traceDataArtifactPath(artifactLocation: string | undefined): string | undefined {
  // mlflow-artifacts:/1/traces/tr-x/artifacts or mlflow-artifacts://host:port/1/traces/tr-x/artifacts
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/+(.+?)\/*$/.exec(artifactLocation ?? '');
  if (!m) return undefined;
  const segments = m[1].split('/').map((s) => encodeURIComponent(decodeURIComponentSafe(s)));
  return `/api/2.0/mlflow-artifacts/artifacts/${segments.join('/')}/traces.json`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Errors after which another route to the same spans may still work. */
function worthAnotherRoute(e: unknown): boolean {
  return e instanceof MlflowError && ['not-found', 'unsupported', 'bad-request', 'server-error', 'malformed-response', 'forbidden'].includes(e.kind);
}

interface GetTraceResponse {
  trace?: { trace_info?: TraceInfo; spans?: unknown[] };
}

/** The span list's place in each route's body, watched when the caller reads spans as they come. */
function watch(o: TraceReadOptions, path: string[]): ItemWatch | undefined {
  const r = o.spans;
  return r && { path, each: (v, i) => r.add(v, i), idle: (ms) => r.readSome(ms) };
}

export async function loadSpans(http: Http, info: TraceInfo, o: TraceReadOptions): Promise<FullTrace> {
  const location = info.tags?.[SPANS_LOCATION_TAG];
  if (location === 'TRACKING_STORE' || location === 'ARCHIVE_REPO') {
    try {
      const r = await http.request<GetTraceResponse>(
        {
          method: 'GET',
          path: '/api/3.0/mlflow/traces/get',
          // A trace still running has spans yet to come; without allow_partial the server waits
          // ~3 s for them and then answers 404.
          query: { trace_id: info.trace_id, allow_partial: info.state === 'IN_PROGRESS' ? 'true' : undefined },
          since: '3.7',
          items: watch(o, ['trace', 'spans']),
        },
        o,
      );
      const spans = r.trace?.spans ?? [];
      if (!Array.isArray(spans)) throw shapeError(http, 'traces/get', 'trace.spans is not a list');
      return { info: r.trace?.trace_info ?? info, data: { spans }, source: 'tracking-store' };
    } catch (e) {
      if (!(e instanceof MlflowError && e.kind === 'unsupported')) throw e;
      // An older server with spans in its store: its get-trace-artifact reads them from there.
    }
    return fromTraceArtifactEndpoint(http, info, o, 'tracking-store');
  }

  const artifactPath = traceDataArtifactPath(info.tags?.[ARTIFACT_LOCATION_TAG]);
  if (artifactPath) {
    try {
      const data = await http.request<unknown>({ method: 'GET', path: artifactPath, items: watch(o, ['spans']) }, o);
      return { info, data: { spans: spansOf(http, data, 'traces.json') }, source: 'artifact' };
    } catch (e) {
      if (!worthAnotherRoute(e)) throw e;
      try {
        return await fromTraceArtifactEndpoint(http, info, o, 'artifact');
      } catch (fallback) {
        // When the fallback route does not exist either, the first failure says more.
        throw fallback instanceof MlflowError && fallback.kind === 'unsupported' ? e : fallback;
      }
    }
  }
  return fromTraceArtifactEndpoint(http, info, o, 'artifact');
}

async function fromTraceArtifactEndpoint(http: Http, info: TraceInfo, o: TraceReadOptions, source: FullTrace['source']): Promise<FullTrace> {
  const data = await http.request<unknown>(
    { method: 'GET', path: '/ajax-api/2.0/mlflow/get-trace-artifact', query: { request_id: info.trace_id }, items: watch(o, ['spans']) },
    o,
  );
  return { info, data: { spans: spansOf(http, data, 'get-trace-artifact') }, source };
}

function spansOf(http: Http, data: unknown, what: string): unknown[] {
  const spans = (data as { spans?: unknown } | null)?.spans;
  if (!Array.isArray(spans)) throw shapeError(http, what, 'no "spans" list');
  return spans;
}

function shapeError(http: Http, what: string, detail: string): MlflowError {
  return new MlflowError('malformed-response', `MLflow at ${http.endpoint.baseUrl} returned trace data in an unexpected shape from ${what} (${detail}).`);
}
