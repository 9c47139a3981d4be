// Small, forgiving readers the adapters share: recorded payloads are untrusted and often partial,
// so every reader returns undefined (or an empty list) instead of throwing.
import { blobOf, field, stripNulls } from '../geminiContent';
import { MEDIA_ELIDED } from '../../shared/runTags';
import { isRecord, toNumber, tryParseJson } from '../../shared/json';
import type { Link, ModelUsage, Part } from '../call/types';

export { field, isRecord, stripNulls, toNumber };

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-empty string, or undefined. */
export function name(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

/** A value that may be JSON text (OTel attributes, tool-call arguments): parsed when it is. */
export function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!t.startsWith('{') && !t.startsWith('[') && !t.startsWith('"')) return v;
  const r = tryParseJson(t);
  return r.ok ? r.value : v;
}

/** Optional fields of a part, only those that are set (so parts compare equal by content). */
export function opt<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined && o[k] !== null && o[k] !== '') out[k] = o[k];
  return out;
}

/** `signature: true` when a non-empty signature was recorded. */
export function sig(o: Record<string, unknown>, key = 'signature'): { signature?: true } {
  const s = field(o, key);
  return typeof s === 'string' && s !== '' ? { signature: true } : {};
}

/**
 * Media from any recorded shape: `{mime_type|mimeType, data, uri}` (REST), `{mimeType, bytes,
 * durationMs}` (what our Live tracers record instead of the bytes), MLflow's attachment
 * references, a tracer's elided blob. Base64 data is kept as the same string (see call/types.ts).
 */
export function mediaPart(o: Record<string, unknown>): Part {
  const mime = str(field(o, 'mime_type')) ?? str(o.mediaType) ?? str(o.media_type);
  const uri = str(field(o, 'uri')) ?? str(field(o, 'file_uri'));
  const data = o.data;
  const url = typeof data === 'string' && /^https?:/i.test(data) ? data : undefined;
  const blob = data !== undefined && data !== null && !url ? blobOf(o) : o[MEDIA_ELIDED.reason] !== undefined ? blobOf(o) : undefined;
  const bytes = toNumber(o.bytes) ?? blob?.bytes;
  const duration = toNumber(field(o, 'duration_ms'));
  const chunks = toNumber(o.chunks);
  return {
    kind: 'media',
    ...opt({ mimeType: mime, uri: uri ?? url, attachment: blob?.attachment, elided: blob?.elided }),
    ...(bytes !== undefined ? { bytes } : {}),
    ...(blob?.data !== undefined ? { data: blob.data } : {}),
    ...(duration !== undefined ? { durationMs: duration } : {}),
    ...(chunks !== undefined && chunks > 1 ? { chunks } : {}),
    ...sig(o),
  } as Part;
}

/** Links from a list of `{url|uri, title|name}` records (search results, citations, places). */
export function links(v: unknown): Link[] {
  const out: Link[] = [];
  for (const r of records(v)) {
    const url = str(r.url) ?? str(r.uri) ?? str(field(r, 'google_maps_uri'));
    if (!url) continue;
    const title = str(r.title) ?? str(r.name);
    out.push(title ? { url, title } : { url });
  }
  return out;
}

/** Usage with its tool-use prompt tokens, which MLflow's usage attribute lacks: our tracers add
 *  `tool_use_prompt_tokens` to it; else the first of `fallbacks` that is a count. */
export function withToolUse(usage: ModelUsage, attr: unknown, ...fallbacks: unknown[]): ModelUsage {
  const n = (isRecord(attr) ? toNumber(attr.tool_use_prompt_tokens) : undefined) ?? fallbacks.map(toNumber).find((x) => x !== undefined);
  return n ? { ...usage, toolUse: n } : usage;
}
