// Tracing one GoogleGenAI client. In @google/genai the Models methods are instance properties (arrow
// functions assigned in the constructor), so each new client's `models` and `chats` are wrapped in
// place right after construction. Automatic function calling (AFC) runs inside
// models.generateContent(Stream): its model round trips go through the prototype methods
// generateContentWithContinuation / generateContentStreamWithContinuation, shadowed here per
// instance, and its tools through each CallableTool's callTool, wrapped once per tool object.
// The Interactions API (interactions.ts) and the Live API (live.ts) have modules of their own.
import type { Attributes } from '@opentelemetry/api';
import { GEMINI_ATTR, GEMINI_TAG } from '../../shared/runTags';
import { Call, captureContent, currentFrame, traced } from './calls';
import { instrumentInteractionsGetter } from './interactions';
import { instrumentLive } from './live';
import { chatInputs, isCallableTool, modelInputs, responseOutputs } from './spans';
import { tracedStream } from './stream';
import { wrapMethod } from './wrap';

type Obj = Record<string | symbol, unknown>;
type Params = { model?: unknown; config?: { tools?: unknown[]; automaticFunctionCalling?: { disable?: unknown; maximumRemoteCalls?: unknown }; httpOptions?: { baseUrl?: unknown; apiVersion?: unknown } } } | undefined;
type ApiClient = { getBaseUrl?(): unknown; getApiVersion?(): unknown };

/** Chats created in this process, for their ids (GEMINI_TAG.chat). */
let chatCount = 0;

/** Where the call goes, as the SDK resolves it (a call's httpOptions win over the client's), so a
 *  replay goes there too: GEMINI_ATTR.baseUrl (no credentials, no query) and apiVersion. */
function endpointAttributes(models: Obj, params: Params): Attributes {
  try {
    const api = models.apiClient as ApiClient | undefined;
    const http = params?.config?.httpOptions;
    const base = typeof http?.baseUrl === 'string' ? http.baseUrl : api?.getBaseUrl?.();
    const version = typeof http?.apiVersion === 'string' ? http.apiVersion : api?.getApiVersion?.();
    const out: Attributes = {};
    if (typeof base === 'string' && base) {
      const u = new URL(base);
      u.username = '';
      u.password = '';
      u.search = '';
      u.hash = '';
      out[GEMINI_ATTR.baseUrl] = u.toString().replace(/\/+$/, '');
    }
    if (typeof version === 'string' && version) out[GEMINI_ATTR.apiVersion] = version;
    return out;
  } catch {
    return {};
  }
}

const WRAPPED = Symbol.for('gemini-trace.wrapped');

export function instrumentClient(ai: unknown): void {
  if (!ai || typeof ai !== 'object') return;
  instrumentInteractionsGetter(ai);
  instrumentLive(ai);
  const { models, chats } = ai as { models?: Obj; chats?: Obj };
  if (models && typeof models === 'object' && !models[WRAPPED]) {
    mark(models);
    wrapModels(models);
  }
  if (chats && typeof chats === 'object' && !chats[WRAPPED]) {
    mark(chats);
    wrapMethod(chats, 'create', (original) =>
      function create(this: unknown, ...args: unknown[]) {
        const chat = original.apply(this, args);
        try {
          instrumentChat(chat);
        } catch {
          /* the chat works untraced */
        }
        return chat;
      },
    );
  }
}

function mark(o: Obj): void {
  Object.defineProperty(o, WRAPPED, { value: true, enumerable: false });
}

/** Whether the SDK will run its automatic function calling loop for these params (mirrors its
 *  shouldDisableAfc); if so, the app's tools are hooked. Never throws. */
function prepareAfc(params: Params): boolean {
  try {
    const tools = params?.config?.tools;
    if (!Array.isArray(tools) || !tools.some(isCallableTool)) return false;
    const afc = params?.config?.automaticFunctionCalling;
    if (afc?.disable) return false;
    const max = afc?.maximumRemoteCalls;
    if (!(max === undefined || max === null || (Number.isInteger(max) && (max as number) > 0))) return false;
    hookTools(params);
    return true;
  } catch {
    return false;
  }
}

function wrapModels(models: Obj): void {
  const capture = captureContent;
  const simple = (key: string, name: string, type: 'LLM' | 'EMBEDDING', usage: boolean) =>
    wrapMethod(models, key, (original) =>
      function (this: unknown, ...args: unknown[]) {
        const params = args[0] as Params;
        const call = Call.start({ name, type, model: params?.model, config: params?.config, inputs: () => modelInputs(params, capture()), attributes: endpointAttributes(models, params) });
        return traced(call, () => original.apply(this, args), (c, res) => c.succeed(() => responseOutputs(res, capture()), usage ? res : undefined));
      },
    );
  simple('embedContent', 'Models.embedContent', 'EMBEDDING', false);
  simple('countTokens', 'Models.countTokens', 'LLM', false);

  wrapMethod(models, 'generateContent', (original) =>
    function (this: unknown, ...args: unknown[]) {
      const params = args[0] as Params;
      const afc = prepareAfc(params);
      const call = Call.start({ name: 'Models.generateContent', type: 'LLM', model: params?.model, config: params?.config, afc, inputs: () => modelInputs(params, capture()), attributes: endpointAttributes(models, params) });
      // Without AFC this span is the model call; with it, usage sits on each round trip's span
      // (unless the SDK gave us no round trips to hook, then here).
      return traced(call, () => original.apply(this, args), (c, res) =>
        c.succeed(() => responseOutputs(res, capture()), !afc || c.frame.innerCalls === 0 ? res : undefined),
      );
    },
  );

  wrapMethod(models, 'generateContentStream', (original) =>
    function (this: unknown, ...args: unknown[]) {
      const params = args[0] as Params;
      const afc = prepareAfc(params);
      const call = Call.start({ name: 'Models.generateContentStream', type: 'LLM', model: params?.model, config: params?.config, afc, inputs: () => modelInputs(params, capture()), attributes: endpointAttributes(models, params) });
      return tracedStream(call, () => original.apply(this, args), { usage: () => !afc || (call?.frame.innerCalls ?? 0) === 0, capture: capture() });
    },
  );

  // The AFC round trips: traced only inside an AFC call (otherwise the outer span is the model call).
  const inner = (key: string, name: string, stream: boolean) =>
    wrapMethod(models, key, (original) =>
      function (this: unknown, ...args: unknown[]) {
        const frame = currentFrame();
        if (!frame?.afc) return original.apply(this, args);
        frame.innerCalls++;
        const params = args[0] as Params;
        const call = Call.start({ name, type: 'LLM', model: params?.model, config: params?.config, inputs: () => modelInputs(params, capture()), attributes: endpointAttributes(models, params) });
        if (stream) return tracedStream(call, () => original.apply(this, args), { usage: () => true, capture: capture() });
        return traced(call, () => original.apply(this, args), (c, res) => c.succeed(() => responseOutputs(res, capture()), res));
      },
    );
  inner('generateContentWithContinuation', 'Models.generateContentInternal', false);
  inner('generateContentStreamWithContinuation', 'Models.generateContentStreamInternal', true);
}

function instrumentChat(chat: unknown): void {
  if (!chat || typeof chat !== 'object' || (chat as Obj)[WRAPPED]) return;
  const c = chat as Obj;
  mark(c);
  const capture = captureContent;
  // Every turn of this chat carries its id, so the Traces view groups them as one session.
  const traceTags = { [GEMINI_TAG.chat]: `chat-${++chatCount}` };
  wrapMethod(c, 'sendMessage', (original) =>
    function (this: unknown, ...args: unknown[]) {
      const params = args[0] as { config?: unknown } | undefined;
      const call = Call.start({ name: 'Chat.sendMessage', type: 'CHAT_MODEL', scope: true, model: c.model, config: params?.config ?? c.config, inputs: () => chatInputs(params, capture()), traceTags });
      return traced(call, () => original.apply(this, args), (span, res) => span.succeed(() => responseOutputs(res, capture())));
    },
  );
  wrapMethod(c, 'sendMessageStream', (original) =>
    function (this: unknown, ...args: unknown[]) {
      const params = args[0] as { config?: unknown } | undefined;
      const call = Call.start({ name: 'Chat.sendMessageStream', type: 'CHAT_MODEL', scope: true, model: c.model, config: params?.config ?? c.config, inputs: () => chatInputs(params, capture()), traceTags });
      return tracedStream(call, () => original.apply(this, args), { usage: () => false, capture: capture() });
    },
  );
}

const hookedTools = new WeakSet<object>();

/** Wraps callTool on the app's CallableTool objects (once each); outside a traced AFC call the
 *  wrapper calls straight through. */
function hookTools(params: Params): void {
  for (const tool of params?.config?.tools ?? []) {
    if (!isCallableTool(tool) || hookedTools.has(tool)) continue;
    hookedTools.add(tool);
    wrapMethod(tool as unknown as Obj, 'callTool', (original) =>
      function (this: unknown, ...args: unknown[]) {
        const frame = currentFrame();
        const calls = args[0];
        if (!frame?.afc || !Array.isArray(calls)) return original.apply(this, args);
        return traceToolCalls(calls, () => original.apply(this, args) as Promise<unknown[]>);
      },
    );
  }
}

type FunctionCall = { name?: string; args?: unknown; id?: string };
type FunctionResponsePart = { functionResponse?: { name?: string; id?: string; response?: unknown } };

/** One TOOL span per function call the model asked for, ended with its matching functionResponse. */
function traceToolCalls(calls: FunctionCall[], invoke: () => Promise<unknown[]>): Promise<unknown[]> {
  const capture = captureContent();
  const spans = calls.map((fc) =>
    Call.start({
      name: typeof fc?.name === 'string' && fc.name ? fc.name : 'tool',
      type: 'TOOL',
      scope: true,
      inputs: () => (capture ? (fc?.args ?? {}) : {}),
      attributes: { 'gen_ai.tool.name': String(fc?.name ?? ''), ...(fc?.id ? { 'gen_ai.tool.call.id': fc.id } : {}) },
    }),
  );
  const only = spans.length === 1 ? spans[0] : undefined;
  let p: Promise<unknown[]>;
  try {
    p = only ? only.run(invoke) : invoke();
  } catch (e) {
    for (const s of spans) s?.fail(e);
    throw e;
  }
  return Promise.resolve(p).then(
    (parts) => {
      try {
        const responses = (Array.isArray(parts) ? parts : []).map((x) => (x as FunctionResponsePart)?.functionResponse).filter((r) => r);
        calls.forEach((fc, i) => {
          const match = responses.find((r) => (fc?.id && r?.id === fc.id) || r?.name === fc?.name);
          spans[i]?.succeed(() => (capture ? (match?.response ?? null) : {}));
        });
      } catch {
        /* ignore */
      }
      return parts;
    },
    (e: unknown) => {
      for (const s of spans) s?.fail(e);
      throw e;
    },
  );
}

