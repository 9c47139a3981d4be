// Writes synthetic Gemini-shaped traces straight into MLflow's OTLP endpoint (`POST /v1/traces`,
// JSON encoding), many traces per request: the fastest way to fill an experiment with thousands
// of traces for benchmarks and tree tests. Shapes mirror what the Node preload writes.
import { randomBytes } from 'node:crypto';

const hex = (n) => randomBytes(n).toString('hex');
const str = (key, value) => ({ key, value: { stringValue: String(value) } });
const int = (key, value) => ({ key, value: { intValue: String(value) } });

/**
 * One trace: a root CHAIN span and one LLM child with usage, model and previews.
 * @param {{ startMs: number, durationMs?: number, runId?: string, runName?: string, runStarted?: string,
 *   prompt?: string, reply?: string, model?: string, error?: boolean, name?: string, tokens?: [number, number] }} t
 */
export function traceSpans(t) {
  const traceId = hex(16);
  const rootId = hex(8);
  const childId = hex(8);
  const start = BigInt(Math.round(t.startMs)) * 1_000_000n;
  const dur = BigInt(Math.round(t.durationMs ?? 120)) * 1_000_000n;
  const model = t.model ?? 'gemini-2.5-flash';
  const prompt = t.prompt ?? 'hello';
  const reply = t.reply ?? `echo: ${prompt}`;
  const [inTok, outTok] = t.tokens ?? [prompt.split(/\s+/).length, reply.split(/\s+/).length];
  const status = t.error ? { code: 2, message: 'INTERNAL: the stand-in failed' } : { code: 1 };
  const tags = [];
  if (t.runId) tags.push(str('mlflow.traceTag.gemini_trace.run_id', t.runId));
  if (t.runName) tags.push(str('mlflow.traceTag.gemini_trace.run_name', t.runName));
  if (t.runStarted) tags.push(str('mlflow.traceTag.gemini_trace.run_started', t.runStarted));
  // MLflow names a trace only from this tag (the Python SDK sets it from the root span).
  if (t.name) tags.push(str('mlflow.traceTag.mlflow.traceName', t.name));
  const request = JSON.stringify({ model, contents: [{ role: 'user', parts: [{ text: prompt }] }] });
  const response = JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: reply }] }, finishReason: 'STOP' }] });
  const root = {
    traceId, spanId: rootId, name: t.name ?? 'answer', kind: 1,
    startTimeUnixNano: String(start), endTimeUnixNano: String(start + dur), status,
    attributes: [str('mlflow.spanType', 'CHAIN'), str('mlflow.spanInputs', JSON.stringify({ question: prompt })),
      str('mlflow.spanOutputs', JSON.stringify(reply)), ...tags],
  };
  const child = {
    traceId, spanId: childId, parentSpanId: rootId, name: 'Models.generateContent', kind: 3,
    startTimeUnixNano: String(start + 1_000_000n), endTimeUnixNano: String(start + dur - 1_000_000n), status,
    attributes: [str('mlflow.spanType', 'LLM'), str('mlflow.llm.model', model), str('mlflow.llm.provider', 'gemini'),
      str('mlflow.message.format', 'gemini'), str('mlflow.spanInputs', request), str('mlflow.spanOutputs', response),
      str('mlflow.chat.tokenUsage', JSON.stringify({ input_tokens: inTok, output_tokens: outTok, total_tokens: inTok + outTok })),
      str('code.filepath', '/home/dev/app/index.js'), int('code.lineno', 12)],
  };
  if (t.error) child.events = [{ name: 'exception', timeUnixNano: String(start + dur - 1_000_000n), attributes: [str('exception.type', 'ServerError'), str('exception.message', 'INTERNAL: the stand-in failed')] }];
  return { traceId, spans: [root, child] };
}

/** Posts traces in batches; returns the OTel trace ids (32 hex) in input order. */
export async function postTraces(baseUrl, experimentId, traces, { batch = 200 } = {}) {
  const ids = [];
  for (let i = 0; i < traces.length; i += batch) {
    const spans = [];
    for (const t of traces.slice(i, i + batch)) {
      const built = traceSpans(t);
      ids.push(built.traceId);
      spans.push(...built.spans);
    }
    const body = { resourceSpans: [{ resource: { attributes: [str('service.name', 'gemini-trace-bench')] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] };
    const r = await fetch(`${baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': experimentId },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`OTLP ingest ${r.status}: ${(await r.text()).slice(0, 300)}`);
  }
  return ids;
}

/** Creates an experiment and returns its id. */
export async function createExperiment(baseUrl, name) {
  const r = await fetch(`${baseUrl}/api/2.0/mlflow/experiments/create`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }),
  });
  if (!r.ok) throw new Error(`create experiment ${name}: ${r.status} ${await r.text()}`);
  return (await r.json()).experiment_id;
}
