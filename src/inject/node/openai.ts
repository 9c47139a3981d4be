// Tracing the `openai` SDK's chat completions, for apps that reach Gemini through an
// OpenAI-compatible endpoint (Gemini's own, or an MLflow AI Gateway endpoint). The method lives on
// the Completions class's prototype (`OpenAI.Chat.Completions`; the CommonJS and ESM builds each
// have one), patched in place as the package loads.
//
// SPAN SHAPE (mlflow.message.format = "openai.chat", gemini_trace.library = "openai")
// - `Completions.create` (CHAT_MODEL): inputs the request body as the app passed it; outputs the
//   ChatCompletion, or for `stream: true` the list of chunks the app read (the openai.chat adapter
//   assembles them); mlflow.llm.model = the body's model; mlflow.llm.provider = "mlflow-gateway"
//   when the client's base URL is an MLflow AI Gateway route (`…/gateway/…`), "gemini" for
//   Google's endpoint, else "openai"; server.address = the base URL's host; the generation
//   settings as gen_ai.request.* (temperature, top_p, max_tokens, seed, …).
// - mlflow.chat.tokenUsage from the reply's usage (a stream reports it only when the app asked with
//   stream_options.include_usage): {input_tokens: prompt_tokens, output_tokens: completion_tokens,
//   total_tokens, cache_read_input_tokens?: prompt_tokens_details.cached_tokens, thoughts_tokens?:
//   completion_tokens_details.reasoning_tokens (already inside completion_tokens)}.
// - The app keeps the SDK's own APIPromise and Stream: the span reads the reply through the
//   promise's parseResponse (shadowed on that promise) and the stream's iterator (shadowed on that
//   stream), so `.withResponse()`, `.asResponse()` and `tee()` behave as untraced. A reply the app
//   never parses (`.asResponse()` alone) ends the span when its headers arrive, without outputs.
import type { Attributes } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { GT_ATTR, MESSAGE_FORMAT } from '../../shared/runTags';
import { Call, captureContent } from './calls';
import { ATTR, mappedUsage } from './spans';
import type { UsageFields } from './spans';
import { wrapMethod } from './wrap';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const PATCHED = Symbol.for('gemini-trace.openai');

export function openaiDefinition(): InstrumentationNodeModuleDefinition {
  return new InstrumentationNodeModuleDefinition('openai', ['>=4.0.0 <9'], (exports: Obj) => {
    try {
      const client = (exports?.OpenAI ?? exports?.default) as { Chat?: { Completions?: { prototype?: Obj } } } | undefined;
      const proto = client?.Chat?.Completions?.prototype;
      if (proto && !Object.prototype.hasOwnProperty.call(proto, PATCHED)) {
        Object.defineProperty(proto, PATCHED, { value: true });
        wrapMethod(proto, 'create', traceCreate);
      }
    } catch {
      /* the SDK works untraced */
    }
    return exports;
  });
}

const SETTINGS: Array<[string, string]> = [
  ['temperature', 'gen_ai.request.temperature'], ['top_p', 'gen_ai.request.top_p'], ['max_tokens', 'gen_ai.request.max_tokens'],
  ['max_completion_tokens', 'gen_ai.request.max_tokens'], ['seed', 'gen_ai.request.seed'], ['n', 'gen_ai.request.choice.count'],
  ['presence_penalty', 'gen_ai.request.presence_penalty'], ['frequency_penalty', 'gen_ai.request.frequency_penalty'], ['reasoning_effort', 'gemini.request.reasoning_effort'],
];

const USAGE: UsageFields = { input: 'prompt_tokens', output: ['completion_tokens'], total: 'total_tokens', cached: '', thoughts: '', toolUse: '' };

/** `mlflow.chat.tokenUsage` from an OpenAI usage object. */
export function openaiUsage(u: unknown): Obj | undefined {
  const usage = mappedUsage(u, USAGE);
  if (!usage || !isObj(u)) return usage;
  const cached = isObj(u.prompt_tokens_details) ? u.prompt_tokens_details.cached_tokens : undefined;
  const reasoning = isObj(u.completion_tokens_details) ? u.completion_tokens_details.reasoning_tokens : undefined;
  if (typeof cached === 'number') usage.cache_read_input_tokens = cached;
  if (typeof reasoning === 'number' && reasoning > 0) usage.thoughts_tokens = reasoning;
  return usage;
}

function where(client: unknown): { provider: string; host?: string } {
  const base = isObj(client) && typeof client.baseURL === 'string' ? client.baseURL : '';
  let host: string | undefined;
  try {
    host = new URL(base).host;
  } catch {
    host = undefined;
  }
  const provider = /\/gateway(\/|$)/.test(base) ? 'mlflow-gateway' : host?.endsWith('googleapis.com') ? 'gemini' : 'openai';
  return { provider, host };
}

function traceCreate(original: (...args: unknown[]) => unknown) {
  return function (this: { _client?: unknown }, ...args: unknown[]) {
    const body = args[0];
    const capture = captureContent();
    const { provider, host } = where(this?._client);
    const attributes: Attributes = { [GT_ATTR.library]: 'openai', [ATTR.provider]: provider };
    if (host) attributes['server.address'] = host;
    if (isObj(body)) {
      if (typeof body.model === 'string') attributes[ATTR.model] = body.model;
      for (const [k, a] of SETTINGS) {
        const v = body[k];
        if (typeof v === 'number' || typeof v === 'string') attributes[a] = v;
      }
    }
    const call = Call.start({
      name: 'Completions.create', type: 'CHAT_MODEL', format: MESSAGE_FORMAT.openaiChat,
      inputs: () => (capture || !isObj(body) ? body : { ...body, messages: [] }),
      attributes,
    });
    let promise: unknown;
    try {
      promise = original.apply(this, args);
    } catch (e) {
      call?.fail(e);
      throw e;
    }
    if (call) observe(call, promise, capture);
    return promise;
  };
}

interface ApiPromiseLike {
  parseResponse?: (client: unknown, props: unknown) => unknown;
  responsePromise?: Promise<unknown>;
  parsedPromise?: unknown;
}

function observe(call: Call, promise: unknown, capture: boolean): void {
  const p = promise as ApiPromiseLike;
  if (!p || typeof p.parseResponse !== 'function' || !(p.responsePromise instanceof Promise)) {
    call.succeed(() => null);
    return;
  }
  const parse = p.parseResponse;
  p.parseResponse = function (this: unknown, ...a: unknown[]) {
    const parsed = parse.apply(this, a as [unknown, unknown]);
    Promise.resolve(parsed).then(
      (value) => (isObj(value) && typeof (value as { iterator?: unknown }).iterator === 'function' ? tapStream(call, value, capture) : call.succeed(() => outputs(value, capture), undefined, usageAttr(value))),
      (e: unknown) => call.fail(e),
    );
    return parsed;
  };
  p.responsePromise.then(
    // Nobody asked for the parsed reply (the app read the raw Response): nothing more to see.
    () => setImmediate(() => p.parsedPromise === undefined && call.succeed(() => null)),
    (e: unknown) => call.fail(e),
  );
}

function usageAttr(value: unknown): Record<string, string> | undefined {
  const usage = isObj(value) ? openaiUsage(value.usage) : undefined;
  return usage ? { [ATTR.usage]: JSON.stringify(usage) } : undefined;
}

function outputs(value: unknown, capture: boolean): unknown {
  if (capture || !isObj(value)) return value;
  const { choices, ...meta } = value;
  return { ...meta, choices: Array.isArray(choices) ? choices.map((c) => (isObj(c) ? { index: c.index, finish_reason: c.finish_reason } : c)) : choices };
}

/** The SDK's Stream reads through its `iterator` function (for await, tee, toReadableStream):
 *  shadowed on this stream so each chunk the app reads is also kept; the span ends with the stream. */
function tapStream(call: Call, stream: Obj, capture: boolean): void {
  const make = stream.iterator as () => AsyncIterator<unknown>;
  const chunks: unknown[] = [];
  let usage: unknown;
  const end = (early: boolean) =>
    call.succeed(() => (capture ? chunks : chunks.map((c) => outputs(c, false))), undefined, {
      'gemini_trace.stream_chunks': chunks.length,
      ...(early ? { [GT_ATTR.streamClosedEarly]: true } : {}),
      ...(usageAttr({ usage }) ?? {}),
    });
  Object.defineProperty(stream, 'iterator', {
    configurable: true, writable: true, enumerable: false,
    value: function (this: unknown) {
      const it = make.call(this);
      const next = it.next.bind(it);
      const ret = it.return?.bind(it);
      const step = (p: Promise<IteratorResult<unknown>>, closing: boolean) =>
        p.then(
          (r) => {
            if (r.done) end(closing);
            else {
              if (chunks.length === 0) call.firstChunk();
              chunks.push(r.value);
              if (isObj(r.value) && isObj(r.value.usage)) usage = r.value.usage;
            }
            return r;
          },
          (e: unknown) => {
            call.fail(e, () => chunks);
            throw e;
          },
        );
      const tapped = {
        next: (...a: [] | [unknown]) => step(next(...a), false),
        return: (v?: unknown) => (ret ? step(ret(v), true) : Promise.resolve({ done: true as const, value: v })),
        throw: (e?: unknown) => (it.throw ? it.throw(e) : Promise.reject(e)),
        [Symbol.asyncIterator]() {
          return tapped;
        },
      };
      return tapped;
    },
  });
}
