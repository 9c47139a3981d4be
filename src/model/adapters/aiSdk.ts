// The Vercel AI SDK's own span attributes (`ai.*`, its LegacyOpenTelemetry integration; names as
// @ai-sdk/otel 1.x and ai 4–7 write them) → ModelCall:
//  - the outer `ai.generateText` / `ai.streamText` / `ai.generateObject` span: `ai.prompt` is JSON
//    `{system, prompt, messages}` of the app's messages;
//  - each `….doGenerate` / `….doStream` step: `ai.prompt.messages` is JSON of the provider prompt
//    (`[{role, content}]`, content a string or typed parts), `ai.prompt.tools` a list of JSON texts;
//  - both: `ai.response.text`, `.reasoning`, `.toolCalls`, `.files`, `.object`, `.finishReason`,
//    `ai.model.id`, `ai.model.provider`, `ai.settings.*`.
import { finishCall } from '../call/text';
import type { Message, ModelCall, Part } from '../call/types';
import type { Span } from '../types';
import { isRecord, mediaPart, name, opt, parsed, records, str, stripNulls } from './values';

const RESPONSE_KEYS = ['ai.response.text', 'ai.response.toolCalls', 'ai.response.object', 'ai.response.reasoning', 'ai.response.files'];

export function isAiSdkCall(span: Span): boolean {
  const a = span.attributes;
  const op = str(a['ai.operationId']) ?? span.name;
  if (/^ai\.(toolCall|embed|embedMany|rerank|transcribe|generateSpeech)\b/.test(op)) return false;
  return a['ai.prompt.messages'] !== undefined || a['ai.prompt'] !== undefined || RESPONSE_KEYS.some((k) => a[k] !== undefined);
}

export function fromAiSdk(span: Span): ModelCall {
  const a = span.attributes;
  const names = new Map<string, string>();
  let system: Message | undefined;
  const request: Message[] = [];
  const take = (messages: unknown) => {
    for (const m of records(messages)) {
      const msg = message(m, names);
      if (msg.role === 'system' && !request.length) system = { role: 'system', parts: [...(system?.parts ?? []), ...msg.parts] };
      else request.push(msg);
    }
  };
  const stepPrompt = parsed(a['ai.prompt.messages']);
  if (Array.isArray(stepPrompt)) take(stepPrompt);
  else {
    const prompt = parsed(a['ai.prompt']);
    if (isRecord(prompt)) {
      const sys = prompt.system ?? prompt.instructions;
      if (typeof sys === 'string' && sys) system = { role: 'system', parts: [{ kind: 'text', text: sys }] };
      else if (sys !== undefined && sys !== null) take(Array.isArray(sys) ? sys : [sys]);
      if (typeof prompt.prompt === 'string') request.push({ role: 'user', parts: [{ kind: 'text', text: prompt.prompt }] });
      else take(prompt.prompt);
      take(prompt.messages);
    }
  }

  const parts: Part[] = [];
  const reasoning = str(a['ai.response.reasoning']);
  if (reasoning) parts.push({ kind: 'thought', text: reasoning });
  const text = str(a['ai.response.text']) ?? (a['ai.response.object'] !== undefined ? (typeof a['ai.response.object'] === 'string' ? a['ai.response.object'] : JSON.stringify(a['ai.response.object'])) : undefined);
  if (text) parts.push({ kind: 'text', text });
  for (const tc of records(parsed(a['ai.response.toolCalls']))) parts.push(toolCall(tc, names));
  for (const f of records(parsed(a['ai.response.files']))) parts.push(mediaPart({ mediaType: f.mediaType ?? f.mimeType, data: f.data }));

  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (k.startsWith('ai.settings.') && v !== undefined && v !== null) config[k.slice('ai.settings.'.length)] = parsed(v);
  const choice = parsed(a['ai.prompt.toolChoice']);
  if (choice !== undefined) config.toolChoice = choice;
  const schema = parsed(a['ai.schema']);
  if (schema !== undefined) config.schema = schema;
  const tools = parsed(a['ai.prompt.tools']);
  const finishReason = str(a['ai.response.finishReason']);
  const call = finishCall({
    provider: name(a['ai.model.provider']) ?? name(a['gen_ai.system']) ?? 'unknown',
    api: 'ai-sdk',
    ...opt({ operation: str(a['ai.operationId']) ?? span.name, model: str(a['ai.response.model']) ?? str(a['ai.model.id']) ?? span.model }),
    ...(system ? { system } : {}),
    request,
    config,
    ...(tools !== undefined ? { tools: Array.isArray(tools) ? tools.map(parsed) : tools } : {}),
    ...(schema !== undefined ? { responseSchema: schema } : {}),
    response: parts.length || finishReason ? [{ message: { role: 'assistant', parts }, ...opt({ finishReason }) }] : [],
    ordered: false,
  });
  if (span.usage) call.usage = span.usage;
  return call;
}

function toolCall(tc: Record<string, unknown>, names: Map<string, string>): Part {
  const id = str(tc.toolCallId);
  const fname = str(tc.toolName) ?? '';
  if (id) names.set(id, fname);
  return { kind: 'functionCall', name: fname, args: parsed(tc.input ?? tc.args) ?? {}, ...opt({ id }) };
}

/** A message of either prompt form: content a string, or parts typed text, image, file,
 *  reasoning, tool-call (input or args) and tool-result (output `{type, value}` or result). */
function message(m: Record<string, unknown>, names: Map<string, string>): Message {
  const role = str(m.role) ?? 'user';
  const content = m.content;
  if (typeof content === 'string') return { role, parts: content ? [{ kind: 'text', text: content }] : [] };
  const parts: Part[] = [];
  for (const c of Array.isArray(content) ? content : []) {
    if (!isRecord(c)) continue;
    switch (c.type) {
      case 'text':
        parts.push({ kind: 'text', text: str(c.text) ?? '' });
        break;
      case 'reasoning':
        parts.push({ kind: 'thought', text: str(c.text) ?? '' });
        break;
      case 'image':
        parts.push(mediaPart({ mediaType: c.mediaType ?? c.mimeType ?? 'image', data: c.image }));
        break;
      case 'file':
        parts.push(mediaPart({ mediaType: c.mediaType ?? c.mimeType, data: c.data }));
        break;
      case 'tool-call':
        parts.push(toolCall(c, names));
        break;
      case 'tool-result': {
        const id = str(c.toolCallId);
        const out = isRecord(c.output) && 'value' in c.output ? c.output.value : (c.output ?? c.result);
        const isError = isRecord(c.output) && typeof c.output.type === 'string' && c.output.type.startsWith('error');
        parts.push({ kind: 'functionResponse', name: str(c.toolName) ?? (id ? names.get(id) : undefined) ?? '', response: out ?? null, ...opt({ id }), ...(isError ? { isError: true as const } : {}) });
        break;
      }
      default:
        parts.push({ kind: 'other', ...opt({ type: str(c.type) }), value: stripNulls(c) });
    }
  }
  return { role, parts };
}
