// What a Live API span records (the shape is in live.ts's header): the JSON messages of a turn,
// both ways, with every inline blob reduced to its mime type, size and duration, and runs of
// media-only messages (streamed audio chunks) folded into one entry. Pure functions.
import { withoutMedia } from './mediaSummary';
import { mappedUsage } from './spans';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Most messages one turn keeps each way; beyond it they are counted, not kept. */
export const MAX_TURN_MESSAGES = 200;

/** A raw WebSocket payload (text, Buffer, ArrayBuffer) as JSON, or undefined. */
export function parseFrame(data: unknown): Obj | undefined {
  try {
    let text: string | undefined;
    if (typeof data === 'string') text = data;
    else if (data instanceof Uint8Array) text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    else if (data instanceof ArrayBuffer) text = Buffer.from(data).toString('utf8');
    if (text === undefined) return undefined;
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** google-genai (Python) names the client messages' top-level fields in snake_case: recorded in
 *  the camelCase the JS SDK (and the API's JSON) uses, so both tracers write one shape. */
export function camelTop(msg: Obj): Obj {
  let out: Obj | undefined;
  for (const k of Object.keys(msg)) {
    if (!k.includes('_')) continue;
    out ??= { ...msg };
    delete out[k];
    out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = msg[k];
  }
  return out ?? msg;
}

const ALL_MEDIA = { keepBelow: 0 };

/** One message as recorded: media as metadata; without content capture, only its kinds (and usage). */
export function recordedMessage(msg: Obj, capture: boolean): Obj {
  if (!capture) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(msg)) out[k] = k === 'usageMetadata' ? v : {};
    return out;
  }
  return withoutMedia(msg, ALL_MEDIA);
}

/** The one blob a media-only message carries, and where: `realtimeInput.audio`, or the single
 *  inlineData part of a modelTurn with nothing else in the message. */
function soleBlob(m: Obj): { path: string; blob: Obj } | undefined {
  const keys = Object.keys(m);
  if (keys.length !== 1) return undefined;
  const v = m[keys[0]];
  if (!isObj(v)) return undefined;
  const inner = Object.keys(v);
  if (keys[0] === 'realtimeInput' && inner.length === 1 && isObj(v[inner[0]]) && typeof (v[inner[0]] as Obj).bytes === 'number') return { path: `realtimeInput.${inner[0]}`, blob: v[inner[0]] as Obj };
  if (keys[0] === 'serverContent' && inner.length === 1 && inner[0] === 'modelTurn' && isObj(v.modelTurn)) {
    const parts = (v.modelTurn as Obj).parts;
    if (Array.isArray(parts) && parts.length === 1 && isObj(parts[0]) && isObj(parts[0].inlineData) && typeof parts[0].inlineData.bytes === 'number') {
      return { path: 'serverContent.modelTurn.inlineData', blob: parts[0].inlineData };
    }
  }
  return undefined;
}

/** Appends a recorded message, folding it into the previous one when both are the same kind of
 *  media chunk (their bytes and durations summed, `chunks` counted). Returns false when full. */
export function appendMessage(list: Obj[], msg: Obj): boolean {
  const prev = list[list.length - 1];
  const a = prev && soleBlob(prev);
  const b = a && soleBlob(msg);
  if (a && b && a.path === b.path && a.blob.mimeType === b.blob.mimeType) {
    a.blob.bytes = Number(a.blob.bytes) + Number(b.blob.bytes);
    if (typeof a.blob.durationMs === 'number' && typeof b.blob.durationMs === 'number') a.blob.durationMs = Math.round((a.blob.durationMs + b.blob.durationMs) * 10) / 10;
    a.blob.chunks = Number(a.blob.chunks ?? 1) + 1;
    return true;
  }
  if (list.length >= MAX_TURN_MESSAGES) return false;
  // A summarized blob is already our own copy (withoutMedia copies on write): safe to fold into.
  list.push(msg);
  return true;
}

/** `mlflow.chat.tokenUsage` from a Live usageMetadata (the Live API says responseTokenCount
 *  where generateContent says candidatesTokenCount). */
export function liveUsage(u: unknown): Obj | undefined {
  return mappedUsage(u, {
    input: 'promptTokenCount', output: ['responseTokenCount', 'candidatesTokenCount'], total: 'totalTokenCount',
    cached: 'cachedContentTokenCount', thoughts: 'thoughtsTokenCount', toolUse: 'toolUsePromptTokenCount',
  });
}

/** Adds one usage into a running sum (the session's total, informational). */
export function addUsage(sum: Obj | undefined, u: Obj | undefined): Obj | undefined {
  if (!u) return sum;
  const out: Obj = { ...(sum ?? {}) };
  for (const [k, v] of Object.entries(u)) if (typeof v === 'number') out[k] = Number(out[k] ?? 0) + v;
  return out;
}

export { isObj };
export type { Obj };
