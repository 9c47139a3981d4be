// Tracing `ai.live.connect(...)` (@google/genai's Live API). connect() is wrapped on each client's
// Live object; the SDK opens its socket through the Live object's WebSocket factory, which is
// wrapped too, so the session sees every JSON message exactly as it goes over the wire: each
// `send` of the connection and each message event before the SDK parses it (so a tool call's span
// is open before the app's onmessage runs). Nothing the app or the SDK sees changes.
//
// SPAN SHAPE (the Python tracer writes the same)
// - One trace per session. Root `Live.session` (CHAIN): inputs {model, config} (config as passed
//   to connect, without httpOptions / abortSignal, callable tools named, systemInstruction only
//   with content capture); outputs {turns, ended_by: client | server | error | exit, close_code?,
//   close_reason?, usage? (summed over turns, informational), go_away? (the server's goAway)};
//   attributes mlflow.llm.provider = gemini, gemini.live.model, gemini.live.session_id (from
//   setupComplete); no mlflow.chat.tokenUsage. ERROR when the socket failed or the server closed
//   it with a code other than 1000; a process that exits with the session open ends it as "exit".
//   The root stays open for the session; its turns are exported as they end, and the trace is
//   named over REST once MLflow holds the first of them (openRoots.ts).
// - One span per turn, `Live.turn` (CHAT_MODEL, mlflow.message.format = gemini.live,
//   mlflow.llm.model): from the turn's first message either way until the server's turnComplete
//   (its usage may trail by up to 250 ms and is still counted). inputs {messages: [the client
//   messages of the turn in order, camelCase as the API's JSON (clientContent, realtimeInput,
//   toolResponse, contextUpdate)]}; outputs {messages: [the server messages in order (serverContent,
//   toolCall, toolCallCancellation, usageMetadata)], text (the model's text parts), input_transcription,
//   output_transcription, interrupted, turn_complete, messages_dropped? (past 200 a side)};
//   mlflow.chat.tokenUsage from the turn's usageMetadata {input_tokens: promptTokenCount,
//   output_tokens: responseTokenCount, total_tokens: totalTokenCount, cache_read_input_tokens?,
//   thoughts_tokens?, tool_use_prompt_tokens?}; gemini_trace.turn_opened_by = client | server;
//   gemini.live.session_id (as on the root, so a turn read alone still names its session).
// - Media never recorded: every inline blob either way becomes {mimeType, bytes, durationMs?}
//   (durationMs for PCM, from the rate in the mime type); consecutive messages that carry only
//   one such blob of the same kind are folded into one, with `chunks` counted.
// - A tool call: `TOOL` span named after the function, child of the turn that received the
//   toolCall, from its receipt until the app's toolResponse with the same id; inputs = args,
//   outputs = the response; gen_ai.tool.name, gen_ai.tool.call.id. A toolCallCancellation ends it
//   with {cancelled: true} and gemini_trace.tool_cancelled; a session that ends first, as ERROR.
// - Without content capture: messages keep only their kinds ({clientContent: {}}) and usage; no
//   text, transcriptions, tool args or responses.
// - Code location: the session's is connect()'s call site; a turn's, the app's send that opened
//   it (else the session's); a tool's, its turn's.
import { captureContent } from './calls';
import { exitFinalizers } from './exit';
import { LiveSession } from './liveSession';
import { recordedConfig } from './spans';
import { wrapMethod } from './wrap';
import type { Fn } from './wrap';

type Obj = Record<string | symbol, unknown>;
const WRAPPED = Symbol.for('gemini-trace.wrapped');

/** Sessions whose connect() is under way, per Live object, in call order: the factory hands
 *  each new socket to the oldest (connect opens its socket before it awaits anything). */
const connecting = new WeakMap<object, LiveSession[]>();
const open = new Set<LiveSession>();

function endOpenSessions(): void {
  for (const s of [...open]) s.end('exit');
}

export function instrumentLive(ai: unknown): void {
  const live = (ai as { live?: Obj } | null)?.live;
  if (!live || typeof live !== 'object' || live[WRAPPED] || typeof live.connect !== 'function') return;
  Object.defineProperty(live, WRAPPED, { value: true, enumerable: false });
  wrapMethod(live, 'connect', (original) => function connect(this: unknown, ...args: unknown[]) {
    return traceConnect(live, args[0], () => original.apply(this, args));
  });
}

function sessionInputs(params: unknown): unknown {
  if (!params || typeof params !== 'object') return {};
  const p = params as { model?: unknown; config?: unknown };
  const capture = captureContent();
  const config = recordedConfig(p.config, capture);
  return { model: p.model, ...(config ? { config } : {}) };
}

function traceConnect(live: Obj, params: unknown, invoke: () => unknown): unknown {
  const session = LiveSession.start((params as { model?: unknown } | null)?.model, () => sessionInputs(params), (s) => open.delete(s));
  if (!session) return invoke();
  hookFactory(live);
  const queue = connecting.get(live) ?? [];
  connecting.set(live, queue);
  queue.push(session);
  open.add(session);
  exitFinalizers.add(endOpenSessions);
  const unqueue = () => {
    const i = queue.indexOf(session);
    if (i >= 0) queue.splice(i, 1);
  };
  let result: unknown;
  try {
    result = invoke();
  } catch (e) {
    unqueue();
    session.failed(e);
    throw e;
  }
  if (!(result instanceof Promise)) {
    unqueue();
    return result;
  }
  return result.then(
    (s: unknown) => {
      unqueue();
      return s;
    },
    (e: unknown) => {
      unqueue();
      session.failed(e);
      throw e;
    },
  );
}

/** Wraps the Live object's WebSocket factory (once) so each Live session's socket is tapped. */
function hookFactory(live: Obj): void {
  const factory = live.webSocketFactory as Obj | undefined;
  if (!factory || typeof factory !== 'object' || factory[WRAPPED]) return;
  Object.defineProperty(factory, WRAPPED, { value: true, enumerable: false });
  wrapMethod(factory, 'create', (original) => function create(this: unknown, ...args: unknown[]) {
    const [url, headers, callbacks] = args as [unknown, unknown, Record<string, Fn | undefined> | undefined];
    // The music API shares the factory: only BidiGenerateContent sockets are sessions we trace.
    const session = typeof url === 'string' && /BidiGenerateContent/.test(url) ? connecting.get(live)?.shift() : undefined;
    if (!session || !callbacks || typeof callbacks !== 'object') return original.apply(this, args);
    const tapped: Record<string, Fn | undefined> = { ...callbacks };
    const tap = (key: string, see: (e: { data?: unknown; code?: unknown; reason?: unknown; message?: unknown } | undefined) => void) => {
      const cb = callbacks[key];
      if (typeof cb !== 'function') return; // no handler of its own: add none
      tapped[key] = function (this: unknown, ...a: unknown[]) {
        try {
          see(a[0] as never);
        } catch {
          /* tracing only */
        }
        return cb.apply(this, a);
      };
    };
    tap('onmessage', (e) => session.received(e?.data));
    tap('onerror', (e) => session.errored(e));
    tap('onclose', (e) => session.closed(e?.code, e?.reason));
    const conn = original.call(this, url, headers, tapped) as Obj;
    if (conn && typeof conn === 'object') {
      wrapMethod(conn, 'send', (send) => function (this: unknown, ...a: unknown[]) {
        try {
          session.sent(a[0]);
        } catch {
          /* tracing only */
        }
        return send.apply(this, a);
      });
      wrapMethod(conn, 'close', (close) => function (this: unknown, ...a: unknown[]) {
        session.closing();
        return close.apply(this, a);
      });
    }
    return conn;
  });
}
