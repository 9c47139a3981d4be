// The Vercel AI SDK's spans as MLflow reads them, for both majors: AI SDK 6 writes its own `ai.*`
// attributes on our tracer's spans (aiSdk6.ts), and for AI SDK 7 we write the same attributes from
// its telemetry events (aiSdk7.ts), so one adapter (src/model/adapters/aiSdk.ts), one set of views
// and one set of assertions serve both. What this adds to a span when it ends:
//
// - mlflow.spanType: the operation (`ai.generateText`, `ai.streamText`, `ai.generateObject`,
//   `ai.streamObject`) is AGENT when the model was offered tools (a ToolLoopAgent's too, with
//   gen_ai.agent.name), else CHAIN; each model call (`….doGenerate`, `….doStream`) CHAT_MODEL;
//   `ai.toolCall` TOOL; `ai.embed` / `ai.embedMany` CHAIN over `….doEmbed` EMBEDDING.
// - mlflow.spanInputs / mlflow.spanOutputs: the operation's `{system, prompt, messages}` and
//   `{text, object?, toolCalls?, finishReason}`; a model call's `{messages, tools?, toolChoice?}`
//   (the prompt it sent) and `{text?, reasoning?, toolCalls?, finishReason, id?, model?}`; a tool
//   call's arguments and result. (MLflow's own Vercel AI translator would derive similar values;
//   writing them keeps the server from guessing.)
// - mlflow.llm.model / mlflow.llm.provider ("gemini" for Google's providers) on operation and model call.
// - mlflow.chat.tokenUsage on the model-call spans only, from Gemini's own usageMetadata when the
//   provider passed it on (thinking and cached counts as for a direct SDK call), else from
//   ai.usage.*; the operation keeps the SDK's ai.usage.* totals, which MLflow does not sum.
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { GT_ATTR } from '../../../model/runTags';
import { ATTR, mappedUsage, toJson, tokenUsage } from '../spans';
import type { SpanType } from '../spans';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export const LIBRARY = 'ai';

const OPERATIONS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);

export function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

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

/** The span's inputs from the attributes it started with. */
export function inputsOf(role: Role, a: Attributes): unknown {
  switch (role) {
    case 'operation':
      return parseJson(a['ai.prompt']) ?? null;
    case 'model': {
      const out: Obj = { messages: parseJson(a['ai.prompt.messages']) ?? [] };
      const tools = a['ai.prompt.tools'];
      if (Array.isArray(tools)) out.tools = tools.map(parseJson);
      if (a['ai.prompt.toolChoice'] !== undefined) out.toolChoice = parseJson(a['ai.prompt.toolChoice']);
      return out;
    }
    case 'tool':
      return parseJson(a['ai.toolCall.args']) ?? null;
    case 'embed':
    case 'embedCall':
      return parseJson(a['ai.value'] ?? a['ai.values']) ?? null;
    default:
      return null;
  }
}

/** The span's outputs from all its attributes when it ends. */
export function outputsOf(role: Role, a: Attributes): unknown {
  const out: Obj = {};
  const put = (k: string, attr: string, parse = false) => {
    const v = a[attr];
    if (v !== undefined) out[k] = parse ? parseJson(v) : v;
  };
  switch (role) {
    case 'operation':
    case 'model':
      put('text', 'ai.response.text');
      put('object', 'ai.response.object', true);
      put('reasoning', 'ai.response.reasoning');
      put('toolCalls', 'ai.response.toolCalls', true);
      put('finishReason', 'ai.response.finishReason');
      if (role === 'model') {
        put('id', 'ai.response.id');
        put('model', 'ai.response.model');
      }
      return out;
    case 'tool':
      return parseJson(a['ai.toolCall.result']) ?? null;
    case 'embed':
    case 'embedCall': {
      const e = a['ai.embeddings'] ?? a['ai.embedding'];
      return { embeddings: Array.isArray(e) ? e.length : e === undefined ? 0 : 1 };
    }
    default:
      return null;
  }
}

/** `mlflow.chat.tokenUsage` of a model call: Gemini's usageMetadata when the provider passed it on,
 *  else the SDK's own counts (its output tokens already include reasoning tokens). */
export function modelUsage(a: Attributes, raw?: unknown): string | undefined {
  const meta = raw ?? geminiMetadata(parseJson(a['ai.response.providerMetadata']));
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

/** What a span adds when it ends, besides its outputs (outputsOf): its final type, a model call's usage. */
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
