// One span's details for the webview, built on request (never for all spans up front), with every
// large value clipped. Pure: no vscode.
import { readModelCall } from '../model/adapters/read';
import { checkResponseSchema, type SchemaCheck } from '../model/call/schemaCheck';
import type { Message, ModelCall } from '../model/call/types';
import type { Span, SpanSource, Trace } from '../model/types';
import { clipValue, resolvePath, valueText, type ClipLimits, DEFAULT_LIMITS } from './clip';
import type { ChatView, SpanDetails, ValueRef } from '../contract/protocol';

/** The model call a span records, as the Chat tab shows it; undefined for other spans (and for
 *  spans no adapter can read, which still show their raw inputs and outputs). */
export function chatOf(span: Span, call: ModelCall | undefined = readModelCall(span)): ChatSource | undefined {
  if (!call || (!call.request.length && !call.response.length && !call.system)) return undefined;
  // The flattened texts repeat what the parts hold; leave them out of the post. Media bytes
  // travel on request only (the `media` request), one medium at a time: a media part's `data` is
  // posted as '' to say there are bytes to ask for.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { promptText, responseText, thinking, ...view } = call;
  const out: ChatSource = {
    ...view,
    system: view.system && withoutBytes(view.system),
    request: view.request.map(withoutBytes),
    response: view.response.map((c) => ({ ...c, message: withoutBytes(c.message) })),
  };
  if (!view.system) delete out.system;
  const schemaCheck = checkResponseSchema(call);
  if (schemaCheck) out.schemaCheck = schemaCheck;
  return out;
}

export type ChatSource = Omit<ModelCall, 'promptText' | 'responseText' | 'thinking'> & { schemaCheck?: SchemaCheck };

function withoutBytes(m: Message): Message {
  if (!m.parts.some((p) => p.kind === 'media' && p.data !== undefined)) return m;
  return { ...m, parts: m.parts.map((p) => (p.kind === 'media' && p.data !== undefined ? { ...p, data: '' } : p)) };
}

/** `call`: the span's model call when the caller already read it (with warnings that need the
 *  rest of the trace, such as dropped thought signatures). */
export function spanDetails(trace: Pick<Trace, 'startNs'>, span: Span, index: number, limits: ClipLimits = DEFAULT_LIMITS, call?: ModelCall): SpanDetails {
  const ms = (ns: bigint) => Number(ns - trace.startNs) / 1e6;
  const base = (field: ValueRef['field']) => ({ spanId: span.id, field });
  const chat = chatOf(span, call ?? readModelCall(span));
  return {
    spanId: span.id,
    index,
    name: span.name,
    type: span.type,
    status: span.status,
    statusMessage: span.statusMessage,
    startMs: ms(span.startNs),
    endMs: span.endNs === null ? null : ms(span.endNs),
    model: span.model,
    code: span.code,
    usage: span.usage,
    cost: span.cost,
    chat: chat ? (clipValue(chat, base('chat'), limits) as ChatView) : undefined,
    inputs: clipValue(span.inputs, base('inputs'), limits),
    outputs: clipValue(span.outputs, base('outputs'), limits),
    attributes: clipValue(span.attributes, base('attributes'), limits) as Record<string, unknown>,
    events: span.events.map((e, i) => ({
      name: e.name,
      timeMs: ms(e.timeNs),
      attributes: clipValue(e.attributes, base('events'), limits, [i, 'attributes']),
    })),
    exceptions: clipValue(span.exceptions, base('exceptions'), limits) as unknown[],
    orphan: span.orphan,
    cycleBroken: span.cycleBroken ?? false,
  };
}

/** Why a ValueRef finds nothing. */
export const VALUE_GONE = 'That value is no longer in the trace (it may have been refreshed).';

/** The whole value a ValueRef points at, as text; throws when the span or path is gone. */
export function fullValueText(trace: SpanSource, ref: ValueRef): string {
  const v = resolveRef(trace, ref);
  if (v === undefined) throw new Error(VALUE_GONE);
  return valueText(v);
}

/** The whole value a ValueRef points at, or undefined when the span or path is gone. */
export function resolveRef(trace: SpanSource, ref: ValueRef): unknown {
  const span = trace.byId.get(ref.spanId);
  if (!span) return undefined;
  const root = (() => {
    switch (ref.field) {
      case 'inputs':
        return span.inputs;
      case 'outputs':
        return span.outputs;
      case 'attributes':
        return span.attributes;
      case 'events':
        return span.events;
      case 'exceptions':
        return span.exceptions;
      case 'chat':
        return chatOf(span);
      default:
        return undefined;
    }
  })();
  return resolvePath(root, ref.path);
}
