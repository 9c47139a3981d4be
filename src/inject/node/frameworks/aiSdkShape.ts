// The Vercel AI SDK's spans as MLflow reads them, for both majors: AI SDK 6 writes its own `ai.*`
// attributes on our tracer's spans (aiSdk6.ts), and for AI SDK 7 we write the same attributes from
// its telemetry events (aiSdk7.ts), so one adapter (src/model/adapters/aiSdk.ts), one set of views
// and one set of assertions serve both. What this adds to a span when it ends:
//
// - mlflow.spanType: the operation (`ai.generateText`, `ai.streamText`, `ai.generateObject`,
//   `ai.streamObject`) is AGENT when the model was offered tools (a ToolLoopAgent's too, with
//   gen_ai.agent.name), else CHAIN; each model call (`….doGenerate`, `….doStream`) CHAT_MODEL;
//   `ai.toolCall` TOOL; `ai.embed` / `ai.embedMany` CHAIN over `….doEmbed` EMBEDDING.
// - No mlflow.spanInputs / mlflow.spanOutputs: MLflow's own Vercel AI translator derives them from
//   the `ai.*` attributes as it stores the span (the operation's `ai.prompt` and `ai.response.text`,
//   a model call's `ai.prompt.*` and `ai.response.*`, a tool call's `ai.toolCall.args` / `.result`),
//   so each prompt and response is sent once, not twice.
// - mlflow.llm.model / mlflow.llm.provider ("gemini" for Google's providers) on operation and model call.
// - mlflow.chat.tokenUsage on the model-call spans only, from Gemini's own usageMetadata when the
//   provider passed it on (thinking and cached counts as for a direct SDK call), else from
//   ai.usage.*; the operation keeps the SDK's ai.usage.* totals, which MLflow does not sum.
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { GT_ATTR } from '../../../shared/runTags';
import { ATTR, fromJson, mappedUsage, toJson, tokenUsage } from '../spans';
import type { SpanType } from '../spans';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export const LIBRARY = 'ai';

const OPERATIONS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);

export type Role = 'operation' | 'model' | 'tool' | 'embed' | 'embedCall' | 'other';

/** What a span is, from its operation id (`ai.operationId`, else its name). */
export function roleOf(operationId: string): Role {
  if (OPERATIONS.has(operationId)) return 'operation';
  if (/\.do(Generate|Stream)$/.test(operationId)) return 'model';
  if (operationId === 'ai.toolCall') return 'tool';
  if (operationId === 'ai.embed' || operationId === 'ai.embedMany') return 'embed';
  if (/\.doEmbed$/.test(operationId)) return 'embedCall';
  return 'other';
}

export function spanTypeOf(role: Role, usedTools: boolean): SpanType {
  switch (role) {
    case 'operation':
      return usedTools ? 'AGENT' : 'CHAIN';
    case 'model':
      return 'CHAT_MODEL';
    case 'tool':
      return 'TOOL';
    case 'embed':
      return 'CHAIN';
    case 'embedCall':
      return 'EMBEDDING';
    default:
      return 'UNKNOWN';
  }
}

/** Attributes every AI SDK span of ours starts with. */
export function startAttributes(role: Role, a: Attributes): Attributes {
  const out: Attributes = { [GT_ATTR.library]: LIBRARY };
  const model = a['ai.model.id'];
  if ((role === 'operation' || role === 'model' || role === 'embed' || role === 'embedCall') && typeof model === 'string') {
    out[ATTR.model] = model;
    const provider = a['ai.model.provider'];
    out[ATTR.provider] = typeof provider === 'string' && /^google/.test(provider) ? 'gemini' : String(provider ?? 'unknown');
  }
  return out;
}

/** `mlflow.chat.tokenUsage` of a model call: Gemini's usageMetadata when the provider passed it on,
 *  else the SDK's own counts (its output tokens already include reasoning tokens). */
export function modelUsage(a: Attributes, raw?: unknown): string | undefined {
  const meta = raw ?? geminiMetadata(fromJson(a['ai.response.providerMetadata']));
  const fromGemini = isObj(meta) ? tokenUsage({ usageMetadata: meta }) : undefined;
  if (fromGemini) return toJson(fromGemini);
  const n = (k: string) => (typeof a[k] === 'number' ? (a[k] as number) : undefined);
  const usage = mappedUsage(
    { input: n('ai.usage.inputTokens'), output: n('ai.usage.outputTokens'), total: n('ai.usage.totalTokens'), cached: n('ai.usage.cachedInputTokens') ?? n('ai.usage.inputTokenDetails.cacheReadTokens'), thoughts: n('ai.usage.reasoningTokens') ?? n('ai.usage.outputTokenDetails.reasoningTokens') },
    { input: 'input', output: ['output'], total: 'total', cached: 'cached', thoughts: 'thoughts', toolUse: '' },
  );
  return usage ? toJson(usage) : undefined;
}

function geminiMetadata(pm: unknown): unknown {
  if (!isObj(pm)) return undefined;
  for (const key of ['google', 'vertex']) {
    const g = pm[key];
    if (isObj(g) && isObj(g.usageMetadata)) return g.usageMetadata;
  }
  return undefined;
}

/** What a span adds when it ends: its final type, a model call's usage and answering model. */
export function endAttributes(role: Role, a: Attributes, usedTools: boolean, raw?: unknown): Attributes {
  const out: Attributes = { [ATTR.spanType]: spanTypeOf(role, usedTools) };
  if (role === 'model') {
    const usage = modelUsage(a, raw);
    if (usage) out[ATTR.usage] = usage;
    const model = a['ai.response.model'];
    if (typeof model === 'string' && model) out[ATTR.model] = model;
  }
  return out;
}

/** OTel attribute values only (the AI SDK already writes primitives and arrays of them). */
export function attributeValue(v: unknown): AttributeValue | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}
