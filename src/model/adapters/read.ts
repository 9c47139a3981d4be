// Which adapter reads a span: the one its `mlflow.message.format` names, else the one whose
// attributes or shape it carries (frameworks' spans name no format). The only place that knows
// every format; everything downstream reads the ModelCall.
import { fromAiSdk, isAiSdkCall } from './aiSdk';
import { fromGenerateContent } from './generateContent';
import { fromInteractions } from './interactions';
import { fromLive } from './live';
import { fromOpenAiChat, looksLikeOpenAiChat } from './openaiChat';
import { fromOtelGenAi, hasOtelGenAiMessages } from './otelGenai';
import { isRecord } from '../../shared/json';
import { GEMINI_ATTR, MESSAGE_FORMAT } from '../../shared/runTags';
import { LazySpan, shallowAttributes } from '../lazySpan';
import type { Span } from '../types';
import type { ModelCall } from '../call/types';

/** The model call a span records, or undefined when it records none (or cannot be read: a
 *  malformed payload is then shown raw, never thrown at the view). */
export function readModelCall(span: Span): ModelCall | undefined {
  try {
    return read(span);
  } catch {
    return undefined;
  }
}

function read(span: Span): ModelCall | undefined {
  const format = span.attributes['mlflow.message.format'];
  switch (format) {
    case MESSAGE_FORMAT.interactions:
      return fromInteractions(span);
    case MESSAGE_FORMAT.live:
      // The session's root span (`Live.session`) holds turns, not messages: not a model call itself.
      return hasMessages(span.inputs) || hasMessages(span.outputs) ? fromLive(span) : undefined;
    case MESSAGE_FORMAT.openaiChat:
    case 'openai':
      return fromOpenAiChat(span);
    case MESSAGE_FORMAT.generateContent:
      return fromGenerateContent(span);
  }
  // A Live session's root (`Live.session`, no format): it holds turns, not messages.
  if (span.attributes[GEMINI_ATTR.liveSessionId] !== undefined || span.attributes['gemini.live.model'] !== undefined) return undefined;
  if (hasOtelGenAiMessages(span)) return fromOtelGenAi(span);
  if (isAiSdkCall(span)) return fromAiSdk(span);
  if (looksLikeInteraction(span)) return fromInteractions(span);
  if (looksLikeOpenAiChat(span)) return fromOpenAiChat(span);
  return fromGenerateContent(span);
}

/** An Interaction resource in the outputs (`steps`, or the `object: "interaction"` marker), or a
 *  create body (`input` with `model` or `agent`). */
function looksLikeInteraction(span: Span): boolean {
  const o = span.outputs;
  if (isRecord(o) && typeof o.id === 'string' && typeof o.status === 'string' && (Array.isArray(o.steps) || o.object === 'interaction')) return true;
  const i = span.inputs;
  return isRecord(i) && i.input !== undefined && (typeof i.model === 'string' || typeof i.agent === 'string') && i.contents === undefined;
}

function hasMessages(v: unknown): boolean {
  return isRecord(v) && Array.isArray(v.messages);
}

/** Where a request can hold the model's own earlier turns: a role spelled out, a function call
 *  (its role is the model's even when unstated), or the shapes whose turns carry their role
 *  otherwise (Interactions' `input` steps, Live's `turns`). Quotes are unescaped: the same words
 *  inside a prompt's text are escaped, so they do not count. Keys spelled with \u escapes, which
 *  no SDK writes, are not recognised. */
const ANSWER_IN_REQUEST = /"role"\s*:\s*"(?:model|assistant)"|function_?call|functioncall|"(?:input|turns)"\s*:/i;

/**
 * False only when the span's model call, if it has one, cannot resend an earlier answer (a request
 * message whose role is the model's), told from its inputs' JSON text before they are decoded
 * (see lazySpan.ts): a trace's history check then decodes only the spans that may. True whenever
 * the text cannot tell: the inputs are decoded already, are JSON nested in a string, or the
 * messages are in attributes or events.
 */
export function requestMayHoldAnswers(span: Span): boolean {
  const text = span instanceof LazySpan ? span.pendingInputs : undefined;
  if (text === undefined || text.trimStart().startsWith('"')) return true;
  for (const k in shallowAttributes(span)) if (k.startsWith('gen_ai.') || k.startsWith('ai.')) return true;
  if (span.events.some((e) => e.name.startsWith('gen_ai.'))) return true;
  return ANSWER_IN_REQUEST.test(text);
}

/** Spans whose model call a view may show (cheap to ask again: callers cache per span). */
export function hasModelCall(span: Span): boolean {
  const call = readModelCall(span);
  return !!call && (call.request.length > 0 || call.response.length > 0 || !!call.system);
}
