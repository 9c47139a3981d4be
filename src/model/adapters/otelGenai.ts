// OpenTelemetry GenAI semantic conventions (frameworks' own spans) → ModelCall, in all three forms
// found in the wild:
//  - `gen_ai.input.messages` / `gen_ai.output.messages` / `gen_ai.system_instructions` on the span
//    or on a `gen_ai.client.inference.operation.details` event (messages of typed parts);
//  - the older events `gen_ai.{system,user,assistant,tool}.message` and `gen_ai.choice`;
//  - OpenLLMetry's indexed `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` attributes.
// Settings come from `gen_ai.request.*`, tools from `gen_ai.tool.definitions`.
import { finishCall } from '../call/text';
import type { Choice, Message, ModelCall, Part } from '../call/types';
import type { Span } from '../types';
import { isRecord, mediaPart, name, opt, parsed, records, str, stripNulls } from './values';

const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';
const OLD_EVENTS = /^gen_ai\.(system|user|assistant|tool)\.message$|^gen_ai\.choice$/;

export function hasOtelGenAiMessages(span: Span): boolean {
  const a = span.attributes;
  return a['gen_ai.input.messages'] !== undefined || a['gen_ai.output.messages'] !== undefined || a['gen_ai.system_instructions'] !== undefined
    || a['gen_ai.prompt.0.content'] !== undefined || a['gen_ai.completion.0.content'] !== undefined
    || span.events.some((e) => e.name === DETAILS_EVENT || OLD_EVENTS.test(e.name));
}

export function fromOtelGenAi(span: Span): ModelCall {
  const details = span.events.find((e) => e.name === DETAILS_EVENT)?.attributes ?? {};
  const attr = (k: string) => parsed(span.attributes[k] ?? details[k]);
  const names = new Map<string, string>();
  let request = records(attr('gen_ai.input.messages')).map((m) => message(m, names));
  let response: Choice[] = records(attr('gen_ai.output.messages')).map((m) => {
    const c: Choice = { message: message(m, names) };
    return typeof m.finish_reason === 'string' ? { ...c, finishReason: m.finish_reason } : c;
  });
  const sysParts = records(attr('gen_ai.system_instructions')).map((p) => part(p, names));
  let system: Message | undefined = sysParts.length ? { role: 'system', parts: sysParts } : undefined;
  if (!request.length && !response.length) ({ request, response, system } = fromOlderForms(span, names, system));

  const finishReasons = parsed(span.attributes['gen_ai.response.finish_reasons']);
  if (Array.isArray(finishReasons)) response.forEach((c, i) => (c.finishReason ??= str(finishReasons[i])));
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(span.attributes)) {
    if (k.startsWith('gen_ai.request.') && k !== 'gen_ai.request.model') config[k.slice('gen_ai.request.'.length)] = parsed(v);
  }
  if (span.attributes['gen_ai.output.type'] !== undefined) config.output_type = span.attributes['gen_ai.output.type'];
  const tools = attr('gen_ai.tool.definitions');
  const call = finishCall({
    provider: name(span.attributes['gen_ai.provider.name']) ?? name(span.attributes['gen_ai.system']) ?? 'unknown',
    api: 'otel.genai',
    ...opt({ operation: str(span.attributes['gen_ai.operation.name']), model: span.model, agent: str(span.attributes['gen_ai.agent.name']) }),
    ...(system ? { system } : {}),
    request,
    config,
    ...(tools !== undefined ? { tools: stripNulls(tools) } : {}),
    response,
    ordered: false,
  });
  if (span.usage) call.usage = span.usage;
  return call;
}

function message(m: Record<string, unknown>, names: Map<string, string>): Message {
  const parts = Array.isArray(m.parts) ? m.parts.map((p) => part(p, names)) : [];
  return { role: str(m.role) ?? 'user', parts };
}

/** A typed part of the conventions' message schema. */
function part(p: unknown, names: Map<string, string>): Part {
  if (!isRecord(p)) return typeof p === 'string' ? { kind: 'text', text: p } : { kind: 'other', value: p };
  const content = p.content;
  switch (p.type) {
    case 'text':
      return { kind: 'text', text: typeof content === 'string' ? content : JSON.stringify(content ?? '') };
    case 'reasoning':
      return { kind: 'thought', text: typeof content === 'string' ? content : '' };
    case 'tool_call': {
      const id = str(p.id);
      const fname = str(p.name) ?? '';
      if (id) names.set(id, fname);
      return { kind: 'functionCall', name: fname, args: parsed(p.arguments) ?? {}, ...opt({ id }) };
    }
    case 'tool_call_response': {
      const id = str(p.id)?.trim();
      return { kind: 'functionResponse', name: (id && names.get(id)) ?? '', response: parsed(p.response ?? p.result) ?? null, ...opt({ id }) };
    }
    case 'server_tool_call': {
      const inner = isRecord(p.server_tool_call) ? p.server_tool_call : {};
      return { kind: 'toolCall', tool: str(inner.type) ?? str(p.name) ?? 'server_tool', args: stripNulls(inner), ...opt({ id: str(p.id), name: str(p.name) }) };
    }
    case 'server_tool_call_response': {
      const inner = isRecord(p.server_tool_call_response) ? p.server_tool_call_response : {};
      return { kind: 'toolResult', tool: str(inner.type) ?? 'server_tool', result: stripNulls(inner), ...opt({ id: str(p.id) }) };
    }
    case 'blob':
      return mediaPart({ mime_type: p.mime_type ?? p.modality, data: content });
    case 'uri':
      return mediaPart({ mime_type: p.mime_type ?? p.modality, uri: p.uri });
    case 'file':
      return mediaPart({ mime_type: p.mime_type ?? p.modality, uri: p.file_id });
    default:
      return { kind: 'other', ...opt({ type: str(p.type) }), value: stripNulls(p) };
  }
}

interface Older {
  request: Message[];
  response: Choice[];
  system?: Message;
}

/** The older event form, else OpenLLMetry's indexed attributes. */
function fromOlderForms(span: Span, names: Map<string, string>, system: Message | undefined): Older {
  const out: Older = { request: [], response: [], system };
  for (const e of span.events) {
    const m = /^gen_ai\.(system|user|assistant|tool)\.message$/.exec(e.name);
    const body = eventBody(e.attributes);
    if (m) {
      const msg = legacyMessage(m[1], body, names);
      if (m[1] === 'system' && !out.request.length) out.system = { role: 'system', parts: [...(out.system?.parts ?? []), ...msg.parts] };
      else out.request.push(msg);
    } else if (e.name === 'gen_ai.choice') {
      const msg = parsed(body.message);
      const inner = isRecord(msg) ? msg : body;
      const c: Choice = { message: legacyMessage('assistant', inner, names) };
      if (typeof body.finish_reason === 'string') c.finishReason = body.finish_reason;
      out.response.push(c);
    }
  }
  for (const [kind, into] of [['prompt', out.request], ['completion', null]] as const) {
    for (let i = 0; span.attributes[`gen_ai.${kind}.${i}.content`] !== undefined || span.attributes[`gen_ai.${kind}.${i}.role`] !== undefined; i++) {
      const at = (k: string) => span.attributes[`gen_ai.${kind}.${i}.${k}`];
      const calls: Record<string, unknown>[] = [];
      for (let j = 0; at(`tool_calls.${j}.name`) !== undefined; j++) calls.push({ id: at(`tool_calls.${j}.id`), function: { name: at(`tool_calls.${j}.name`), arguments: at(`tool_calls.${j}.arguments`) } });
      const msg = legacyMessage(str(at('role')) ?? (kind === 'prompt' ? 'user' : 'assistant'), { content: at('content'), tool_calls: calls, id: at('tool_call_id') }, names);
      if (into) into.push(msg);
      else out.response.push(typeof at('finish_reason') === 'string' ? { message: msg, finishReason: at('finish_reason') as string } : { message: msg });
    }
  }
  return out;
}

/** An event's payload: its attributes, or the JSON body some exporters put in one attribute. */
function eventBody(a: Record<string, unknown>): Record<string, unknown> {
  const body = parsed(a.body ?? a['event.body'] ?? a['gen_ai.event.content']);
  return isRecord(body) ? body : a;
}

function legacyMessage(role: string, b: Record<string, unknown>, names: Map<string, string>): Message {
  const parts: Part[] = [];
  const content = parsed(b.content);
  if (role === 'tool') {
    const id = str(b.id) ?? str(b.tool_call_id);
    parts.push({ kind: 'functionResponse', name: (id && names.get(id)) ?? '', response: content ?? null, ...opt({ id }) });
    return { role, parts };
  }
  if (typeof content === 'string' && content) parts.push({ kind: 'text', text: content });
  else if (Array.isArray(content)) for (const c of content) parts.push(isRecord(c) && typeof c.text === 'string' ? { kind: 'text', text: c.text } : part(c, names));
  for (const tc of records(parsed(b.tool_calls))) {
    const fn = isRecord(tc.function) ? tc.function : tc;
    const id = str(tc.id);
    const fname = str(fn.name) ?? '';
    if (id) names.set(id, fname);
    parts.push({ kind: 'functionCall', name: fname, args: parsed(fn.arguments) ?? {}, ...opt({ id }) });
  }
  return { role, parts };
}
