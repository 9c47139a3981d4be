// A generated trace body (bench/gen-trace.mjs) whose last model call resends an earlier model
// turn: what the panel's history check looks for (src/panel/session.ts resendsHistory).
import assert from 'node:assert/strict';

/** `spansJson` with its last model call's request carrying an earlier user and model turn. */
export function withResentTurn(spansJson: string): string {
  const body = JSON.parse(spansJson) as { spans: { attributes: Record<string, string> }[] };
  const call = body.spans.filter((s) => s.attributes['mlflow.spanType'] === '"CHAT_MODEL"').at(-1);
  assert.ok(call, 'the generated trace has a model call');
  const inputs = JSON.parse(call.attributes['mlflow.spanInputs']) as { contents: unknown[] };
  inputs.contents.unshift({ role: 'user', parts: [{ text: 'earlier question' }] }, { role: 'model', parts: [{ text: 'earlier answer' }] });
  call.attributes['mlflow.spanInputs'] = JSON.stringify(inputs);
  return JSON.stringify(body);
}
