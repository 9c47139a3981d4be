// LangChain's runs as spans: a callback handler that LangChain calls for every run of every
// runnable (langchain.ts adds it to every callback manager). LangChain.js and LangChain (Python)
// write the same shapes:
//
// SPAN SHAPE (gemini_trace.library = "langchain")
// - One span per run, named by the run (`LangGraph`, a graph node such as `model_request`,
//   `ChatGoogleGenerativeAI`, a tool's name), parented by the run's parent. Runs LangChain tags
//   `langsmith:hidden` (LangGraph's `__start__` and its other plumbing) are skipped, their
//   children attached to the nearest run shown.
// - mlflow.spanType: a chain run CHAIN, except a top-level run whose model was offered tools (or in
//   which a tool ran): AGENT (a model and its tools in a loop, as createAgent's graph; the AI SDK and
//   Genkit spans follow the same rule); a chat model run CHAT_MODEL, an LLM run
//   LLM, a tool TOOL (gen_ai.tool.name, gen_ai.tool.call.id), a retriever RETRIEVER.
// - mlflow.spanInputs / mlflow.spanOutputs: the run's inputs and outputs as plain JSON, messages as
//   `{role, content, tool_calls?, tool_call_id?, name?}` (langchainValues.ts); a chat model's
//   inputs `{messages, invocation_params?}`, outputs its reply message.
// - A chat model run: mlflow.llm.model, mlflow.llm.provider ("gemini" for Google's integrations).
//   When a traced Gemini SDK call ran under it (ChatGoogleGenerativeAI's @google/generative-ai
//   call, nested by langchain.ts), that child is the model call: it carries the Gemini request,
//   response and usage, and the run's span only says so (gemini_trace.model_call_below = true).
//   Otherwise the run's span is the model call: gen_ai.input.messages / gen_ai.system_instructions
//   / gen_ai.output.messages (OpenTelemetry GenAI parts, read by the otelGenai adapter) and
//   mlflow.chat.tokenUsage from the reply's usage_metadata (thinking as thoughts_tokens, cache
//   reads as cache_read_input_tokens). gemini_trace.time_to_first_chunk_ms on streamed runs.
// - Errors end the run's span as ERROR with the error's message.
// - Call site: the app's line that started the top-level run (code.*), on every span of the trace.
import type { Attributes } from '@opentelemetry/api';
import { SpanKind } from '@opentelemetry/api';
import { GT_ATTR } from '../../../shared/runTags';
import { Call, captureContent } from '../calls';
import type { CallSpec, Frame } from '../calls';
import { ATTR, fromJson, toJson } from '../spans';
import type { SpanType } from '../spans';
import { genAiMessages, messageDict, plain } from './langchainValues';
import { currentSite } from './sites';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const LIBRARY = 'langchain';

interface Run {
  call: Call;
  kind: 'chain' | 'chat' | 'llm' | 'tool' | 'retriever';
  /** The top-level run of its trace (within LangChain). */
  top: Run;
  /** A model under this top-level run was offered tools, or a tool ran. */
  usedTools?: boolean;
  messages?: Obj[];
}

/** Runs in flight by run id; hidden runs point at the run their children attach to. */
const runs = new Map<string, Run>();
const hidden = new Map<string, Run | undefined>();
const MAX_RUNS = 10_000;

/** The span a run's SDK calls should nest under (langchain.ts runs the model's request in it). */
export function runCall(runId: unknown): Call | undefined {
  return typeof runId === 'string' ? runs.get(runId)?.call : undefined;
}

function parentOf(parentRunId: unknown): Run | undefined {
  if (typeof parentRunId !== 'string') return undefined;
  return runs.get(parentRunId) ?? hidden.get(parentRunId);
}

function start(runId: unknown, parentRunId: unknown, kind: Run['kind'], spec: Omit<CallSpec, 'inputs'> & { inputs: () => unknown }, tags?: unknown): void {
  if (typeof runId !== 'string') return;
  const parent = parentOf(parentRunId);
  if (Array.isArray(tags) && tags.includes('langsmith:hidden')) {
    hidden.set(runId, parent);
    return;
  }
  if (runs.size >= MAX_RUNS) runs.clear();
  const frame: Frame | undefined = parent?.call.frame;
  const capture = captureContent();
  const call = Call.start({
    ...spec,
    inputs: () => (capture ? spec.inputs() : {}),
    attributes: { [GT_ATTR.library]: LIBRARY, ...spec.attributes },
    scope: true,
    kind: spec.kind ?? SpanKind.INTERNAL,
    // An inner run starts inside LangChain, with no app frame on its stack: its parent's line is its.
    // A top-level run nests under the traced call it runs in (our context, or a framework's), if any.
    ...(frame ? { parent: frame, site: frame.site } : { site: currentSite() }),
  });
  if (!call) return;
  const run: Run = { call, kind, top: undefined as unknown as Run };
  run.top = parent?.top ?? run;
  runs.set(runId, run);
}

function end(runId: unknown, outputs: () => unknown, extra?: Attributes): void {
  if (typeof runId !== 'string') return;
  hidden.delete(runId);
  const run = runs.get(runId);
  if (!run) return;
  runs.delete(runId);
  const capture = captureContent();
  const attrs: Attributes = { ...extra };
  if (run === run.top && run.kind === 'chain' && run.usedTools) attrs[ATTR.spanType] = 'AGENT';
  run.call.succeed(() => (capture ? outputs() : {}), undefined, attrs);
}

function fail(runId: unknown, err: unknown): void {
  if (typeof runId !== 'string') return;
  hidden.delete(runId);
  const run = runs.get(runId);
  if (!run) return;
  runs.delete(runId);
  run.call.fail(err);
}

function nameOf(serialized: unknown, runName: unknown, fallback: string): string {
  if (typeof runName === 'string' && runName) return runName;
  const id = isObj(serialized) && Array.isArray(serialized.id) ? serialized.id : undefined;
  const last = id?.[id.length - 1];
  return typeof last === 'string' && last ? last : fallback;
}

function modelAttrs(serialized: unknown, extra: unknown, metadata: unknown): Attributes {
  const kwargs = isObj(serialized) && isObj(serialized.kwargs) ? serialized.kwargs : {};
  const params = isObj(extra) && isObj(extra.invocation_params) ? extra.invocation_params : {};
  const meta = isObj(metadata) ? metadata : {};
  const model = [kwargs.model, kwargs.modelName, kwargs.model_name, params.model, meta.ls_model_name].find((m) => typeof m === 'string' && m);
  const provider = String(meta.ls_provider ?? (isObj(serialized) && Array.isArray(serialized.id) ? serialized.id.join('.') : ''));
  const attrs: Attributes = { [ATTR.provider]: /google|gemini|vertex/i.test(provider) ? 'gemini' : provider || 'unknown' };
  if (typeof model === 'string') attrs[ATTR.model] = model.replace(/^models\//, '');
  const temperature = (isObj(params.generationConfig) ? params.generationConfig.temperature : undefined) ?? params.temperature ?? kwargs.temperature;
  if (typeof temperature === 'number') attrs['gen_ai.request.temperature'] = temperature;
  return attrs;
}

/** `mlflow.chat.tokenUsage` from LangChain's usage_metadata. */
function usageOf(m: Obj | undefined): Obj | undefined {
  const u = isObj(m?.usage_metadata) ? m.usage_metadata : undefined;
  if (!u || typeof u.input_tokens !== 'number') return undefined;
  const usage: Obj = { input_tokens: u.input_tokens, output_tokens: u.output_tokens ?? 0, total_tokens: u.total_tokens ?? u.input_tokens + Number(u.output_tokens ?? 0) };
  const cached = isObj(u.input_token_details) ? u.input_token_details.cache_read : undefined;
  const reasoning = isObj(u.output_token_details) ? u.output_token_details.reasoning : undefined;
  if (typeof cached === 'number') usage.cache_read_input_tokens = cached;
  if (typeof reasoning === 'number' && reasoning > 0) usage.thoughts_tokens = reasoning;
  return usage;
}

function finishModel(runId: unknown, output: unknown): void {
  const run = typeof runId === 'string' ? runs.get(runId) : undefined;
  if (!run) return;
  const gen = isObj(output) && Array.isArray(output.generations) ? (output.generations as unknown[][])[0]?.[0] : undefined;
  const message = isObj(gen) ? gen.message ?? gen : undefined;
  const reply = messageDict(message) ?? (isObj(gen) && typeof gen.text === 'string' ? { role: 'assistant', content: gen.text } : undefined);
  const extra: Attributes = {};
  if (run.call.frame.modelCalls > 0) {
    extra[GT_ATTR.modelCallBelow] = true;
  } else {
    const usage = usageOf(isObj(message) ? message : undefined);
    if (usage) extra[ATTR.usage] = toJson(usage);
    if (captureContent()) {
      const finish = isObj(gen) && isObj(gen.generationInfo) ? gen.generationInfo.finishReason ?? gen.generationInfo.finish_reason : undefined;
      const g = genAiMessages(run.messages ?? [], reply, typeof finish === 'string' ? finish : undefined);
      extra['gen_ai.input.messages'] = toJson(g.input);
      extra['gen_ai.output.messages'] = toJson(g.output);
      if (g.system.length) extra['gen_ai.system_instructions'] = toJson(g.system);
    }
  }
  end(runId, () => reply ?? plain(output), extra);
}

/** The handler LangChain calls (a plain object with what its CallbackManager checks for:
 *  name, copy, awaitHandlers). awaitHandlers: LangChain calls it inline, in the run's own async
 *  context, not from its background queue, so a run's span is open before its work starts. Every
 *  method is guarded: nothing of ours reaches LangChain. */
export const handler: Obj = {
  name: 'gemini_trace',
  awaitHandlers: true,
  raiseError: false,
  ignoreLLM: false,
  ignoreChain: false,
  ignoreAgent: false,
  ignoreRetriever: false,
  ignoreCustomEvent: true,
  lc_serializable: false,
  copy() {
    return this;
  },
  handleChainStart(chain: unknown, inputs: unknown, runId: unknown, parentRunId: unknown, tags: unknown, _metadata: unknown, _runType: unknown, runName: unknown) {
    start(runId, parentRunId, 'chain', { name: nameOf(chain, runName, 'chain'), type: 'CHAIN', inputs: () => plain(inputs) }, tags);
  },
  handleChainEnd(outputs: unknown, runId: unknown) {
    end(runId, () => plain(outputs));
  },
  handleChainError(err: unknown, runId: unknown) {
    fail(runId, err);
  },
  handleChatModelStart(llm: unknown, messages: unknown, runId: unknown, parentRunId: unknown, extra: unknown, tags: unknown, metadata: unknown, runName: unknown) {
    const list = (Array.isArray(messages) && Array.isArray(messages[0]) ? messages[0] : []).map((m) => messageDict(m) ?? { role: 'user', content: plain(m) });
    const params = isObj(extra) ? plain(extra.invocation_params) : undefined;
    const top = parentOf(parentRunId)?.top;
    if (top && isObj(params) && Array.isArray(params.tools) && params.tools.length) top.usedTools = true;
    startModel(runId, parentRunId, 'chat', 'CHAT_MODEL', nameOf(llm, runName, 'chat_model'), modelAttrs(llm, extra, metadata), () => ({ messages: list, ...(params ? { invocation_params: params } : {}) }), tags, list);
  },
  handleLLMStart(llm: unknown, prompts: unknown, runId: unknown, parentRunId: unknown, extra: unknown, tags: unknown, metadata: unknown, runName: unknown) {
    const list = (Array.isArray(prompts) ? prompts : []).map((p) => ({ role: 'user', content: String(p) }));
    startModel(runId, parentRunId, 'llm', 'LLM', nameOf(llm, runName, 'llm'), modelAttrs(llm, extra, metadata), () => ({ prompts }), tags, list);
  },
  handleLLMNewToken(_token: unknown, _idx: unknown, runId: unknown) {
    const run = typeof runId === 'string' ? runs.get(runId) : undefined;
    if (run && !run.call.frame.modelCalls && !firstTokens.has(run)) {
      firstTokens.add(run);
      run.call.firstChunk();
    }
  },
  handleLLMEnd(output: unknown, runId: unknown) {
    finishModel(runId, output);
  },
  handleLLMError(err: unknown, runId: unknown) {
    fail(runId, err);
  },
  handleToolStart(tool: unknown, input: unknown, runId: unknown, parentRunId: unknown, tags: unknown, _metadata: unknown, runName: unknown, toolCallId: unknown) {
    const name = nameOf(tool, runName, isObj(tool) && typeof tool.name === 'string' ? tool.name : 'tool');
    const top = parentOf(parentRunId)?.top;
    if (top) top.usedTools = true;
    const args = () => (typeof input === 'string' ? fromJson(input) : plain(input));
    start(runId, parentRunId, 'tool', { name, type: 'TOOL', inputs: args, attributes: { 'gen_ai.tool.name': name, ...(typeof toolCallId === 'string' ? { 'gen_ai.tool.call.id': toolCallId } : {}) } }, tags);
  },
  handleToolEnd(output: unknown, runId: unknown) {
    end(runId, () => {
      const m = messageDict(output);
      return m ? m.content : plain(output);
    });
  },
  handleToolError(err: unknown, runId: unknown) {
    fail(runId, err);
  },
  handleRetrieverStart(retriever: unknown, query: unknown, runId: unknown, parentRunId: unknown, tags: unknown, _metadata: unknown, name: unknown) {
    start(runId, parentRunId, 'retriever', { name: nameOf(retriever, name, 'retriever'), type: 'RETRIEVER', inputs: () => ({ query }) }, tags);
  },
  handleRetrieverEnd(documents: unknown, runId: unknown) {
    end(runId, () => plain(documents));
  },
  handleRetrieverError(err: unknown, runId: unknown) {
    fail(runId, err);
  },
};

const firstTokens = new WeakSet<Run>();

function startModel(runId: unknown, parentRunId: unknown, kind: Run['kind'], type: SpanType, name: string, attributes: Attributes, inputs: () => unknown, tags: unknown, messages: Obj[]): void {
  start(runId, parentRunId, kind, { name, type, inputs, attributes, kind: SpanKind.CLIENT }, tags);
  const run = typeof runId === 'string' ? runs.get(runId) : undefined;
  if (run) run.messages = messages;
}

// Every handler method guarded: a failure of ours is never LangChain's (it would log it).
for (const [k, f] of Object.entries(handler)) {
  if (typeof f !== 'function' || !k.startsWith('handle')) continue;
  handler[k] = function (this: unknown, ...args: unknown[]) {
    try {
      (f as (...a: unknown[]) => void).apply(this, args);
    } catch {
      /* tracing only */
    }
  };
}
