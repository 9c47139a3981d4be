// Tracing the legacy Gemini SDK, `@google/generative-ai` (0.x), which MLflow's Gemini docs still
// name for TypeScript and which LangChain's ChatGoogleGenerativeAI calls. Its methods live on the
// prototypes of GenerativeModel and ChatSession (the CommonJS and ESM builds have a class each, so
// both are patched as they load). The spans have the shapes @google/genai's have for the same kind
// of call (client.ts), so the generateContent adapter, the chat view and the tests read them alike:
//
// SPAN SHAPE (mlflow.message.format = "gemini", gemini_trace.library = "@google/generative-ai")
// - `Models.generateContent` / `Models.generateContentStream` (LLM): inputs `{model, contents,
//   config}` with the model's defaults merged under the request's own fields, generationConfig
//   flattened into config as @google/genai has it; outputs the GenerateContentResponse (a stream's:
//   the SDK's own aggregated `response`); mlflow.chat.tokenUsage from its usageMetadata. A stream's
//   span ends when the SDK's aggregated response is complete, whether or not the app reads
//   `stream` (gemini_trace.stream_chunks and time_to_first_chunk_ms count what the app read).
// - `Chat.sendMessage` / `Chat.sendMessageStream` (CHAT_MODEL): inputs `{message}`, outputs the
//   response, no usage; its model round trip is a `Models.generateContent(Stream)` child built from
//   the session's history as the SDK builds its request (its usage is there).
// - `Models.countTokens` (LLM, no usage), `Models.embedContent` (EMBEDDING; batchEmbedContents
//   too, one content per request): inputs `{model, contents, config?}`, outputs as @google/genai's
//   (`{embeddings: [...]}`).
// - Model names lose the REST `models/` prefix (`tunedModels/…` stays whole).
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { GT_ATTR } from '../../shared/runTags';
import { Call, captureContent, traced } from './calls';
import type { CallSpec } from './calls';
import { assembleChunks, responseOutputs } from './spans';
import { wrapMethod } from './wrap';
import type { Fn } from './wrap';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const PATCHED = Symbol.for('gemini-trace.legacy-sdk');
const LIBRARY = { [GT_ATTR.library]: '@google/generative-ai' };

export function legacySdkDefinition(): InstrumentationNodeModuleDefinition {
  return new InstrumentationNodeModuleDefinition('@google/generative-ai', ['>=0.1.0 <1'], (exports: Obj) => {
    try {
      patchModel(exports?.GenerativeModel);
      patchChat(exports?.ChatSession);
    } catch {
      /* the SDK works untraced */
    }
    return exports;
  });
}

interface ModelLike {
  model?: string;
  generationConfig?: Obj;
  safetySettings?: unknown[];
  tools?: unknown[];
  toolConfig?: unknown;
  systemInstruction?: unknown;
  cachedContent?: { name?: string } | string;
}

function claim(cls: unknown): Obj | undefined {
  const proto = typeof cls === 'function' ? (cls.prototype as Obj | undefined) : undefined;
  if (!proto || proto[PATCHED as unknown as string]) return undefined;
  Object.defineProperty(proto, PATCHED, { value: true });
  return proto;
}

export function modelName(model: unknown): string | undefined {
  return typeof model === 'string' ? model.replace(/^models\//, '') : undefined;
}

/** The parts of a request given as a string or an array of strings and parts, in one content
 *  (role `function` for function responses, as the SDK assigns it). */
function newContent(request: unknown): Obj {
  const parts = (typeof request === 'string' ? [request] : Array.isArray(request) ? request : []).map((p) => (typeof p === 'string' ? { text: p } : p));
  return { role: parts.some((p) => isObj(p) && 'functionResponse' in p) ? 'function' : 'user', parts };
}

function systemContent(s: unknown): unknown {
  if (typeof s === 'string') return { role: 'system', parts: [{ text: s }] };
  if (isObj(s) && typeof s.text === 'string') return { role: 'system', parts: [s] };
  return s;
}

/** The request as the SDK sends it (model defaults under the request's own fields), in
 *  @google/genai's `{model, contents, config}` shape. */
export function generateInputs(m: ModelLike, request: unknown, capture: boolean, contents?: unknown[]): Obj {
  const own: Obj = isObj(request) && !Array.isArray(request) && 'contents' in request ? { ...request } : { contents: [newContent(request)] };
  const merged: Obj = { generationConfig: m.generationConfig, safetySettings: m.safetySettings, tools: m.tools, toolConfig: m.toolConfig, systemInstruction: m.systemInstruction, cachedContent: typeof m.cachedContent === 'object' ? m.cachedContent?.name : m.cachedContent, ...own };
  const config: Obj = { ...(isObj(merged.generationConfig) ? merged.generationConfig : {}) };
  for (const k of ['safetySettings', 'tools', 'toolConfig', 'systemInstruction', 'cachedContent']) {
    const v = k === 'systemInstruction' ? systemContent(merged[k]) : merged[k];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (!capture && (k === 'systemInstruction' || k === 'cachedContent')) continue;
    config[k] = v;
  }
  const out: Obj = { model: modelName(m.model) };
  if (capture) out.contents = contents ?? merged.contents;
  if (Object.keys(config).length) out.config = config;
  return out;
}

function spec(name: string, type: CallSpec['type'], m: ModelLike, inputs: () => unknown, config?: unknown): CallSpec {
  return { name, type, model: modelName(m.model), config, inputs, attributes: LIBRARY };
}

function patchModel(cls: unknown): void {
  const proto = claim(cls);
  if (!proto) return;
  wrapMethod(proto, 'generateContent', (original) =>
    function (this: ModelLike, ...args: unknown[]) {
      const capture = captureContent();
      const inputs = generateInputs(this, args[0], capture);
      const call = Call.start(spec('Models.generateContent', 'LLM', this, () => inputs, inputs.config));
      return traced(call, () => original.apply(this, args), (c, res) => {
        const response = (res as { response?: unknown } | undefined)?.response;
        c.succeed(() => responseOutputs(response, capture), response);
      });
    },
  );
  wrapMethod(proto, 'generateContentStream', (original) =>
    function (this: ModelLike, ...args: unknown[]) {
      const capture = captureContent();
      const inputs = generateInputs(this, args[0], capture);
      return tracedStreamResult(Call.start(spec('Models.generateContentStream', 'LLM', this, () => inputs, inputs.config)), () => original.apply(this, args), capture, true);
    },
  );
  wrapMethod(proto, 'countTokens', (original) =>
    function (this: ModelLike, ...args: unknown[]) {
      const capture = captureContent();
      const req = args[0];
      const inputs = () => {
        const r = isObj(req) && isObj(req.generateContentRequest) ? req.generateContentRequest : req;
        return generateInputs(this, r, capture);
      };
      const call = Call.start(spec('Models.countTokens', 'LLM', this, inputs));
      return traced(call, () => original.apply(this, args), (c, res) => c.succeed(() => res));
    },
  );
  const embed = (key: string, contentsOf: (req: unknown) => { contents: unknown[]; config?: Obj }) =>
    wrapMethod(proto, key, (original) =>
      function (this: ModelLike, ...args: unknown[]) {
        const capture = captureContent();
        const { contents, config } = contentsOf(args[0]);
        const inputs = () => ({ model: modelName(this.model), ...(capture ? { contents } : {}), ...(config && Object.keys(config).length ? { config } : {}) });
        const call = Call.start(spec('Models.embedContent', 'EMBEDDING', this, inputs, config));
        return traced(call, () => original.apply(this, args), (c, res) => {
          const r = res as { embedding?: unknown; embeddings?: unknown } | undefined;
          c.succeed(() => responseOutputs(r?.embedding !== undefined ? { embeddings: [r.embedding] } : r, capture));
        });
      },
    );
  const embedConfig = (r: Obj): Obj => {
    const config: Obj = {};
    for (const k of ['taskType', 'title', 'outputDimensionality']) if (r[k] !== undefined) config[k] = r[k];
    return config;
  };
  embed('embedContent', (req) => (isObj(req) ? { contents: [req.content], config: embedConfig(req) } : { contents: [newContent(req)] }));
  embed('batchEmbedContents', (req) => {
    const requests = isObj(req) && Array.isArray(req.requests) ? (req.requests as unknown[]).filter(isObj) : [];
    return { contents: requests.map((r) => r.content), config: requests.length ? embedConfig(requests[0]) : undefined };
  });
}

interface ChatLike {
  model?: string;
  params?: ModelLike;
  _history?: unknown[];
}

function patchChat(cls: unknown): void {
  const proto = claim(cls);
  if (!proto) return;
  const turn = (key: string, stream: boolean) =>
    wrapMethod(proto, key, (original: Fn) =>
      function (this: ChatLike, ...args: unknown[]) {
        const capture = captureContent();
        const m: ModelLike = { ...(this.params ?? {}), model: this.model };
        const name = stream ? 'Chat.sendMessageStream' : 'Chat.sendMessage';
        const chat = Call.start({ name, type: 'CHAT_MODEL', scope: true, model: modelName(this.model), inputs: () => (capture ? { message: args[0] } : {}), attributes: LIBRARY });
        // The round trip the SDK makes (through a module-private function we cannot hook): the
        // request as the SDK builds it, from the history as it stands when the turn is sent.
        const contents = [...(Array.isArray(this._history) ? this._history : []), newContent(args[0])];
        const inputs = generateInputs(m, { contents }, capture);
        const inner = chat ? chat.run(() => Call.start(spec(stream ? 'Models.generateContentStream' : 'Models.generateContent', 'LLM', m, () => inputs, inputs.config))) : undefined;
        if (stream) {
          const p = tracedStreamResult(inner, () => (chat ? chat.run(() => original.apply(this, args)) : original.apply(this, args)), capture, true);
          return tracedStreamResult(chat, () => p, capture, false);
        }
        return traced(chat, () => traced(inner, () => original.apply(this, args), (c, res) => {
          const response = (res as { response?: unknown } | undefined)?.response;
          c.succeed(() => responseOutputs(response, capture), response);
        }), (c, res) => c.succeed(() => responseOutputs((res as { response?: unknown } | undefined)?.response, capture)));
      },
    );
  turn('sendMessage', false);
  turn('sendMessageStream', true);
}

/** A call resolving to `{stream, response}`: the span ends when the SDK's aggregated `response`
 *  settles (the SDK reads the whole reply for it, whether or not the app reads `stream`). The app
 *  gets the same object; its `stream` generator's `next` is shadowed in place, only to time the
 *  first chunk the app reads. Observing `response` marks its rejection as handled. */
function tracedStreamResult(call: Call | undefined, invoke: () => unknown, capture: boolean, usage: boolean): unknown {
  return traced(call, invoke as () => Promise<unknown>, (c, res) => {
    const r = res as { stream?: AsyncGenerator; response?: Promise<unknown> } | undefined;
    if (!r || !(r.response instanceof Promise)) return c.succeed(() => responseOutputs(r, capture));
    const stream = r.stream;
    if (usage && stream && typeof stream.next === 'function') {
      const next = stream.next;
      let first = true;
      Object.defineProperty(stream, 'next', {
        configurable: true, writable: true, enumerable: false,
        value: (...a: [] | [unknown]) =>
          next.apply(stream, a).then((step) => {
            if (first && !step.done) {
              first = false;
              c.firstChunk();
            }
            return step;
          }),
      });
    }
    // The SDK's aggregate keeps each chunk's text as a part of its own: joined as a direct call's.
    r.response.then(
      (response) => c.succeed(() => responseOutputs(assembleChunks([response]), capture), usage ? response : undefined),
      (e: unknown) => c.fail(e),
    );
  });
}
