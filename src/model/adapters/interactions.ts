// Interactions (`mlflow.message.format` = gemini.interactions; CONTRACT.md) → ModelCall. Inputs are
// the request body (create) or `{id, …}` (get, cancel, delete); outputs the Interaction resource
// with its steps in order. Field names are the REST ones (snake_case), as both SDKs send them.
import { GEMINI_ATTR, GT_ATTR } from '../../shared/runTags';
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
  // The reply's steps may open with the request's input echoed back (user_input, and whatever
  // steps the input replayed): those are the request, not the model's work.
  const echo = echoLength(body.input, steps);
  const input = body.input !== undefined ? body.input : res.input;
  const request = inputMessages(input !== undefined ? input : steps.slice(0, echo));
  const stepUsage = a[GEMINI_ATTR.stepUsage];
  const perStep: unknown[] = Array.isArray(stepUsage) ? stepUsage : [];
  let parts: Part[] = [];
  const blocks: ReturnType<typeof textBlocks> = [];
  steps.forEach((s, i) => {
    if (i < echo || (isRecord(s) && s.type === 'user_input')) return;
    const own = anyStepParts(s, errors);
    const tokens = stepTokens(perStep[i]);
    if (own.length && tokens !== undefined) own[0] = { ...own[0], tokens };
    blocks.push(...textBlocks(s, parts.length));
    parts.push(...own);
  });
  // Automatic continuation: the SDK strings the hops' steps together, so one answer arrives as
  // one text step per hop. Read as the one answer it is (citations index the parts before the
  // join, so a joined answer keeps its sources listed on its parts but not placed in the text).
  const joined = Array.isArray(res.continuation_ids) && res.continuation_ids.length > 1;
  if (joined) parts = joinTexts(parts);
  const cited = joined ? undefined : annotationGrounding(blocks);
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
    errors: errors.length || span.status !== 'ERROR' ? errors : [spanError(span)],
    warnings: [...streamWarnings(a), ...droppedWarnings(a[GEMINI_ATTR.droppedSignatures])],
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

const CONTENT_OR_TEXT = (item: unknown) => !isRecord(item) || !str(item.type) || CONTENT_TYPES.has(str(item.type)!);

/** How many leading steps of the reply echo the request's `input` (each run of content blocks is
 *  one user_input step, each step as sent is itself); without the input (a get), the leading
 *  steps only the client sends. 0 when the reply does not echo it. */
function echoLength(input: unknown, steps: unknown[]): number {
  const type = (s: unknown) => (isRecord(s) ? str(s.type) : undefined);
  if (input === undefined || input === null) {
    let n = 0;
    while (n < steps.length && CLIENT_STEPS.has(type(steps[n]) ?? '')) n++;
    return n;
  }
  const expected: string[] = [];
  for (const item of Array.isArray(input) ? input : [input]) {
    if (CONTENT_OR_TEXT(item)) {
      if (expected[expected.length - 1] !== 'user_input' || !Array.isArray(input)) expected.push('user_input');
    } else expected.push(type(item)!);
  }
  return expected.length <= steps.length && expected.every((t, i) => type(steps[i]) === t) ? expected.length : 0;
}

/** Output and thinking tokens a stream's `step_usage` gave one step. */
function stepTokens(u: unknown): number | undefined {
  if (!isRecord(u)) return undefined;
  const out = toNumber(u.total_output_tokens);
  const thought = toNumber(u.total_thought_tokens);
  if (out === undefined && thought === undefined) return toNumber(u.total_tokens);
  return (out ?? 0) + (thought ?? 0);
}

function joinTexts(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last?.kind === 'text' && p.kind === 'text' && !last.citations && !p.citations) {
      const tokens = last.tokens !== undefined || p.tokens !== undefined ? (last.tokens ?? 0) + (p.tokens ?? 0) : undefined;
      out[out.length - 1] = { ...last, text: last.text + p.text, ...(p.signature ? { signature: true as const } : {}), ...(tokens !== undefined ? { tokens } : {}) };
    } else out.push(p);
  }
  return out;
}

/** A failed span whose outputs name no error (an HTTP error, an `error` event in a stream). */
function spanError(span: Span): ModelError {
  return { ...opt({ code: str(span.attributes['error.type']) }), message: span.statusMessage || 'The call failed.' };
}

/** What the stream attributes say about steps that may be missing. */
function streamWarnings(a: Record<string, unknown>): string[] {
  const events = toNumber(a[GT_ATTR.streamEvents]);
  const read = events !== undefined ? ` after ${events} event${events === 1 ? '' : 's'}` : '';
  const out: string[] = [];
  if (a[GT_ATTR.streamClosedEarly] === true) out.push(`The app stopped reading this stream${read}: the steps shown are the ones it read, and the status is the last one it saw.`);
  if (a[GT_ATTR.streamHandedOn] === true) out.push(`The app handed this stream on (tee, pipeTo or pipeThrough)${read}: what was read after that is not recorded.`);
  if (a[GT_ATTR.streamUnparsed] === true) out.push('An event of this stream could not be read: the steps shown are those before it (the app still got every event).');
  return out;
}

/** The tracer saw this create resend the model's call steps without their thought signatures. */
function droppedWarnings(v: unknown): string[] {
  return records(v).map((d) => {
    const what = str(d.step) ?? 'call step';
    return `This turn resends the model's ${what}${str(d.id) ? ` (id ${str(d.id)})` : ''} from interaction ${str(d.interaction) ?? 'an earlier turn'} without the thought signature that came with it. ` +
      "Gemini rejects such a turn or answers it without its earlier reasoning: send the model's steps back exactly as they came, signature fields included.";
  });
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
