// AI SDK 7's telemetry events as the `ai.*` attributes AI SDK 6's OpenTelemetry writes (aiSdk7.ts
// turns its events into spans with them, so both majors' spans read alike): settings, the model's
// prompt and reply, usage. Pure functions of the event payloads.
import type { Attributes } from '@opentelemetry/api';
import { attributeValue } from './aiSdkShape';

type Obj = Record<string, unknown>;
export type Event = Obj & { callId?: unknown };
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
export const J = (v: unknown) => JSON.stringify(v);

const SETTINGS = ['maxOutputTokens', 'temperature', 'topP', 'topK', 'presencePenalty', 'frequencyPenalty', 'stopSequences', 'seed', 'maxRetries'];

export function settings(e: Event, into: Attributes): void {
  for (const k of SETTINGS) {
    const v = attributeValue(e[k]);
    if (v !== undefined) into[`ai.settings.${k}`] = v;
  }
}

export function put(into: Attributes, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  const v = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : J(value);
  if (v !== undefined) into[key] = v;
}

export function usageAttrs(into: Attributes, u: unknown): void {
  if (!isObj(u)) return;
  const n = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const inDetails = isObj(u.inputTokenDetails) ? u.inputTokenDetails : {};
  const outDetails = isObj(u.outputTokenDetails) ? u.outputTokenDetails : {};
  const pairs: Array<[string, number | undefined]> = [
    ['inputTokens', n(u.inputTokens)], ['outputTokens', n(u.outputTokens)], ['totalTokens', n(u.totalTokens)],
    ['reasoningTokens', n(outDetails.reasoningTokens) ?? n(u.reasoningTokens)], ['cachedInputTokens', n(inDetails.cacheReadTokens) ?? n(u.cachedInputTokens)],
  ];
  for (const [k, v] of pairs) if (v !== undefined) into[`ai.usage.${k}`] = v;
}

export function responseAttrs(into: Attributes, content: unknown, capture: boolean): void {
  if (!Array.isArray(content) || !capture) return;
  const text = content.filter((p) => isObj(p) && p.type === 'text').map((p) => (p as Obj).text).join('');
  const reasoning = content.filter((p) => isObj(p) && p.type === 'reasoning').map((p) => (p as Obj).text).join('');
  const calls = content.filter((p) => isObj(p) && p.type === 'tool-call').map((p) => ({ toolCallId: (p as Obj).toolCallId, toolName: (p as Obj).toolName, input: (p as Obj).input }));
  if (text) into['ai.response.text'] = text;
  if (reasoning) into['ai.response.reasoning'] = reasoning;
  if (calls.length) into['ai.response.toolCalls'] = J(calls);
}

export function promptMessages(e: Event): unknown[] {
  const system = e.instructions ?? e.system;
  const messages = Array.isArray(e.messages) ? e.messages : [];
  return typeof system === 'string' && system ? [{ role: 'system', content: system }, ...messages] : messages;
}
