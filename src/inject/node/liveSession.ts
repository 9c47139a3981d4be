// One traced Live session: fed every JSON message the SDK sends and receives on its WebSocket
// (live.ts taps them), it cuts the session into turns, opens a TOOL span per function call the
// server asks for, and closes everything when the socket does. The span shape is in live.ts.
import { GEMINI_ATTR, MESSAGE_FORMAT } from '../../shared/runTags';
import { Call, captureContent } from './calls';
import { addUsage, appendMessage, camelTop, isObj, liveUsage, parseFrame, recordedMessage } from './liveShape';
import type { Obj } from './liveShape';
import { toJson } from './spans';

/** How long a finished turn waits for a usageMetadata that trails its turnComplete. */
const TURN_GRACE_MS = 250;

interface Turn {
  call: Call;
  inputs: Obj[];
  outputs: Obj[];
  dropped: number;
  text: string;
  inputTranscription: string;
  outputTranscription: string;
  interrupted: boolean;
  complete: boolean;
  usage?: Obj;
  /** performance.now() at turnComplete: the span's end, whenever it is closed. */
  endAt?: number;
  timer?: ReturnType<typeof setTimeout>;
}

export type EndedBy = 'client' | 'server' | 'error' | 'exit';

export class LiveSession {
  private turn?: Turn;
  private turns = 0;
  private usage?: Obj;
  private readonly tools = new Map<string, Call>();
  private clientClosing = false;
  private error?: string;
  private goAway?: unknown;
  private ended = false;
  private sessionId?: string;
  private readonly capture = captureContent();

  private constructor(
    private readonly root: Call,
    private readonly model: string | undefined,
    private readonly onEnd: (s: LiveSession) => void,
  ) {}

  static start(model: unknown, inputs: () => unknown, onEnd: (s: LiveSession) => void): LiveSession | undefined {
    const root = Call.start({ name: 'Live.session', type: 'CHAIN', openRoot: true, inputs, attributes: { 'mlflow.llm.provider': 'gemini', ...(typeof model === 'string' ? { 'gemini.live.model': model } : {}) } });
    return root && new LiveSession(root, typeof model === 'string' ? model : undefined, onEnd);
  }

  /** A message the SDK is sending (the JSON text it hands the socket). */
  sent(data: unknown): void {
    if (this.ended) return;
    const raw = parseFrame(data);
    if (!raw || raw.setup) return;
    const msg = camelTop(raw);
    if (isObj(msg.toolResponse) && Array.isArray(msg.toolResponse.functionResponses)) {
      for (const r of msg.toolResponse.functionResponses) {
        const id = isObj(r) && typeof r.id === 'string' ? r.id : undefined;
        const tool = id ? this.tools.get(id) : undefined;
        if (!tool || !id) continue;
        this.tools.delete(id);
        tool.succeed(() => (this.capture && isObj(r) ? (r.response ?? null) : {}));
      }
    } else if (this.turn?.complete) {
      this.closeTurn();
    }
    this.record(this.turnFor(true).inputs, msg);
  }

  /** A message from the server (the payload of a WebSocket message event). */
  received(data: unknown): void {
    if (this.ended) return;
    const msg = parseFrame(data);
    if (!msg) return;
    if (isObj(msg.setupComplete) && typeof msg.setupComplete.sessionId === 'string') {
      this.sessionId = msg.setupComplete.sessionId;
      this.root.set({ [GEMINI_ATTR.liveSessionId]: this.sessionId });
    }
    if (msg.goAway !== undefined) this.goAway = msg.goAway;
    const turnish = msg.serverContent !== undefined || msg.toolCall !== undefined || msg.toolCallCancellation !== undefined;
    if (!turnish && msg.usageMetadata === undefined) return;
    // A usage report that trails turnComplete still belongs to the finished turn.
    if (turnish && this.turn?.complete) this.closeTurn();
    const turn = this.turnFor(false);
    this.record(turn.outputs, msg);
    if (msg.usageMetadata !== undefined) turn.usage = liveUsage(msg.usageMetadata);
    const sc = msg.serverContent;
    if (isObj(sc)) {
      const parts = isObj(sc.modelTurn) && Array.isArray(sc.modelTurn.parts) ? sc.modelTurn.parts : [];
      for (const p of parts) if (isObj(p) && typeof p.text === 'string' && !p.thought) turn.text += p.text;
      if (isObj(sc.inputTranscription) && typeof sc.inputTranscription.text === 'string') turn.inputTranscription += sc.inputTranscription.text;
      if (isObj(sc.outputTranscription) && typeof sc.outputTranscription.text === 'string') turn.outputTranscription += sc.outputTranscription.text;
      if (sc.interrupted === true) turn.interrupted = true;
      if (sc.turnComplete === true) {
        turn.complete = true;
        turn.endAt = performance.now();
        turn.timer = setTimeout(() => this.closeTurn(turn), TURN_GRACE_MS);
        turn.timer.unref?.();
      }
    }
    if (isObj(msg.toolCall) && Array.isArray(msg.toolCall.functionCalls)) {
      for (const fc of msg.toolCall.functionCalls) this.openTool(turn, fc);
    }
    if (isObj(msg.toolCallCancellation) && Array.isArray(msg.toolCallCancellation.ids)) {
      for (const id of msg.toolCallCancellation.ids) {
        const tool = typeof id === 'string' ? this.tools.get(id) : undefined;
        if (!tool) continue;
        this.tools.delete(id as string);
        tool.succeed(() => ({ cancelled: true }), undefined, { 'gemini_trace.tool_cancelled': true });
      }
    }
  }

  /** The app (or the SDK) is closing the socket. */
  closing(): void {
    this.clientClosing = true;
  }

  errored(err: unknown): void {
    if (this.ended) return;
    this.error = isObj(err) && typeof err.message === 'string' && err.message ? err.message : 'WebSocket error';
  }

  /** The socket closed: everything still open ends, the session with how it ended. */
  closed(code?: unknown, reason?: unknown): void {
    const by: EndedBy = this.error ? 'error' : this.clientClosing ? 'client' : 'server';
    this.end(by, typeof code === 'number' ? code : undefined, typeof reason === 'string' ? reason : undefined);
  }

  /** connect() failed: the session never began. */
  failed(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
    this.root.fail(err, () => ({ turns: 0, ended_by: 'error' }));
  }

  end(by: EndedBy, code?: number, reason?: string): void {
    if (this.ended) return;
    if (this.turn) this.closeTurn();
    this.ended = true;
    this.onEnd(this);
    for (const tool of this.tools.values()) tool.fail({ name: 'LiveSessionClosed', message: 'The session ended before the app sent this tool response.' });
    this.tools.clear();
    const outputs = () => {
      const out: Obj = { turns: this.turns, ended_by: by };
      if (code !== undefined) out.close_code = code;
      if (reason) out.close_reason = reason;
      if (this.usage) out.usage = this.usage;
      if (this.goAway !== undefined) out.go_away = this.goAway;
      return out;
    };
    // Normal closures (1000, or none given) are fine; anything else, or a socket error, is the error.
    const abnormal = by === 'error' || (by === 'server' && code !== undefined && code !== 1000 && code !== 1005);
    if (abnormal) this.root.fail({ name: 'LiveSessionError', message: this.error ?? `The server closed the session (code ${code}${reason ? `: ${reason}` : ''}).` }, outputs);
    else this.root.succeed(outputs);
  }

  private record(list: Obj[], msg: Obj): void {
    if (!this.turn) return;
    if (!appendMessage(list, recordedMessage(msg, this.capture))) this.turn.dropped++;
  }

  /** The turn a message belongs to, opened if there is none (by the app's send, or the server). */
  private turnFor(fromApp: boolean): Turn {
    if (this.turn) return this.turn;
    const call = Call.start({
      name: 'Live.turn', type: 'CHAT_MODEL', format: MESSAGE_FORMAT.live, parent: this.root.frame,
      inputs: () => null,
      attributes: { ...(this.model ? { 'mlflow.llm.model': this.model } : {}), ...(this.sessionId ? { [GEMINI_ATTR.liveSessionId]: this.sessionId } : {}), 'gemini_trace.turn_opened_by': fromApp ? 'client' : 'server' },
    });
    this.turn = { call: call!, inputs: [], outputs: [], dropped: 0, text: '', inputTranscription: '', outputTranscription: '', interrupted: false, complete: false };
    return this.turn;
  }

  private openTool(turn: Turn, fc: unknown): void {
    if (!isObj(fc)) return;
    const name = typeof fc.name === 'string' && fc.name ? fc.name : 'tool';
    const id = typeof fc.id === 'string' ? fc.id : undefined;
    const tool = Call.start({
      name, type: 'TOOL', parent: turn.call.frame, inputs: () => (this.capture ? (fc.args ?? {}) : {}),
      attributes: { 'gen_ai.tool.name': name, ...(id ? { 'gen_ai.tool.call.id': id } : {}) },
    });
    if (tool && id) this.tools.set(id, tool);
  }

  private closeTurn(which?: Turn): void {
    const turn = this.turn;
    if (!turn || (which && which !== turn)) return;
    this.turn = undefined;
    if (turn.timer) clearTimeout(turn.timer);
    this.turns++;
    this.usage = addUsage(this.usage, turn.usage);
    const capture = this.capture;
    turn.call.set({ 'mlflow.spanInputs': toJson({ messages: turn.inputs }) });
    const outputs = () => ({
      messages: turn.outputs,
      text: capture ? turn.text : '',
      input_transcription: capture ? turn.inputTranscription : '',
      output_transcription: capture ? turn.outputTranscription : '',
      interrupted: turn.interrupted,
      turn_complete: turn.complete,
      ...(turn.dropped ? { messages_dropped: turn.dropped } : {}),
    });
    turn.call.usage(turn.usage);
    turn.call.succeed(outputs, undefined, undefined, turn.endAt);
  }
}
