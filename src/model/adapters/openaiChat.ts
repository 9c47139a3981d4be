// OpenAI chat completions (OpenAI-compatible endpoints, gateways, MLflow's OpenAI autolog) →
// ModelCall. Inputs: the request body (`messages`, `tools`, sampling settings); outputs: the
// ChatCompletion, or the list of streamed chunks, assembled here choice by choice.
import { finish } from '../usage';
import { appendJoined, finishCall } from '../call/text';
import type { Choice, Message, ModelCall, ModelUsage, Part } from '../call/types';
import type { Span } from '../types';
import { isRecord, mediaPart, name, opt, parsed, records, str, stripNulls, toNumber } from './values';

const NOT_CONFIG = new Set(['messages', 'tools', 'functions', 'model', 'stream_options', 'extra_headers', 'extra_query', 'extra_body', 'timeout', 'user', 'metadata']);

export function looksLikeOpenAiChat(span: Span): boolean {
  const i = span.inputs;
  const o = Array.isArray(span.outputs) ? span.outputs[0] : span.outputs;
  return isRecord(i) && Array.isArray(i.messages) && i.messages.some((m) => isRecord(m) && typeof m.role === 'string') && (isRecord(o) ? Array.isArray(o.choices) : o === null || o === undefined);
}

export function fromOpenAiChat(span: Span): ModelCall {
  const body = isRecord(span.inputs) ? span.inputs : {};
  const namesById = new Map<string, string>();
  const messages = records(body.messages).map((m) => message(m, namesById));
  let system: Message | undefined;
  while (messages.length && (messages[0].role === 'system' || messages[0].role === 'developer')) {
    const m = messages.shift()!;
    system = system ? { role: 'system', parts: [...system.parts, ...m.parts] } : { role: 'system', parts: m.parts };
  }
  const completion = assemble(span.outputs);
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!NOT_CONFIG.has(k) && v !== null && v !== undefined) config[k] = stripNulls(v);
  const format = isRecord(body.response_format) ? body.response_format : undefined;
  const call = finishCall({
    provider: providerOf(span),
    api: 'openai.chat',
    operation: 'chat',
    ...opt({ model: str(completion.model) ?? str(body.model) ?? span.model }),
    ...(system ? { system } : {}),
    request: messages,
    config,
    ...(body.tools !== undefined || body.functions !== undefined ? { tools: stripNulls(body.tools ?? body.functions) } : {}),
    ...(format && format.type !== 'text' ? { responseSchema: format.json_schema ?? format } : {}),
    response: records(completion.choices).map(choice),
    ordered: false,
  });
  const usage = span.usage ?? usageOf(completion.usage);
  if (usage) call.usage = usage;
  return call;
}

function providerOf(span: Span): string {
  const a = span.attributes;
  return name(a['mlflow.llm.provider']) ?? name(a['gen_ai.provider.name']) ?? name(a['gen_ai.system']) ?? 'openai';
}

function message(m: Record<string, unknown>, namesById: Map<string, string>): Message {
  const role = str(m.role) ?? 'user';
  const parts: Part[] = [];
  const reasoning = str(m.reasoning_content) ?? str(m.reasoning);
  if (reasoning) parts.push({ kind: 'thought', text: reasoning });
  if (role === 'tool' || role === 'function') {
    const id = str(m.tool_call_id);
    parts.push({ kind: 'functionResponse', name: str(m.name) ?? (id ? namesById.get(id) : undefined) ?? '', response: toolContent(m.content), ...opt({ id }) });
    return { role, parts };
  }
  contentParts(m.content, parts);
  if (typeof m.refusal === 'string' && m.refusal) parts.push({ kind: 'event', name: 'refusal', detail: m.refusal });
  for (const tc of records(m.tool_calls)) {
    const fn = isRecord(tc.function) ? tc.function : {};
    const id = str(tc.id);
    const fname = str(fn.name) ?? '';
    if (id) namesById.set(id, fname);
    parts.push({ kind: 'functionCall', name: fname, args: parsed(fn.arguments) ?? {}, ...opt({ id }) });
  }
  if (isRecord(m.function_call)) parts.push({ kind: 'functionCall', name: str(m.function_call.name) ?? '', args: parsed(m.function_call.arguments) ?? {} });
  if (isRecord(m.audio)) parts.push({ kind: 'media', mimeType: 'audio', ...opt({ uri: str(m.audio.id) }) });
  return { role, parts };
}

function contentParts(content: unknown, out: Part[]): void {
  if (typeof content === 'string') {
    if (content) appendJoined(out, { kind: 'text', text: content });
    return;
  }
  for (const c of Array.isArray(content) ? content : []) {
    if (!isRecord(c)) continue;
    if ((c.type === 'text' || c.type === 'input_text') && typeof c.text === 'string') out.push({ kind: 'text', text: c.text });
    else if (c.type === 'image_url' && isRecord(c.image_url)) out.push(urlMedia(str(c.image_url.url), 'image'));
    else if (c.type === 'input_audio' && isRecord(c.input_audio)) out.push(mediaPart({ data: c.input_audio.data, mimeType: `audio/${str(c.input_audio.format) ?? '*'}` }));
    else if (c.type === 'file' && isRecord(c.file)) out.push(mediaPart({ data: c.file.file_data, uri: str(c.file.file_id) ?? str(c.file.filename) }));
    else if (c.type === 'refusal' && typeof c.refusal === 'string') out.push({ kind: 'event', name: 'refusal', detail: c.refusal });
    else out.push({ kind: 'other', ...opt({ type: str(c.type) }), value: stripNulls(c) });
  }
}

/** An image given by URL, or inline as a data: URL (kept as its type and size only). */
function urlMedia(url: string | undefined, kind: string): Part {
  const m = url ? /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url) : null;
  if (m) return mediaPart({ mimeType: m[1] ?? kind, data: m[3] });
  return { kind: 'media', mimeType: kind, ...opt({ uri: url }) };
}

function toolContent(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((c) => (isRecord(c) && typeof c.text === 'string' ? c.text : c)).join('');
  return parsed(v) ?? null;
}

function choice(c: Record<string, unknown>): Choice {
  const out: Choice = { message: message(isRecord(c.message) ? c.message : {}, new Map()) };
  if (out.message.role === 'user') out.message.role = 'assistant';
  if (typeof c.finish_reason === 'string') out.finishReason = c.finish_reason;
  return out;
}

/** The completion, or streamed chunks merged: per choice index, text appended, tool calls by
 *  their index with argument fragments joined, the last finish reason and usage winning. */
function assemble(outputs: unknown): Record<string, unknown> {
  if (!Array.isArray(outputs)) return isRecord(outputs) ? outputs : {};
  const chunks = outputs.filter(isRecord);
  const byIndex = new Map<number, { role: string; content: string; reasoning: string; tools: Map<number, { id?: string; name: string; args: string }>; finish?: string }>();
  let model: unknown;
  let usage: unknown;
  for (const ch of chunks) {
    model ??= ch.model;
    if (isRecord(ch.usage)) usage = ch.usage;
    for (const c of records(ch.choices)) {
      const i = toNumber(c.index) ?? 0;
      const acc = byIndex.get(i) ?? byIndex.set(i, { role: 'assistant', content: '', reasoning: '', tools: new Map() }).get(i)!;
      const d = isRecord(c.delta) ? c.delta : isRecord(c.message) ? c.message : {};
      if (typeof d.role === 'string') acc.role = d.role;
      if (typeof d.content === 'string') acc.content += d.content;
      const r = str(d.reasoning_content) ?? str(d.reasoning);
      if (r) acc.reasoning += r;
      for (const t of records(d.tool_calls)) {
        const k = toNumber(t.index) ?? acc.tools.size;
        const tool = acc.tools.get(k) ?? acc.tools.set(k, { name: '', args: '' }).get(k)!;
        if (typeof t.id === 'string') tool.id = t.id;
        const fn = isRecord(t.function) ? t.function : {};
        if (typeof fn.name === 'string') tool.name += fn.name;
        if (typeof fn.arguments === 'string') tool.args += fn.arguments;
      }
      if (typeof c.finish_reason === 'string') acc.finish = c.finish_reason;
    }
  }
  const choices = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index, a]) => ({
    index,
    message: {
      role: a.role,
      content: a.content,
      ...(a.reasoning ? { reasoning_content: a.reasoning } : {}),
      tool_calls: [...a.tools.values()].map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.args } })),
    },
    finish_reason: a.finish,
  }));
  return { model, usage, choices };
}

function usageOf(u: unknown): ModelUsage | undefined {
  if (!isRecord(u)) return undefined;
  const input = toNumber(u.prompt_tokens ?? u.input_tokens);
  const output = toNumber(u.completion_tokens ?? u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const pd = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details : isRecord(u.input_tokens_details) ? u.input_tokens_details : {};
  const cd = isRecord(u.completion_tokens_details) ? u.completion_tokens_details : isRecord(u.output_tokens_details) ? u.output_tokens_details : {};
  // Reasoning tokens are already inside completion_tokens: total = prompt + completion.
  return finish(input ?? 0, output ?? 0, toNumber(u.total_tokens) ?? (input ?? 0) + (output ?? 0), toNumber(pd.cached_tokens) ?? 0, toNumber(cd.reasoning_tokens) ?? 0);
}
