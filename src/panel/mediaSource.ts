// Where a media part's bytes come from, for the panel's `media` request and "Save as…": the
// recorded base64 text in the span, or an MLflow trace attachment (fetched from the server the
// trace came from). Pure: the attachment fetch is passed in.
import { readModelCall } from '../model/adapters/read';
import type { ModelCall, Part } from '../model/call/types';
import type { Span, SpanSource } from '../model/types';
import { resolvePath } from './clip';
import { bytesText, decodeBase64, MEDIA_RENDER_LIMIT, presentMedia } from './media';
import type { MediaResult } from '../contract/protocol';
import type { ValueRef } from '../contract/protocol';
import { errorMessage } from '../shared/errors';

type MediaPart = Extract<Part, { kind: 'media' }>;

/** Fetches the bytes of one MLflow trace attachment. */
export type AttachmentFetch = (traceId: string, attachmentId: string, o?: { signal?: AbortSignal }) => Promise<Buffer>;

/** Calls read for their media, per span: a call of 20 images is read once, not once per image. */
const calls = new WeakMap<Span, ModelCall | undefined>();

/** The media part a Chat-tab ref points at (paths into the chat view are paths into the call). */
export function mediaPartAt(trace: SpanSource, ref: ValueRef): MediaPart | undefined {
  const span = trace.byId.get(ref.spanId);
  if (!span || ref.field !== 'chat') return undefined;
  if (!calls.has(span)) calls.set(span, readModelCall(span));
  const p = resolvePath(calls.get(span), ref.path) as Part | undefined;
  return p && typeof p === 'object' && p.kind === 'media' ? p : undefined;
}

/** `mlflow-attachment://<id>?content_type=…&trace_id=…&size=N` → its parts (MLflow's Attachment.ref). */
export function parseAttachmentRef(ref: string): { id: string; traceId?: string; contentType?: string } | undefined {
  try {
    const u = new URL(ref);
    if (u.protocol !== 'mlflow-attachment:' || !/^[0-9a-f-]{36}$/i.test(u.hostname)) return undefined;
    return { id: u.hostname.toLowerCase(), traceId: u.searchParams.get('trace_id') ?? undefined, contentType: u.searchParams.get('content_type') ?? undefined };
  } catch {
    return undefined;
  }
}

/** The part's bytes, or why there are none. `limit`: refuse to decode more than this. */
export async function mediaBytes(part: MediaPart, traceId: string, fetch: AttachmentFetch | undefined, limit = Infinity, signal?: AbortSignal): Promise<Buffer | string> {
  if (part.elided) return `Only this medium's metadata was recorded: ${part.elided}.`;
  if (part.data !== undefined) {
    if (part.data.length * 0.75 > limit) return 'too large';
    return decodeBase64(part.data) ?? 'The recorded data is not base64: it cannot be shown or saved.';
  }
  if (part.attachment) {
    const a = parseAttachmentRef(part.attachment);
    if (!a) return `The attachment reference ${JSON.stringify(part.attachment.slice(0, 200))} is malformed.`;
    if (!fetch) return 'Attachments cannot be fetched here.';
    if ((part.bytes ?? 0) > limit) return 'too large';
    return fetch(a.traceId ?? traceId, a.id, { signal });
  }
  if (part.uri) return `This medium is a reference (${part.uri}), not recorded bytes; it is shown as text and never loaded.`;
  return 'No bytes of this medium were recorded.';
}

/** What the webview shows for the part a ref points at. */
export async function presentPart(trace: SpanSource, ref: ValueRef, fetch?: AttachmentFetch, signal?: AbortSignal): Promise<MediaResult> {
  const part = mediaPartAt(trace, ref);
  if (!part) return { kind: 'metadata', reason: 'That part is no longer in the trace (it may have been refreshed).', canSave: false };
  let got: Buffer | string;
  try {
    got = await mediaBytes(part, trace.summary.id, fetch, MEDIA_RENDER_LIMIT, signal);
  } catch (e) {
    return { kind: 'metadata', reason: `Could not fetch the attachment: ${errorMessage(e)}`, mimeType: part.mimeType, bytes: part.bytes, canSave: false };
  }
  if (got === 'too large') return { kind: 'metadata', reason: `${bytesText(part.bytes ?? 0)} is over the panel's ${bytesText(MEDIA_RENDER_LIMIT)} limit for showing media.`, mimeType: part.mimeType, bytes: part.bytes, canSave: true };
  if (typeof got === 'string') return { kind: 'metadata', reason: got, mimeType: part.mimeType, bytes: part.bytes, canSave: false };
  const clean = part.data !== undefined && /^[A-Za-z0-9+/]*={0,2}$/.test(part.data) ? part.data : undefined;
  return presentMedia(got, part.mimeType, clean);
}
