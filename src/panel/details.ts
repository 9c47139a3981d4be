// One span's details for the webview, built on request (never for all spans up front), with every
// large value clipped. Pure: no vscode.
import { extractGemini } from '../model/gemini';
import type { GeminiCall, Span, Trace } from '../model/types';
import { clipValue, resolvePath, type ClipLimits, DEFAULT_LIMITS } from './clip';
import type { ChatView, SpanDetails, ValueRef } from './protocol';

export function chatOf(span: Span): Omit<GeminiCall, 'promptText' | 'responseText' | 'thinking'> | undefined {
  let call: GeminiCall | undefined;
  try {
    call = extractGemini(span);
  } catch {
    // A span the extractor cannot read still shows its raw inputs and outputs.
    return undefined;
  }
  if (!call || (!call.contents.length && !call.candidates.length && !call.systemInstruction)) return undefined;
  // The flattened texts repeat what the parts hold; leave them out of the post.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { promptText, responseText, thinking, ...view } = call;
  return view;
}

export function spanDetails(trace: Trace, span: Span, index: number, limits: ClipLimits = DEFAULT_LIMITS): SpanDetails {
  const ms = (ns: bigint) => Number(ns - trace.startNs) / 1e6;
  const base = (field: ValueRef['field']) => ({ spanId: span.id, field });
  const chat = chatOf(span);
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

/** The whole value a ValueRef points at, or undefined when the span or path is gone. */
export function resolveRef(trace: Trace, ref: ValueRef): unknown {
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
