// TraceInfo (V3 from traces/search and traces/get; V2 field names tolerated) → TraceSummary, the
// row the sidebar shows before any span is loaded. Never throws: a malformed field is left out.
// Also whether a read trace is still running, by its state or its spans'.
import type { TraceInfo } from '../mlflow/types';
import { parseAssessments } from './assessments';
import { modelName } from './gemini';
import { isRecord, toNumber, tryParseJson } from '../shared/json';
import { parseTimestampMs, parseDurationMs } from './time';
import { parseCost, parseUsage } from './usage';
import type { Trace, TraceSummary } from './types';

const STATES = new Set(['OK', 'ERROR', 'IN_PROGRESS']);

export function summarizeTraceInfo(info: TraceInfo): TraceSummary {
  const i: Record<string, unknown> = isRecord(info) ? (info as unknown as Record<string, unknown>) : {};
  const tags = stringMap(i.tags);
  const metadata = stringMap(i.trace_metadata ?? i.request_metadata);
  const rawState = String(i.state ?? i.status ?? '').toUpperCase();
  const state = (STATES.has(rawState) ? rawState : 'UNKNOWN') as TraceSummary['state'];
  const loc = isRecord(i.trace_location) ? i.trace_location : undefined;
  const exp = loc && isRecord(loc.mlflow_experiment) ? loc.mlflow_experiment.experiment_id : i.experiment_id;

  const id = typeof i.trace_id === 'string' ? i.trace_id : typeof i.request_id === 'string' ? i.request_id : '';
  const duration = parseDurationMs(i.execution_duration) ?? toNumber(i.execution_time_ms);
  const s: TraceSummary = {
    id,
    state,
    requestTimeMs: parseTimestampMs(i.request_time) ?? toNumber(i.timestamp_ms) ?? 0,
    durationMs: state === 'IN_PROGRESS' || duration === undefined ? null : duration,
    tags,
    metadata,
    models: [],
  };
  if (typeof exp === 'string' || typeof exp === 'number') s.experimentId = String(exp);
  const name = tags['mlflow.traceName'];
  if (name) s.name = name;
  if (typeof i.request_preview === 'string') s.requestPreview = i.request_preview;
  if (typeof i.response_preview === 'string') s.responsePreview = i.response_preview;
  const usage = jsonMeta(metadata['mlflow.trace.tokenUsage']);
  const u = parseUsage(usage);
  if (u) s.usage = u;
  const cost = parseCost(jsonMeta(metadata['mlflow.trace.cost']));
  if (cost) s.cost = cost;
  s.models = previewModels(s.requestPreview ?? metadata['mlflow.traceInputs']);
  const assessments = parseAssessments(i.assessments);
  if (assessments.length) s.assessments = assessments;
  return s;
}

function jsonMeta(v: string | undefined): unknown {
  if (!v) return undefined;
  const r = tryParseJson(v);
  return r.ok ? r.value : undefined;
}

/** `{k: v}` or V2's `[{key, value}]`, values coerced to strings. */
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const kv of v) if (isRecord(kv) && typeof kv.key === 'string') out[kv.key] = String(kv.value ?? '');
  } else if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  }
  return out;
}

/** The model named in a (possibly truncated) request preview: Gemini calls record `model` first. */
function previewModels(preview: string | undefined): string[] {
  if (!preview) return [];
  const m = /"model"\s*:\s*"((?:[^"\\]|\\.){1,200})"/.exec(preview.slice(0, 4000));
  const name = m ? modelName(m[1]) : undefined;
  return name ? [name] : [];
}

/** The trace is still running: its spans may still come (a panel polls it). */
export function isRunning(t: Pick<Trace, 'status' | 'summary'>): boolean {
  return t.status === 'IN_PROGRESS' || t.summary.state === 'IN_PROGRESS';
}
