// Gemini messages from a span's inputs and outputs, as they are recorded by:
//  - MLflow's Python autolog (`Models.generate_content`, `Models._generate_content`,
//    `Chat.send_message`): inputs are the call's kwargs `{model, contents, config}` or
//    `{message}`; outputs are the response's model_dump() (snake_case, nulls everywhere);
//  - the Node preload (`@google/genai`): `{model, contents, config}` → GenerateContentResponse
//    JSON (camelCase), a chat's `{message}`, and for streams the list of chunks;
//  - the raw REST body (`{contents, systemInstruction, generationConfig, tools}`).
import { field, partText, stripNulls, toContents } from './geminiContent';
import { groundingOf } from './geminiGrounding';
import { isRecord } from '../shared/json';
import { parseUsage, geminiUsageMetadata } from './usage';
import type { GeminiCall, GeminiCandidate, GeminiContent, GeminiPart, Span } from './types';

const GEMINI_NAME = /generate_?content|send_?message|count_?tokens|embed_?content/i;
/** Config fields that are plumbing, not generation settings (headers may carry credentials). */
const CONFIG_DROP = new Set(['tools', 'system_instruction', 'systemInstruction', 'http_options', 'httpOptions', 'abort_signal', 'abortSignal']);

/** The Gemini call a span records, or undefined when the span is not a Gemini call. */
export function extractGemini(span: Span): GeminiCall | undefined {
  const inputs = unwrapInputs(span.inputs);
  const outputs = span.outputs;
  const markedGemini = span.attributes['mlflow.message.format'] === 'gemini' || span.attributes['gen_ai.system'] === 'gemini'
    || span.attributes['gen_ai.provider.name'] === 'gcp.gemini' || span.attributes['mlflow.llm.provider'] === 'gemini';
  const hasRequest = isRecord(inputs) && (inputs.contents !== undefined || inputs.message !== undefined);
  const hasResponse = responses(outputs).some((r) => Array.isArray(r.candidates));
  if (!markedGemini && !(hasRequest && (hasResponse || GEMINI_NAME.test(span.name))) && !(hasResponse && GEMINI_NAME.test(span.name))) return undefined;

  const req = isRecord(inputs) ? inputs : {};
  const rawConfig = field(req, 'config') ?? field(req, 'generation_config');
  const config = isRecord(rawConfig) ? rawConfig : {};
  const contents = toContents(req.contents ?? req.message ?? (typeof inputs === 'string' ? inputs : undefined));

  const call: GeminiCall = {
    contents,
    promptText: contentsText(contents),
    config: cleanConfig(config),
    candidates: [],
    responseText: '',
    thinking: '',
    functionCalls: [],
    functionResponses: [],
  };

  const model = modelName(req.model) ?? span.model ?? modelName(firstResponseField(outputs, 'model_version'));
  if (model) call.model = model;
  const sys = field(config, 'system_instruction') ?? field(req, 'system_instruction');
  if (sys !== undefined) {
    const parts = toContents(sys, 'system').flatMap((c) => c.parts);
    call.systemInstruction = { role: 'system', parts };
  }
  // Python records callables in config.tools as "<function f at 0x…>"; MLflow's own
  // mlflow.chat.tools holds their declarations, so it wins when present.
  const tools = span.attributes['mlflow.chat.tools'] ?? field(config, 'tools') ?? field(req, 'tools');
  if (tools !== undefined) call.tools = stripNulls(tools);

  const merged = mergeResponses(responses(outputs));
  call.candidates = merged.candidates;
  const first = merged.candidates[0];
  if (first) {
    call.responseText = first.content.parts.filter((p) => p.kind !== 'thought' && p.kind !== 'functionCall').map(partText).join('');
    call.thinking = first.content.parts.filter((p) => p.kind === 'thought').map(partText).join('');
  } else if (typeof outputs === 'string') call.responseText = outputs;

  // Function calls the model asked for (this response and, with automatic function calling,
  // the rounds the SDK ran) and the responses sent back (in the request and in that history).
  const calls = new Keyed();
  const answers = new Keyed();
  for (const c of merged.afcHistory) for (const p of c.parts) if (p.kind === 'functionCall' || p.kind === 'functionResponse') (p.kind === 'functionCall' ? calls : answers).add(p);
  for (const p of first?.content.parts ?? []) if (p.kind === 'functionCall') calls.add(p);
  for (const c of contents) for (const p of c.parts) if (p.kind === 'functionResponse') answers.add(p);
  for (const p of calls.items) if (p.kind === 'functionCall') call.functionCalls.push(withId({ name: p.name, args: p.args }, p.id));
  for (const p of answers.items) if (p.kind === 'functionResponse') call.functionResponses.push(withId({ name: p.name, response: p.response }, p.id));

  const usage = span.usage ?? (merged.usage ? parseUsage(merged.usage) : undefined);
  if (usage) call.usage = usage;
  return call;
}

function withId<T extends object>(o: T, id: string | undefined): T & { id?: string } {
  return id ? { ...o, id } : o;
}

/** Collects parts once each: the same call can appear in a request's history and in AFC's. */
class Keyed {
  readonly items: GeminiPart[] = [];
  private readonly seen = new Set<string>();
  add(p: GeminiPart): void {
    let key: string;
    try {
      key = JSON.stringify(p);
    } catch {
      key = `${this.items.length}`;
    }
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(p);
  }
}

/** A recorder may wrap the call's arguments: `{params: {...}}`, `{request: {...}}`, `{args: [{...}]}`. */
function unwrapInputs(v: unknown): unknown {
  if (!isRecord(v)) return v;
  if (v.contents !== undefined || v.message !== undefined) return v;
  for (const k of ['params', 'request', 'kwargs']) if (isRecord(v[k])) return v[k];
  if (Array.isArray(v.args) && isRecord(v.args[0])) return v.args[0];
  return v;
}

export function modelName(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  return v.trim().replace(/^models\//, '');
}

function cleanConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (!CONFIG_DROP.has(k) && v !== null && v !== undefined) out[k] = stripNulls(v);
  return out;
}

/** Parts of a turn on separate lines, turns separated by a blank line. (A response's text joins
 *  its parts with nothing, as the SDKs' `.text` does; a prompt's parts are separate inputs.) */
export function contentsText(contents: GeminiContent[]): string {
  return contents
    .map((c) => c.parts.filter((p) => p.kind !== 'thought').map(partText).join('\n'))
    .filter((t) => t !== '')
    .join('\n\n');
}

/** Responses in the outputs: one object, or (streams) a list of chunks. */
function responses(outputs: unknown): Record<string, unknown>[] {
  if (Array.isArray(outputs)) return outputs.filter(isRecord);
  return isRecord(outputs) ? [outputs] : [];
}

function firstResponseField(outputs: unknown, key: string): unknown {
  for (const r of responses(outputs)) {
    const v = field(r, key);
    if (v !== undefined) return v;
  }
  return undefined;
}

interface Merged {
  candidates: GeminiCandidate[];
  usage?: Record<string, unknown>;
  afcHistory: GeminiContent[];
}

/** One response, or stream chunks merged: parts appended per candidate index, the last finish
 *  reason, safety ratings and usage metadata winning. Adjacent text parts are joined. */
function mergeResponses(list: Record<string, unknown>[]): Merged {
  const byIndex = new Map<number, GeminiCandidate>();
  let usage: Record<string, unknown> | undefined;
  let afcHistory: GeminiContent[] = [];
  for (const r of list) {
    usage = geminiUsageMetadata(r) ?? usage;
    const hist = field(r, 'automatic_function_calling_history');
    if (Array.isArray(hist) && hist.length) afcHistory = toContents(hist);
    const cands = field(r, 'candidates');
    if (!Array.isArray(cands)) continue;
    cands.forEach((c, pos) => {
      if (!isRecord(c)) return;
      const idx = typeof c.index === 'number' ? c.index : pos;
      const content = isRecord(c.content) ? toContents(c.content, 'model')[0] : undefined;
      let cand = byIndex.get(idx);
      if (!cand) {
        cand = { content: { role: content?.role ?? 'model', parts: [] } };
        byIndex.set(idx, cand);
      }
      for (const p of content?.parts ?? []) appendPart(cand.content.parts, p);
      const finish = field(c, 'finish_reason');
      if (typeof finish === 'string') cand.finishReason = finish;
      const ratings = field(c, 'safety_ratings');
      if (Array.isArray(ratings)) cand.safetyRatings = ratings.filter(isRecord).map(rating);
      const grounding = groundingOf(c);
      if (grounding) cand.grounding = grounding;
    });
  }
  const candidates = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  return usage ? { candidates, usage, afcHistory } : { candidates, afcHistory };
}

function appendPart(parts: GeminiPart[], p: GeminiPart): void {
  const last = parts[parts.length - 1];
  if (last && (last.kind === 'text' || last.kind === 'thought') && last.kind === p.kind) {
    const joined: GeminiPart = { kind: last.kind, text: last.text + (p as { text: string }).text };
    if (last.signature || p.signature) joined.signature = true;
    parts[parts.length - 1] = joined;
  } else parts.push(p);
}

function rating(r: Record<string, unknown>): { category: string; probability: string; blocked?: boolean } {
  const out: { category: string; probability: string; blocked?: boolean } = {
    category: String(field(r, 'category') ?? ''),
    probability: String(field(r, 'probability') ?? ''),
  };
  const blocked = field(r, 'blocked');
  if (typeof blocked === 'boolean') out.blocked = blocked;
  return out;
}
