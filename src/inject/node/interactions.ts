// Tracing `ai.interactions` (@google/genai's Interactions API): create, get, cancel and delete.
// The client is a lazy getter on GoogleGenAI.prototype; each traced client gets its own getter that
// wraps the four methods of the Interactions object in place. The Python tracer writes the same shape.
//
// SPAN SHAPE (mlflow.message.format = "gemini.interactions", mlflow.llm.provider = "gemini")
// - One span per SDK call: `Interactions.create` | `Interactions.get` | `Interactions.cancel` |
//   `Interactions.delete`. mlflow.spanType: CHAT_MODEL for create/get of a model interaction, AGENT
//   for an agent interaction (`agent` in the request or the reply), UNKNOWN for cancel/delete.
// - Attributes: mlflow.llm.model = model | gemini.agent = agent; gemini.interaction.id (the reply's
//   id; with automatic continuation the last hop's), gemini.interaction.previous_id,
//   gemini.interaction.status (the last status seen), gemini.interaction.background (create);
//   gemini.interaction.dropped_signatures (create) = JSON [{step, id, interaction}]: call steps the
//   input replays (store: false history) without the thought signature an earlier reply seen by
//   this process gave them (stepSignatures.ts);
//   request settings from generation_config: gen_ai.request.temperature / top_p / max_tokens /
//   seed / stop_sequences, gemini.request.thinking_level / thinking_summaries; gemini.request.tools
//   = the tool types offered; mlflow.chat.tools = the function declarations in MLflow's schema;
//   code.filepath / code.lineno / code.function = the app's call site (source-mapped).
// - mlflow.spanInputs: create → the request body as the app passed it, REST field names (input,
//   model | agent, previous_interaction_id, system_instruction, generation_config,
//   response_format, tools, stream, background, agent_config, store, …), without the SDK-only
//   api_version / automatic_continuation and without transport options (the second argument);
//   mcp_server tools' header values → "[redacted]". get → {id, stream?, last_event_id?,
//   include_input?}; cancel / delete → {id}.
// - mlflow.spanOutputs: the Interaction as the API returned it (REST field names, without the
//   SDK's sdkHttpResponse; output_text and continuation_ids as the SDK adds them). A stream's
//   output is the Interaction assembled from its events, the same shape. delete → the reply (null).
// - Media: an audio or video content item `{type, mime_type, data}` is recorded as `{type,
//   mime_type, bytes, duration_ms?}` (duration for PCM); images and documents too when their base64
//   is 256 KiB or more.
// - mlflow.chat.tokenUsage, on the one span that first saw the interaction's final usage (a
//   finished status; ids remembered per process, so a later get of the same interaction adds no
//   usage): {input_tokens: total_input_tokens, output_tokens: total_output_tokens, total_tokens,
//   cache_read_input_tokens?: total_cached_tokens, thoughts_tokens?: total_thought_tokens,
//   tool_use_prompt_tokens?: total_tool_use_tokens}.
// - Streams (create or get with stream: true): the span ends when the app has read the stream to
//   its end (or stopped: gemini_trace.stream_closed_early = true; or passed to tee / pipeTo /
//   pipeThrough, which read it out of sight: gemini_trace.stream_handed_on = true, the output as far
//   as the app had read); gemini_trace.stream_events = the number of events;
//   gemini_trace.time_to_first_chunk_ms = time to the first `step.delta`;
//   gemini.interaction.step_usage = JSON list aligned with the steps of each step's `step_usage`
//   (null where none), when the stream gave any; gemini_trace.stream_unparsed = true if an event
//   could not be read (the app still got every event untouched). The app keeps the SDK's own
//   Stream object (streamTap.ts).
// - Status ERROR with the message: HTTP errors (the SDK's error, http.response.status_code), an
//   `error` event in a stream (error.type = its code), and a create/get that saw the interaction
//   end `failed` or `cancelled` ("Interaction failed: <the API's error messages>"). A cancel call
//   that worked is OK; the run it cancelled ends as an error.
// - Trace tags (root spans): gemini_trace.conversation = the id of the first interaction of its
//   previous_interaction_id chain in this process, on every create of the chain, the first
//   included; every create that starts no chain carries its own id, so a conversation is a group of
//   two or more traces with the same value.
// - Background runs (`background: true`): one trace per run. Root `Interactions.background`
//   (AGENT for an agent, CHAIN for a model), inputs = the request body, outputs = the last
//   Interaction seen, the same interaction attributes. Its children: the create and every later
//   get / cancel / delete of that id, wherever in the app they run, each with its own call site
//   (a poll of a run this process did not create is a trace of its own). A delete ends the run
//   (gemini.interaction.status = deleted). At most 1000 runs are watched at once.
//   The root ends when a call sees a finished status (anything but in_progress, queued,
//   requires_continuation): OK, or ERROR for failed / cancelled. A create that failed, or whose
//   stream never named the run, ends it with the create. Meanwhile the children are
//   exported as they end, so MLflow holds the trace as IN_PROGRESS (a trace whose root span has
//   not arrived); the run tags reach it with them (they are resource attributes too, tracer.ts),
//   and its name and conversation tag are set over REST once MLflow holds its first span
//   (openRoots.ts), so the Traces view lists it named while it runs.
//   If the process exits first the root is exported with no status (MLflow shows OK), the last
//   status seen in gemini.interaction.status and the trace tag gemini_trace.unfinished = "true".
// - Automatic continuation (the SDK's hops of one long decode) stays one span: the SDK merges the
//   hops' steps and usage, and continuation_ids lists them. The Interactions client runs no tools
//   itself, so there are no TOOL spans: function calls come back as steps (status requires_action).
import type { Attributes } from '@opentelemetry/api';
import { GEMINI_ATTR, GEMINI_TAG, GT_ATTR, MESSAGE_FORMAT } from '../../shared/runTags';
import { BackgroundRun } from './backgroundRuns';
import { Call, captureContent } from './calls';
import { createAttributes, createInputs, failure, getInputs, interactionOutputs, interactionUsage, isFailed, isObj, isRunning } from './interactionShape';
import type { Obj } from './interactionShape';
import type { InteractionAssembler } from './interactionStream';
import { watchStream } from './streamTap';
import type { StreamEnd } from './streamTap';
import { Recent } from './recent';
import { droppedSignatures, rememberSigned } from './stepSignatures';
import { toJson } from './spans';
import { wrapMethod } from './wrap';

const WRAPPED = Symbol.for('gemini-trace.wrapped');

/** Ids (and continuation hop ids) whose final usage a span has already carried. */
const counted = new Recent<true>();
/** Interaction id → the conversation (first interaction of its chain) it belongs to. */
const conversations = new Recent<string>();

/** Shadows the client's `interactions` getter (a lazy getter on its class) with one on the
 *  instance, so the Interactions object it hands out is instrumented before the app sees it. Per
 *  instance, like models and chats: a client made from the unwrapped class stays untraced. */
export function instrumentInteractionsGetter(ai: object): void {
  if (Object.prototype.hasOwnProperty.call(ai, 'interactions')) return;
  for (let proto = Object.getPrototypeOf(ai); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, 'interactions');
    if (!d) continue;
    const original = d.get;
    if (typeof original !== 'function') return;
    Object.defineProperty(ai, 'interactions', {
      configurable: true,
      enumerable: false,
      get: function interactions(this: unknown) {
        const value = original.call(this);
        try {
          instrumentInteractions(value);
        } catch {
          /* the client works untraced */
        }
        return value;
      },
    });
    return;
  }
}

export function instrumentInteractions(target: unknown): void {
  if (!target || typeof target !== 'object' || (target as Record<symbol, unknown>)[WRAPPED]) return;
  const o = target as Record<string | symbol, unknown>;
  Object.defineProperty(o, WRAPPED, { value: true, enumerable: false });
  wrapMethod(o, 'create', (original) => function create(this: unknown, ...args: unknown[]) {
    return traceCreate(args[0], () => original.apply(this, args));
  });
  wrapMethod(o, 'get', (original) => function get(this: unknown, ...args: unknown[]) {
    return traceById('get', args[0], args[1], () => original.apply(this, args));
  });
  wrapMethod(o, 'cancel', (original) => function cancel(this: unknown, ...args: unknown[]) {
    return traceById('cancel', args[0], args[1], () => original.apply(this, args));
  });
  wrapMethod(o, 'delete', (original) => function del(this: unknown, ...args: unknown[]) {
    return traceById('delete', args[0], args[1], () => original.apply(this, args));
  });
}

const isAgent = (v: unknown): boolean => isObj(v) && typeof v.agent === 'string';

function traceCreate(params: unknown, invoke: () => unknown): unknown {
  const capture = captureContent();
  const p = isObj(params) ? params : {};
  const agent = isAgent(p);
  const attributes: Attributes = { ...createAttributes(p), [GEMINI_ATTR.background]: p.background === true };
  if (typeof p.previous_interaction_id === 'string') attributes[GEMINI_ATTR.previousInteractionId] = p.previous_interaction_id;
  const dropped = droppedSignatures(p.input);
  if (dropped.length) attributes[GEMINI_ATTR.droppedSignatures] = toJson(dropped);
  let root: Call | undefined;
  if (p.background === true) {
    root = Call.start({ name: 'Interactions.background', type: agent ? 'AGENT' : 'CHAIN', format: MESSAGE_FORMAT.interactions, inputs: () => createInputs(params, capture), attributes, openRoot: true });
  }
  const call = Call.start({
    name: 'Interactions.create', type: agent ? 'AGENT' : 'CHAT_MODEL', format: MESSAGE_FORMAT.interactions,
    inputs: () => createInputs(params, capture), attributes, ...(root ? { parent: root.frame } : {}),
  });
  const run = root && new BackgroundRun(root, agent);
  return observe(call, invoke, capture, {
    seen(interaction) {
      const head = root ?? call;
      if (!head || typeof interaction.id !== 'string') return;
      const prev = typeof p.previous_interaction_id === 'string' ? p.previous_interaction_id : undefined;
      const conversation = prev ? (conversations.get(prev) ?? prev) : interaction.id;
      for (const id of [interaction.id, ...(Array.isArray(interaction.continuation_ids) ? interaction.continuation_ids : [])]) {
        if (typeof id === 'string' && !conversations.has(id)) conversations.set(id, conversation);
      }
      head.tag(GEMINI_TAG.conversation, conversation);
      run?.watch(interaction.id);
    },
    ended(interaction, err) {
      run?.settle(interaction, err);
    },
  });
}

function traceById(kind: 'get' | 'cancel' | 'delete', id: unknown, params: unknown, invoke: () => unknown): unknown {
  const capture = captureContent();
  const run = BackgroundRun.of(id);
  const name = `Interactions.${kind}`;
  const type = kind === 'get' ? (run?.agent ? 'AGENT' : 'CHAT_MODEL') : 'UNKNOWN';
  const inputs = () => (kind === 'get' ? getInputs(id, params) : { id });
  const call = Call.start({ name, type, format: MESSAGE_FORMAT.interactions, inputs, attributes: { [GEMINI_ATTR.interactionId]: String(id) }, ...(run ? { parent: run.root.frame } : {}) });
  return observe(call, invoke, capture, {
    seen(interaction) {
      if (kind === 'get' && isAgent(interaction)) call?.set({ 'mlflow.spanType': 'AGENT' });
    },
    ended(interaction, err) {
      // A failed poll (a 404, a timeout) says nothing about the run: it stays open.
      if (!run || err) return;
      if (kind === 'delete') run.deleted();
      else run.settle(interaction);
    },
    usage: kind !== 'delete',
    errorOnFailed: kind === 'get',
  });
}

interface Observer {
  /** The interaction's id is known (create: for the conversation and the run). */
  seen(interaction: Obj): void;
  /** The call ended: with the last interaction seen, or the error. */
  ended(interaction: Obj | undefined, err?: unknown): void;
  usage?: boolean;
  errorOnFailed?: boolean;
}

/** Runs the SDK call and ends its span on the reply, on the error, or when its stream ends. */
function observe(call: Call | undefined, invoke: () => unknown, capture: boolean, ob: Observer): unknown {
  if (!call) return invoke();
  const usage = ob.usage ?? true;
  const errorOnFailed = ob.errorOnFailed ?? true;
  let result: unknown;
  try {
    result = invoke();
  } catch (e) {
    call.fail(e);
    ob.ended(undefined, e);
    throw e;
  }
  if (!(result instanceof Promise)) return result;
  return result.then(
    (value: unknown) => {
      try {
        if (isObj(value) && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
          return watchStream(value, {
            firstDelta: () => call.firstChunk(),
            end: (asm, how, err) => endStream(call, asm, how, err, capture, ob, usage, errorOnFailed),
          });
        }
        const interaction = isObj(value) ? value : undefined;
        if (interaction) ob.seen(interaction);
        finish(call, interaction, value, capture, usage, errorOnFailed);
        ob.ended(interaction);
      } catch {
        /* tracing only */
      }
      return value;
    },
    (e: unknown) => {
      call.fail(e);
      ob.ended(undefined, e);
      throw e;
    },
  );
}

type Attrs = Record<string, string | number | boolean>;

/** What a span says about the interaction it saw. */
function interactionAttrs(interaction: Obj | undefined): Attrs {
  const attrs: Attrs = {};
  if (!interaction) return attrs;
  if (typeof interaction.id === 'string') attrs[GEMINI_ATTR.interactionId] = interaction.id;
  if (typeof interaction.status === 'string') attrs[GEMINI_ATTR.interactionStatus] = interaction.status;
  if (typeof interaction.previous_interaction_id === 'string') attrs[GEMINI_ATTR.previousInteractionId] = interaction.previous_interaction_id;
  if (typeof interaction.agent === 'string') attrs[GEMINI_ATTR.agent] = interaction.agent;
  return attrs;
}

/** Ends a span on an interaction (or a delete's reply): outputs, attributes, usage once, status. */
function finish(call: Call, interaction: Obj | undefined, value: unknown, capture: boolean, usage: boolean, errorOnFailed: boolean, extra: Attrs = {}): void {
  const attrs = { ...extra, ...interactionAttrs(interaction) };
  if (interaction) rememberSigned(interaction);
  if (interaction && usage && !isRunning(interaction.status)) call.usage(countOnce(interaction));
  const outputs = () => (interaction ? interactionOutputs(interaction, capture) : (value ?? null));
  if (interaction && errorOnFailed && isFailed(interaction.status)) call.fail(failure(interaction), outputs, attrs);
  else call.succeed(outputs, undefined, attrs);
}

/** The usage to record for this interaction, unless a span already carried it. */
function countOnce(interaction: Obj): Obj | undefined {
  const ids = [interaction.id, ...(Array.isArray(interaction.continuation_ids) ? interaction.continuation_ids : [])].filter((x): x is string => typeof x === 'string');
  if (ids.some((id) => counted.has(id))) return undefined;
  const usage = interactionUsage(interaction.usage);
  if (usage) for (const id of ids) counted.set(id, true);
  return usage;
}

function endStream(call: Call, asm: InteractionAssembler | undefined, how: StreamEnd, err: unknown, capture: boolean, ob: Observer, usage: boolean, errorOnFailed: boolean): void {
  const interaction = asm?.result();
  const extra: Attrs = { [GT_ATTR.streamEvents]: asm?.events ?? 0 };
  if (!asm) extra[GT_ATTR.streamUnparsed] = true;
  if (how === 'early') extra[GT_ATTR.streamClosedEarly] = true;
  if (how === 'handed-on') extra[GT_ATTR.streamHandedOn] = true;
  const steps = asm?.perStepUsage();
  if (steps) extra[GEMINI_ATTR.stepUsage] = toJson(steps);
  if (interaction) ob.seen(interaction);
  // The transport failed mid-stream, or the stream said so in an `error` event.
  const streamError = how === 'error' ? err : asm?.error ? { name: typeof asm.error.code === 'string' ? asm.error.code : 'InteractionStreamError', message: String(asm.error.message ?? 'The stream reported an error.') } : undefined;
  if (streamError) {
    call.fail(streamError, () => (interaction ? interactionOutputs(interaction, capture) : null), { ...extra, ...interactionAttrs(interaction) });
    ob.ended(interaction, streamError);
    return;
  }
  finish(call, interaction, null, capture, usage, errorOnFailed, extra);
  ob.ended(interaction);
}
