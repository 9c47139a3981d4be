// MLflow assessments (feedback and expectations) as the views show them, read without trusting
// the payload: TraceInfoV3.assessments as `traces/search`, `traces/{id}` and `assessments`
// return them (mlflow/protos/assessments.proto). Pure.
import { isRecord } from '../shared/json';

export interface Assessment {
  id: string;
  name: string;
  kind: 'feedback' | 'expectation';
  /** The value as recorded: true/false, a number, a string, or structured JSON. */
  value: unknown;
  rationale?: string;
  /** HUMAN, LLM_JUDGE, CODE. */
  sourceType?: string;
  sourceId?: string;
  /** Set when the assessment is about one span rather than the whole trace. */
  spanId?: string;
  /** Epoch milliseconds. */
  createdMs?: number;
  /** An evaluation that failed records its error instead of a value. */
  error?: string;
  /** False once overridden by a newer assessment. */
  valid: boolean;
}

/** The feedback name thumbs up/down are recorded under, and the other defaults this extension writes. */
export const FEEDBACK_NAMES = { thumbs: 'user_feedback', score: 'user_score', expectation: 'expected_response' } as const;

export function parseAssessments(list: unknown): Assessment[] {
  if (!Array.isArray(list)) return [];
  const out: Assessment[] = [];
  for (const a of list) {
    if (!isRecord(a) || typeof a.assessment_id !== 'string') continue;
    const fb = isRecord(a.feedback) ? a.feedback : undefined;
    const ex = isRecord(a.expectation) ? a.expectation : undefined;
    if (!fb && !ex) continue;
    const src = isRecord(a.source) ? a.source : {};
    const x: Assessment = {
      id: a.assessment_id,
      name: typeof a.assessment_name === 'string' ? a.assessment_name : '(unnamed)',
      kind: fb ? 'feedback' : 'expectation',
      value: fb ? fb.value : ex!.value !== undefined ? ex!.value : serialized(ex!.serialized_value),
      valid: a.valid !== false,
    };
    if (typeof a.rationale === 'string' && a.rationale) x.rationale = a.rationale;
    if (typeof src.source_type === 'string') x.sourceType = src.source_type;
    if (typeof src.source_id === 'string' && src.source_id) x.sourceId = src.source_id;
    if (typeof a.span_id === 'string' && a.span_id) x.spanId = spanHex(a.span_id);
    const t = typeof a.create_time === 'string' ? Date.parse(a.create_time) : NaN;
    if (Number.isFinite(t)) x.createdMs = t;
    const err = fb && isRecord(fb.error) ? fb.error : isRecord(a.error) ? a.error : undefined;
    if (err) x.error = [err.error_code, err.error_message].filter((s) => typeof s === 'string' && s).join(': ') || 'error';
    out.push(x);
  }
  return out.sort((a, b) => (a.createdMs ?? 0) - (b.createdMs ?? 0));
}

function serialized(v: unknown): unknown {
  if (!isRecord(v) || typeof v.value !== 'string') return v;
  try {
    return JSON.parse(v.value);
  } catch {
    return v.value;
  }
}

/** MLflow keeps span ids as 16 hex digits; compared lower-case, like the panel's. */
function spanHex(id: string): string {
  return /^[0-9a-f]{16}$/i.test(id) ? id.toLowerCase() : id;
}

/** Thumbs on a trace: the newest valid `user_feedback` that is a boolean. */
export function thumbsOf(list: readonly Assessment[]): 'up' | 'down' | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const a = list[i];
    if (a.valid && a.kind === 'feedback' && a.name === FEEDBACK_NAMES.thumbs && typeof a.value === 'boolean') return a.value ? 'up' : 'down';
  }
  return undefined;
}

/** A value in a few words, for rows and chips. */
export function valueText(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return String(Math.round(v * 1000) / 1000);
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
