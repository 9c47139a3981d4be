// The Vercel AI SDK 7 (`ai` 7.x), traced through its telemetry integrations: AI SDK 7 has no
// OpenTelemetry of its own and calls every integration in `globalThis.AI_SDK_TELEMETRY_INTEGRATIONS`
// for every call, with events that carry the call's id. The preload puts one integration there at
// start (globalHooks.ts); nothing runs until the app's `ai` calls it, and a process that never loads `ai` pays
// nothing. (AI SDK 6 calls the same list with events that have no call id: they are ignored here,
// aiSdk6.ts traces it.) A call that names its own integrations, or turns telemetry off, is not seen.
//
// From the events we write the spans AI SDK 6's OpenTelemetry writes, with the same `ai.*`
// attributes (aiSdkShape.ts): `ai.generateText` › `ai.generateText.doGenerate` per model call and
// `ai.toolCall` per tool run, in time order (likewise streamText / doStream, generateObject /
// doGenerate, embed / doEmbed). A model call's usage comes from Gemini's own usageMetadata (the
// event's `usage.raw`). The SDK runs each model call and tool inside our wrappers
// (executeLanguageModelCall, executeTool), so a tool that calls @google/genai, or another AI SDK
// call, nests under its `ai.toolCall` span. The operation's parent is the traced call the app was
// in, if any.
//
// The call site: streamText (and the other stream calls) starts its work detached from the app's
// stack, and its onStart event comes later. But the SDK builds each call's dispatcher, reading the
// integration's callbacks, synchronously inside the app's call for streams (after an await, with the
// app's line in the async stack, for generateText): `onStart` is a getter that takes the app's line
// right then and hands the call a callback that knows it. No module hook, no context tracking.
//
// Only a tool's span runs in a context scope of ours (what the tool does nests under it); the model
// calls' and the operation's spans are parented explicitly.
import type { Attributes } from '@opentelemetry/api';
import { SpanKind } from '@opentelemetry/api';
import { Call, captureContent } from '../calls';
import { captureCallSite } from '../callsite';
import type { CallSite } from '../callsite';
import { J, promptMessages, put, responseAttrs, settings, usageAttrs } from './aiSdkEvents';
import type { Event } from './aiSdkEvents';
import { endAttributes, roleOf, spanTypeOf, startAttributes } from './aiSdkShape';
import type { Role } from './aiSdkShape';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

interface Run {
  id: string;
  op: string;
  root: Call;
  attrs: Attributes;
  usedTools: boolean;
  /** The model call in flight (steps run one after another). */
  model?: { call: Call; attrs: Attributes };
  tools: Map<string, Call>;
}

/** Calls in flight by id; a call the app abandoned (a stream never read) is let go at the cap. */
const runs = new Map<string, Run>();
const MAX_RUNS = 1000;

function runOf(e: Event): Run | undefined {
  return typeof e?.callId === 'string' ? runs.get(e.callId) : undefined;
}

function open(name: string, role: Role, attrs: Attributes, parent: Run | undefined, usedTools = false, site?: CallSite): Call | undefined {
  return Call.start({
    name, type: spanTypeOf(role, usedTools), scope: role === 'tool',
    attributes: { ...attrs, ...startAttributes(role, attrs) },
    kind: role === 'model' || role === 'embedCall' ? SpanKind.CLIENT : SpanKind.INTERNAL,
    // Inner spans start inside the SDK, with no app frame on the stack: the operation's line is theirs.
    ...(parent ? { parent: parent.root.frame, site: parent.root.frame.site } : { site }),
  });
}

/** Ends a span with the attributes `added` since it started (MLflow derives its inputs and outputs
 *  from its `ai.*` attributes) and its final type and usage, computed from all of them. */
function close(call: Call | undefined, role: Role, start: Attributes, added: Attributes, usedTools: boolean, raw?: unknown): void {
  call?.succeed(undefined, undefined, { ...added, ...endAttributes(role, { ...start, ...added }, usedTools, raw) });
}

function modelName(op: string): string {
  return `${op}.${/^ai\.stream/.test(op) ? 'doStream' : 'doGenerate'}`;
}

function startModel(run: Run, e: Event, messages: unknown[], tools: unknown): void {
  const capture = captureContent();
  const name = modelName(run.op);
  const attrs: Attributes = { 'ai.operationId': name, 'ai.model.provider': String(e.provider ?? run.attrs['ai.model.provider'] ?? ''), 'ai.model.id': String(e.modelId ?? run.attrs['ai.model.id'] ?? '') };
  if (capture) put(attrs, 'ai.prompt.messages', messages);
  if (Array.isArray(tools) && tools.length) {
    run.usedTools = true;
    if (capture) attrs['ai.prompt.tools'] = tools.map((t) => J(t));
  }
  put(attrs, 'ai.prompt.toolChoice', e.toolChoice);
  settings(e, attrs);
  put(attrs, 'gen_ai.request.model', e.modelId);
  const call = open(name, 'model', attrs, run);
  if (call) run.model = { call, attrs };
}

function endModel(run: Run, e: Event, end: Attributes, raw: unknown): void {
  const m = run.model;
  if (!m) return;
  run.model = undefined;
  put(end, 'ai.response.finishReason', e.finishReason);
  put(end, 'ai.response.id', e.responseId ?? (isObj(e.response) ? e.response.id : undefined));
  put(end, 'ai.response.model', e.modelId);
  usageAttrs(end, e.usage);
  close(m.call, 'model', m.attrs, end, false, raw);
}

/** Ends whatever of the call is still open as failed, then the call. */
function fail(run: Run, error: unknown): void {
  runs.delete(run.id);
  run.model?.call.fail(error);
  for (const t of run.tools.values()) t.fail(error);
  run.root.fail(error);
}

const handlers = {
  onStart(e: Event, site?: CallSite): void {
    if (typeof e?.callId !== 'string' || typeof e.operationId !== 'string') return;
    const capture = captureContent();
    const op = e.operationId;
    const role = roleOf(op);
    const attrs: Attributes = { 'ai.operationId': op, 'ai.model.provider': String(e.provider ?? ''), 'ai.model.id': String(e.modelId ?? '') };
    if (capture && role === 'operation') attrs['ai.prompt'] = J({ system: e.instructions ?? e.system, prompt: e.prompt, messages: e.messages });
    if (capture && role === 'embed') put(attrs, e.values !== undefined ? 'ai.values' : 'ai.value', e.values ?? e.value);
    if (e.schema !== undefined) put(attrs, 'ai.schema', e.schema);
    put(attrs, 'ai.telemetry.functionId', e.functionId);
    settings(e, attrs);
    const usedTools = isObj(e.tools) && Object.keys(e.tools).length > 0;
    const root = open(op, role, attrs, undefined, usedTools, site);
    if (!root) return;
    if (runs.size >= MAX_RUNS) runs.delete(runs.keys().next().value as string);
    runs.set(e.callId, { id: e.callId, op, root, attrs, usedTools, tools: new Map() });
  },

  onLanguageModelCallStart(e: Event): void {
    const run = runOf(e);
    if (run) startModel(run, e, promptMessages(e), e.tools);
  },

  onObjectStepStart(e: Event): void {
    const run = runOf(e);
    if (run) startModel(run, e, Array.isArray(e.promptMessages) ? e.promptMessages : [], undefined);
  },

  executeLanguageModelCall(e: Event & { execute: () => unknown }): unknown {
    const call = runOf(e)?.model?.call;
    return call ? call.run(e.execute) : e.execute();
  },

  onLanguageModelCallEnd(e: Event): void {
    const run = runOf(e);
    if (!run?.model) return;
    const end: Attributes = {};
    responseAttrs(end, e.content, captureContent());
    endModel(run, e, end, isObj(e.usage) ? e.usage.raw : undefined);
  },

  onObjectStepEnd(e: Event): void {
    const run = runOf(e);
    if (!run?.model) return;
    const end: Attributes = {};
    if (captureContent()) put(end, 'ai.response.object', e.objectText);
    endModel(run, e, end, isObj(e.usage) ? e.usage.raw : undefined);
  },

  onToolExecutionStart(e: Event): void {
    const run = runOf(e);
    const tc = isObj(e.toolCall) ? e.toolCall : undefined;
    if (!run || !tc || typeof tc.toolCallId !== 'string') return;
    run.usedTools = true;
    const attrs: Attributes = { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': String(tc.toolName ?? ''), 'ai.toolCall.id': tc.toolCallId };
    if (captureContent()) put(attrs, 'ai.toolCall.args', J(tc.input ?? {}));
    const call = open('ai.toolCall', 'tool', attrs, run);
    if (call) run.tools.set(tc.toolCallId, call);
  },

  executeTool(e: Event & { execute: () => unknown }): unknown {
    const tc = isObj(e.toolCall) ? e.toolCall : undefined;
    const id = typeof e.toolCallId === 'string' ? e.toolCallId : tc?.toolCallId;
    const call = typeof id === 'string' ? runOf(e)?.tools.get(id) : undefined;
    return call ? call.run(e.execute) : e.execute();
  },

  onToolExecutionEnd(e: Event): void {
    const run = runOf(e);
    const out = isObj(e.toolOutput) ? e.toolOutput : {};
    const id = String(out.toolCallId ?? (isObj(e.toolCall) ? e.toolCall.toolCallId : ''));
    const call = run?.tools.get(id);
    if (!run || !call) return;
    run.tools.delete(id);
    if (out.type === 'tool-error') return call.fail(out.error);
    close(call, 'tool', {}, captureContent() ? { 'ai.toolCall.result': J(out.output ?? null) } : {}, false);
  },

  onEmbedStart(e: Event): void {
    const run = runOf(e);
    if (!run) return;
    const attrs: Attributes = { 'ai.operationId': `${run.op}.doEmbed`, 'ai.model.provider': String(run.attrs['ai.model.provider'] ?? ''), 'ai.model.id': String(e.modelId ?? run.attrs['ai.model.id'] ?? '') };
    if (captureContent()) put(attrs, 'ai.values', e.values);
    const call = open(`${run.op}.doEmbed`, 'embedCall', attrs, run);
    if (call) run.model = { call, attrs };
  },

  onEmbedEnd(e: Event): void {
    const run = runOf(e);
    const m = run?.model;
    if (!run || !m) return;
    run.model = undefined;
    close(m.call, 'embedCall', m.attrs, {}, false);
  },

  onEnd(e: Event): void {
    const run = runOf(e);
    if (!run) return;
    runs.delete(e.callId as string);
    const capture = captureContent();
    const end: Attributes = {};
    if (capture && typeof e.text === 'string') end['ai.response.text'] = e.text;
    else responseAttrs(end, e.content, capture);
    if (capture && e.object !== undefined) put(end, 'ai.response.object', J(e.object));
    put(end, 'ai.response.finishReason', e.finishReason);
    usageAttrs(end, e.totalUsage ?? e.usage);
    run.model?.call.succeed(undefined);
    for (const t of run.tools.values()) t.succeed(undefined);
    close(run.root, roleOf(run.op), run.attrs, end, run.usedTools);
  },

  onError(e: Event): void {
    const run = runOf(e);
    if (run) fail(run, e.error ?? new Error('AI SDK call failed'));
  },

  onAbort(e: Event): void {
    const run = runOf(e);
    if (run) fail(run, new Error('The AI SDK call was aborted.'));
  },
};


/** The integration the SDK calls: each event handler guarded, so tracing never reaches the app's
 *  call. The execute wrappers only look up a span and run the app's work in its scope, once, its
 *  value or error passing through. `onStart` is a getter (see the header). */
/** The integration the AI SDK calls (globalHooks.ts puts one standing for it on its global list). */
export const integration: Record<string, unknown> = {};
for (const [key, handler] of Object.entries(handlers)) {
  if (key.startsWith('execute')) integration[key] = handler;
  else if (key !== 'onStart') {
    integration[key] = (e: Event) => {
      try {
        (handler as (e: Event) => void)(e);
      } catch {
        /* tracing only */
      }
    };
  }
}
Object.defineProperty(integration, 'onStart', {
  enumerable: true,
  get() {
    const site = captureCallSite();
    return (e: Event) => {
      try {
        handlers.onStart(e, site);
      } catch {
        /* tracing only */
      }
    };
  },
});
