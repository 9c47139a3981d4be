// A replay as a trace: one model-call span shaped as the Node tracer shapes the original (same
// name, type, message format, inputs as the SDK took them, outputs the response JSON, usage in
// MLflow's keys on this one span), tagged with the "replays" run and the call it replays, sent to
// MLflow's OTLP endpoint as OTLP/JSON. Pure: it returns the body; the client posts it.
import { randomBytes } from 'node:crypto';
import { isRecord } from '../shared/json';
import { GEMINI_ATTR, GEMINI_TAG, MESSAGE_FORMAT, OTLP_TRACE_TAG_PREFIX, TAG } from '../shared/runTags';
import type { ReplayOrigin } from './request';

/** The run every replay of an experiment belongs to. */
export const REPLAY_RUN = { id: 'replays', name: 'replays' } as const;

export interface ReplayResult {
  origin: ReplayOrigin;
  /** The request as sent (the edited document). */
  request: Record<string, unknown>;
  model?: string;
  url: string;
  /** The API base the request went to (recorded as gemini.api.base_url, so it replays there too). */
  base: string;
  startMs: number;
  endMs: number;
  /** The response JSON (streams: the list of chunks), or the error body. */
  outputs: unknown;
  error?: string;
}

type Value = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

function value(v: unknown): Value {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: JSON.stringify(v) };
}

/** MLflow's usage keys from the last response's usageMetadata. */
export function usageOf(outputs: unknown): Record<string, number> | undefined {
  const last = Array.isArray(outputs) ? outputs[outputs.length - 1] : outputs;
  const u = isRecord(last) ? (last.usageMetadata ?? last.usage) : undefined;
  if (!isRecord(u)) return undefined;
  const n = (k: string) => (typeof u[k] === 'number' ? (u[k] as number) : undefined);
  const input = n('promptTokenCount') ?? n('total_input_tokens');
  const output = (n('candidatesTokenCount') ?? n('total_output_tokens') ?? 0) + (n('thoughtsTokenCount') ?? n('total_thought_tokens') ?? 0);
  const total = n('totalTokenCount') ?? n('total_tokens');
  if (input === undefined && total === undefined) return undefined;
  return { input_tokens: input ?? 0, output_tokens: output, total_tokens: total ?? (input ?? 0) + output };
}

/** The OTLP/JSON body and the MLflow trace id it creates. */
export function replayTrace(r: ReplayResult): { traceId: string; spanId: string; body: unknown } {
  const traceHex = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);
  const usage = r.error ? undefined : usageOf(r.outputs);
  const attrs: Record<string, unknown> = {
    'mlflow.spanType': r.origin.spanType || 'LLM',
    'mlflow.spanInputs': r.request,
    'mlflow.spanOutputs': r.outputs,
    'mlflow.message.format': r.origin.api === 'interactions' ? MESSAGE_FORMAT.interactions : MESSAGE_FORMAT.generateContent,
    'mlflow.llm.provider': 'gemini',
    ...(r.model ? { 'mlflow.llm.model': r.model } : {}),
    ...(usage ? { 'mlflow.chat.tokenUsage': usage } : {}),
    [GEMINI_ATTR.baseUrl]: r.base,
    [`${OTLP_TRACE_TAG_PREFIX}mlflow.traceName`]: `Replay of ${r.origin.spanName}`,
    [`${OTLP_TRACE_TAG_PREFIX}${TAG.runId}`]: REPLAY_RUN.id,
    [`${OTLP_TRACE_TAG_PREFIX}${TAG.runName}`]: REPLAY_RUN.name,
    [`${OTLP_TRACE_TAG_PREFIX}${TAG.runtime}`]: 'vscode',
    [`${OTLP_TRACE_TAG_PREFIX}${GEMINI_TAG.replayOf}`]: `${r.origin.traceId}/${r.origin.spanId}`,
  };
  const span = {
    traceId: traceHex,
    spanId,
    parentSpanId: '',
    name: r.origin.spanName,
    kind: 3,
    startTimeUnixNano: ns(r.startMs),
    endTimeUnixNano: ns(Math.max(r.endMs, r.startMs)),
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: value(v) })),
    events: [],
    status: r.error ? { code: 2, message: r.error } : { code: 1, message: '' },
  };
  const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gemini-trace-replay' } }] }, scopeSpans: [{ scope: { name: 'gemini-trace-replay' }, spans: [span] }] }] };
  return { traceId: `tr-${traceHex}`, spanId, body };
}
