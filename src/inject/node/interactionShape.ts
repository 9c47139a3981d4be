// What an Interactions span records (the shape is in interactions.ts's header): the request body
// and the Interaction resource in REST field names, usage in MLflow's keys, request settings as
// filterable attributes. Pure functions over plain values; the app's objects are never changed.
import type { Attributes } from '@opentelemetry/api';
import { withoutMedia } from './mediaSummary';
import type { MediaPolicy } from './mediaSummary';
import { mappedUsage, toJson } from './spans';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Images and documents stay (the panel shows them) unless one would crowd out the rest. */
const MEDIA: MediaPolicy = { keepBelow: 256 * 1024 };

/** Statuses of work still under way: a background run's trace stays open through them. */
const RUNNING = new Set(['in_progress', 'queued', 'requires_continuation']);
/** Statuses that end an interaction as an error (the API's failed and cancelled). */
const FAILED = new Set(['failed', 'cancelled']);

export const isRunning = (status: unknown): boolean => typeof status === 'string' && RUNNING.has(status);
export const isFailed = (status: unknown): boolean => typeof status === 'string' && FAILED.has(status);

/** SDK-only options of create(): not part of the REST body. */
const SDK_OPTIONS = new Set(['api_version', 'automatic_continuation']);

/** The request body as the app passed it (REST field names), with MCP server headers masked (they
 *  carry credentials) and media summarized. Without content capture: no input, no instruction. */
export function createInputs(params: unknown, capture: boolean): unknown {
  if (!isObj(params)) return capture ? params : null;
  const out: Obj = {};
  for (const [k, v] of Object.entries(params)) {
    if (SDK_OPTIONS.has(k)) continue;
    if (!capture && (k === 'input' || k === 'system_instruction')) continue;
    out[k] = k === 'tools' && Array.isArray(v) ? v.map(maskTool) : v;
  }
  return withoutMedia(out, MEDIA);
}

function maskTool(tool: unknown): unknown {
  if (!isObj(tool) || !isObj(tool.headers)) return tool;
  return { ...tool, headers: Object.fromEntries(Object.keys(tool.headers).map((h) => [h, '[redacted]'])) };
}

/** Inputs of get(id, params): `{id, stream?, last_event_id?, include_input?}`. */
export function getInputs(id: unknown, params: unknown): Obj {
  const out: Obj = { id };
  if (isObj(params)) for (const k of ['stream', 'last_event_id', 'include_input']) if (params[k] !== undefined) out[k] = params[k];
  return out;
}

/** Step fields that are metadata, kept without content capture. */
const STEP_META = ['type', 'id', 'call_id', 'name', 'server_name', 'search_type', 'is_error'];
const INTERACTION_META = ['id', 'object', 'status', 'model', 'agent', 'created', 'updated', 'previous_interaction_id', 'usage', 'continuation_ids', 'service_tier', 'environment_id'];

/** The Interaction as the API returned it (without the SDK's sdkHttpResponse), media summarized.
 *  Without content capture: its metadata and each step's type and ids only. */
export function interactionOutputs(interaction: unknown, capture: boolean): unknown {
  if (!isObj(interaction)) return interaction ?? null;
  const out: Obj = {};
  if (capture) {
    for (const [k, v] of Object.entries(interaction)) if (k !== 'sdkHttpResponse') out[k] = v;
    return withoutMedia(out, MEDIA);
  }
  for (const k of INTERACTION_META) if (interaction[k] !== undefined) out[k] = interaction[k];
  if (Array.isArray(interaction.steps)) {
    out.steps = interaction.steps.map((s) => (isObj(s) ? Object.fromEntries(STEP_META.filter((k) => s[k] !== undefined).map((k) => [k, s[k]])) : {}));
  }
  if (Array.isArray(interaction.errors)) out.errors = interaction.errors;
  return out;
}

/** `mlflow.chat.tokenUsage` from an Interaction's `usage`. */
export function interactionUsage(usage: unknown): Obj | undefined {
  return mappedUsage(usage, {
    input: 'total_input_tokens', output: ['total_output_tokens'], total: 'total_tokens',
    cached: 'total_cached_tokens', thoughts: 'total_thought_tokens', toolUse: 'total_tool_use_tokens',
  });
}

// OTel GenAI request attributes from generation_config, so spans filter by them without parsing JSON.
const CONFIG_ATTRS: Array<[string, string]> = [
  ['temperature', 'gen_ai.request.temperature'],
  ['top_p', 'gen_ai.request.top_p'],
  ['max_output_tokens', 'gen_ai.request.max_tokens'],
  ['seed', 'gen_ai.request.seed'],
  ['thinking_level', 'gemini.request.thinking_level'],
  ['thinking_summaries', 'gemini.request.thinking_summaries'],
];

/** Span attributes of a create request: model or agent, settings, and MLflow's chat tools. */
export function createAttributes(params: unknown): Attributes {
  const attrs: Attributes = {};
  if (!isObj(params)) return attrs;
  if (typeof params.model === 'string') attrs['mlflow.llm.model'] = params.model;
  if (typeof params.agent === 'string') attrs['gemini.agent'] = params.agent;
  const gc = params.generation_config;
  if (isObj(gc)) {
    for (const [key, attr] of CONFIG_ATTRS) {
      const v = gc[key];
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') attrs[attr] = v;
    }
    if (Array.isArray(gc.stop_sequences)) attrs['gen_ai.request.stop_sequences'] = gc.stop_sequences.filter((s) => typeof s === 'string');
  }
  if (Array.isArray(params.tools)) {
    const fns = params.tools.filter((t): t is Obj => isObj(t) && t.type === 'function' && typeof t.name === 'string');
    if (fns.length) attrs['mlflow.chat.tools'] = toJson(fns.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })));
    const kinds = params.tools.map((t) => (isObj(t) && typeof t.type === 'string' ? t.type : '')).filter(Boolean);
    if (kinds.length) attrs['gemini.request.tools'] = [...new Set(kinds)];
  }
  return attrs;
}

/** Why an interaction that ended failed or cancelled is an error, in the API's words if it gave any. */
export function failure(interaction: Obj): { name: string; message: string } {
  const status = String(interaction.status);
  const errors = Array.isArray(interaction.errors) ? interaction.errors.filter(isObj) : [];
  const stepError = Array.isArray(interaction.steps) ? interaction.steps.map((s) => (isObj(s) && isObj(s.error) ? s.error : undefined)).find(Boolean) : undefined;
  const said = [...errors, ...(stepError ? [stepError] : [])].map((e) => e.message).filter((m) => typeof m === 'string' && m) as string[];
  const message = said.length ? `Interaction ${status}: ${said.join('; ')}` : `Interaction ${status}.`;
  return { name: status === 'cancelled' ? 'InteractionCancelled' : 'InteractionFailed', message };
}

export { isObj };
export type { Obj };
