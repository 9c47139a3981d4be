// Interactions (`mlflow.message.format` = gemini.interactions; CONTRACT.md) → ModelCall. Inputs are
// the request body (create) or `{id, …}` (get, cancel, delete); outputs the Interaction resource
// with its steps in order. Field names are the REST ones (snake_case), as both SDKs send them.
import { GEMINI_ATTR } from '../runTags';
import { modelName } from '../gemini';
import { finish } from '../usage';
import { finishCall } from '../call/text';
import type { Message, ModelCall, ModelError, ModelUsage, Part } from '../call/types';
import type { Span } from '../types';
import { placeGrounding } from '../call/grounding';
import { annotationGrounding, textBlocks } from './interactionGrounding';
import { anyStepParts, contentPart } from './interactionSteps';
import { isRecord, name, opt, records, str, stripNulls, toNumber, withToolUse } from './values';

/** Request fields that are generation settings (besides generation_config's own). */
const CONFIG_FIELDS = ['response_format', 'response_mime_type', 'response_modalities', 'agent_config', 'background', 'store', 'stream', 'service_tier', 'safety_settings', 'cached_content', 'labels'];
/** Steps the client sends (its side of the conversation); every other step is the model's or the server's. */
const CLIENT_STEPS = new Set(['user_input', 'function_result']);
const CONTENT_TYPES = new Set(['text', 'image', 'audio', 'video', 'document']);

export function fromInteractions(span: Span): ModelCall {
  const body = isRecord(span.inputs) ? span.inputs : {};
  const res = isRecord(span.outputs) ? span.outputs : {};
  const a = span.attributes;
  const errors: ModelError[] = records(res.errors).map((e) => ({ ...opt({ code: e.code === undefined ? undefined : String(e.code) }), message: str(e.message) ?? JSON.stringify(e) }));

  const steps: unknown[] = Array.isArray(res.steps) ? res.steps : Array.isArray(res.outputs) ? res.outputs : [];
  const echoedInput = steps.filter((s) => isRecord(s) && s.type === 'user_input');
  let request = inputMessages(body.input !== undefined ? body.input : res.input);
  if (!request.length && echoedInput.length) request = inputMessages(echoedInput);
  const parts: Part[] = [];
  const blocks: ReturnType<typeof textBlocks> = [];
  for (const s of steps) {
    if (isRecord(s) && s.type === 'user_input') continue;
    blocks.push(...textBlocks(s, parts.length));
    parts.push(...anyStepParts(s, errors));
  }
  const cited = annotationGrounding(blocks);
  if (!parts.length && typeof res.output_text === 'string' && res.output_text) parts.push({ kind: 'text', text: res.output_text });

  const system = str(body.system_instruction) ?? str(res.system_instruction);
  const config: Record<string, unknown> = {};
  for (const src of [res, body]) {
    if (isRecord(src.generation_config)) Object.assign(config, stripNulls(src.generation_config));
    for (const k of CONFIG_FIELDS) if (src[k] !== undefined && src[k] !== null) config[k] = stripNulls(src[k]);
  }
  const tools = body.tools ?? res.tools;
  const status = str(res.status) ?? str(a[GEMINI_ATTR.interactionStatus]);
  const call = finishCall({
    provider: 'gemini',
    api: 'gemini.interactions',
    operation: /cancel/i.test(span.name) ? 'cancel' : /delete/i.test(span.name) ? 'delete' : /\bget\b|\.get$/i.test(span.name) ? 'get' : 'create',
    ...opt({ model: modelName(body.model) ?? modelName(res.model) ?? span.model, agent: name(body.agent) ?? name(res.agent) ?? name(a[GEMINI_ATTR.agent]), status }),
    ...(system ? { system: { role: 'system', parts: [{ kind: 'text', text: system }] } } : {}),
    request,
    config,
    ...(tools !== undefined && tools !== null ? { tools: stripNulls(tools) } : {}),
    ...(config.response_format !== undefined ? { responseSchema: config.response_format } : {}),
    response: parts.length || status ? [{ message: { role: 'model', parts }, ...(cited ? { grounding: placeGrounding(cited, parts) } : {}) }] : [],
    ordered: true,
    errors,
  });
  const usage = span.usage ? withToolUse(span.usage, a['mlflow.chat.tokenUsage']) : usageOf(res.usage);
  if (usage) call.usage = usage;
  const ids = opt({
    interaction: str(res.id) ?? str(body.id) ?? str(a[GEMINI_ATTR.interactionId]),
    previous: str(body.previous_interaction_id) ?? str(res.previous_interaction_id) ?? str(a[GEMINI_ATTR.previousInteractionId]),
  });
  if (Object.keys(ids).length) call.ids = ids;
  return call;
}

/** `input`: a string, a content block, a list of content blocks, a list of steps, or (before
 *  steps) a list of `{role, content}` turns → messages, consecutive items of one side together. */
export function inputMessages(input: unknown): Message[] {
  if (input === undefined || input === null) return [];
  const items = Array.isArray(input) ? input : [input];
  const out: Message[] = [];
  const add = (role: string, parts: Part[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else out.push({ role, parts: [...parts] });
  };
  for (const item of items) {
    if (!isRecord(item)) {
      add('user', [contentPart(item)]);
      continue;
    }
    const type = str(item.type);
    if (!type && typeof item.role === 'string') {
      const content = item.content;
      add(item.role, Array.isArray(content) ? content.map(contentPart) : [contentPart(content)]);
    } else if (!type || CONTENT_TYPES.has(type)) add('user', [contentPart(item)]);
    else add(CLIENT_STEPS.has(type) ? 'user' : 'model', anyStepParts(item));
  }
  return out.filter((m) => m.parts.length);
}

/** The resource's `usage` (total_input_tokens, …), for spans that carry no usage attribute. */
function usageOf(u: unknown): ModelUsage | undefined {
  if (!isRecord(u)) return undefined;
  const n = (k: string) => toNumber(u[k]);
  if (n('total_input_tokens') === undefined && n('total_output_tokens') === undefined && n('total_tokens') === undefined) return undefined;
  const tool = n('total_tool_use_tokens');
  const usage: ModelUsage = finish(n('total_input_tokens') ?? 0, n('total_output_tokens') ?? 0, n('total_tokens'), n('total_cached_tokens') ?? 0, n('total_thought_tokens') ?? 0, tool ?? 0);
  return tool ? { ...usage, toolUse: tool } : usage;
}
