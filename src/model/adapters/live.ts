// A Live API turn (`mlflow.message.format` = gemini.live; CONTRACT.md) → ModelCall. Inputs hold the
// client messages of the turn in order (clientContent, realtimeInput, toolResponse), outputs the
// server messages (serverContent, toolCall, toolCallCancellation, usageMetadata, …) and what the
// tracer gathered from them. Media arrive as `{mimeType, bytes, durationMs}`, never as bytes.
import { toContents, toPart } from '../geminiContent';
import { modelName } from '../gemini';
import { GEMINI_ATTR } from '../../shared/runTags';
import { appendJoined, finishCall } from '../call/text';
import type { Message, ModelCall, Part } from '../call/types';
import type { Span } from '../types';
import { fromGeminiContent, fromGeminiPart } from './geminiParts';
import { field, isRecord, mediaPart, opt, records, sig, str, strings, stripNulls, toNumber } from './values';

export function fromLive(span: Span): ModelCall {
  const ins = isRecord(span.inputs) ? span.inputs : {};
  const outs = isRecord(span.outputs) ? span.outputs : {};
  const user: Part[] = [];
  const request: Message[] = [];
  const flushUser = () => {
    if (user.length) request.push({ role: 'user', parts: user.splice(0) });
  };
  for (const m of records(ins.messages)) {
    const content = field(m, 'client_content');
    if (isRecord(content)) {
      flushUser();
      request.push(...liveContents(field(content, 'turns'), 'user'));
    }
    const rt = field(m, 'realtime_input');
    if (isRecord(rt)) {
      if (typeof rt.text === 'string') appendJoined(user, { kind: 'text', text: rt.text });
      for (const k of ['audio', 'video', 'media']) if (isRecord(rt[k])) user.push(mediaPart(rt[k] as Record<string, unknown>));
      for (const c of records(field(rt, 'media_chunks'))) user.push(mediaPart(c));
      for (const k of ['activity_start', 'activity_end', 'audio_stream_end']) if (field(rt, k) !== undefined) user.push({ kind: 'event', name: k.replace(/_/g, ' ') });
    }
    const tr = field(m, 'tool_response');
    if (isRecord(tr)) {
      flushUser();
      const parts: Part[] = records(field(tr, 'function_responses')).map((f) => ({ kind: 'functionResponse', name: str(f.name) ?? '', response: f.response ?? null, ...opt({ id: str(f.id) }) }));
      if (parts.length) request.push({ role: 'user', parts });
    }
  }
  const toolResponses = request.filter((msg) => msg.parts.every((p) => p.kind === 'functionResponse'));

  const model: Part[] = [];
  let inputHeard = '';
  let interrupted = outs.interrupted === true;
  for (const m of records(outs.messages)) {
    const sc = field(m, 'server_content');
    if (isRecord(sc)) {
      const turn = field(sc, 'model_turn');
      for (const c of liveContents(turn, 'model')) for (const p of c.parts) appendJoined(model, p);
      const heard = field(sc, 'input_transcription');
      if (isRecord(heard) && typeof heard.text === 'string') inputHeard += heard.text;
      const said = field(sc, 'output_transcription');
      if (isRecord(said) && typeof said.text === 'string') appendJoined(model, { kind: 'transcription', of: 'output', text: said.text });
      if (sc.interrupted === true) {
        interrupted = true;
        model.push({ kind: 'event', name: 'interrupted', detail: 'the user spoke over the model; the rest of its answer was dropped' });
      }
    }
    const tc = field(m, 'tool_call');
    if (isRecord(tc)) for (const f of records(field(tc, 'function_calls'))) model.push({ kind: 'functionCall', name: str(f.name) ?? '', args: f.args ?? {}, ...opt({ id: str(f.id) }) });
    const cancel = field(m, 'tool_call_cancellation');
    if (isRecord(cancel)) model.push({ kind: 'event', name: 'tool call cancelled', detail: strings(cancel.ids).join(', ') });
    const away = field(m, 'go_away');
    if (isRecord(away)) model.push({ kind: 'event', name: 'server going away', detail: str(field(away, 'time_left')) });
  }
  // A tool response answers a call the server made earlier in this very turn: it goes right after
  // that call in the turn's ordered steps (the view shows them side by side), not before them.
  for (const msg of toolResponses) {
    msg.parts = msg.parts.filter((r) => {
      const at = r.kind === 'functionResponse' && r.id ? model.findIndex((p) => p.kind === 'functionCall' && p.id === r.id) : -1;
      if (at < 0) return true;
      let after = at + 1;
      while (model[after]?.kind === 'functionResponse') after++;
      model.splice(after, 0, r);
      return false;
    });
  }
  // No message of the app's began this turn (the server spoke first, or a late report came alone).
  if (span.attributes['gemini_trace.turn_opened_by'] === 'server') model.unshift({ kind: 'event', name: 'opened by the server', detail: 'no message of the app began this turn' });
  // Without the messages, what the tracer gathered still tells the turn.
  if (!model.length && typeof outs.text === 'string' && outs.text) model.push({ kind: 'text', text: outs.text });
  if (!model.some((p) => p.kind === 'transcription') && typeof outs.output_transcription === 'string' && outs.output_transcription) model.push({ kind: 'transcription', of: 'output', text: outs.output_transcription });
  if (!inputHeard && typeof outs.input_transcription === 'string') inputHeard = outs.input_transcription;
  if (inputHeard) user.push({ kind: 'transcription', of: 'input', text: inputHeard });
  flushUser();
  // What is left of the user's side, its messages joined where a moved tool response stood between them.
  for (let i = request.length - 1; i >= 0; i--) {
    if (!request[i].parts.length) request.splice(i, 1);
    else if (i + 1 < request.length && request[i + 1].role === request[i].role) request[i].parts.push(...request.splice(i + 1, 1)[0].parts);
  }

  const status = interrupted ? 'interrupted' : outs.turn_complete === true ? 'complete' : undefined;
  const call = finishCall({
    provider: 'gemini',
    api: 'gemini.live',
    operation: 'turn',
    ...opt({ model: span.model ?? modelName(ins.model), status }),
    request,
    config: isRecord(ins.config) ? (stripNulls(ins.config) as Record<string, unknown>) : {},
    response: model.length || status ? [{ message: { role: 'model', parts: model } }] : [],
    ordered: true,
    warnings: toNumber(outs.messages_dropped) ? [`${toNumber(outs.messages_dropped)} messages of this turn were not recorded: a turn keeps at most 200 each way (runs of audio or video chunks count as one).`] : [],
  });
  if (span.usage) call.usage = span.usage;
  const session = str(span.attributes[GEMINI_ATTR.liveSessionId]);
  if (session) call.ids = { session };
  return call;
}

/** Contents (a Content, a list of them, or what else the SDKs accept) with Live's parts. */
function liveContents(v: unknown, role: string): Message[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  if (list.every((c) => isRecord(c) && Array.isArray(c.parts))) {
    return list.map((c) => ({ role: str((c as Record<string, unknown>).role) || role, parts: ((c as Record<string, unknown>).parts as unknown[]).map(livePart) }));
  }
  return toContents(v, role).map(fromGeminiContent);
}

/** A part as Live records it: inline data reduced to `{mimeType, bytes, durationMs}` is media. */
function livePart(p: unknown): Part {
  if (isRecord(p)) {
    const inline = field(p, 'inline_data');
    if (isRecord(inline)) return { ...mediaPart(inline), ...sig(p, 'thought_signature') } as Part;
    if (field(p, 'mime_type') !== undefined && p.text === undefined) return mediaPart(p);
  }
  return fromGeminiPart(toPart(p));
}
