// Media in traces as metadata: an inline blob (base64 `data` with a mime type) becomes its mime
// type, its size in bytes and, for PCM audio, its duration, so audio and video never land in
// MLflow and a big image cannot push a whole reply past the attribute size cap. Two spellings:
// the Interactions API's content items (`{type, mime_type, data}` → `{type, mime_type, bytes,
// duration_ms}`) and the Live API's blobs (`{mimeType, data}` → `{mimeType, bytes, durationMs}`).
// Copy-on-write: values with no media come back as the same object, and the app's objects are
// never changed.

type Obj = Record<string, unknown>;

/** Decoded size of a base64 string, without decoding it. */
export function base64Bytes(b64: string): number {
  let pad = 0;
  if (b64.endsWith('==')) pad = 2;
  else if (b64.endsWith('=')) pad = 1;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - pad);
}

/** Milliseconds of 16-bit PCM audio: the rate from `audio/pcm;rate=N` (or the item's own
 *  sample_rate), one channel unless told otherwise. */
export function pcmDurationMs(mime: string, bytes: number, sampleRate?: unknown, channels?: unknown): number | undefined {
  if (!/^audio\/(pcm|l16)/i.test(mime)) return undefined;
  const rate = Number(/rate=(\d+)/i.exec(mime)?.[1] ?? sampleRate);
  const ch = Number(channels) > 0 ? Number(channels) : 1;
  if (!(rate > 0)) return undefined;
  return Math.round((bytes / 2 / ch / rate) * 1000 * 10) / 10;
}

/** Whether a blob's bytes are dropped: audio and video always; other media above `keepBelow`
 *  base64 characters (0 = always). */
export interface MediaPolicy {
  keepBelow: number;
}

function summarize(o: Obj, policy: MediaPolicy): Obj | undefined {
  const data = o.data;
  if (typeof data !== 'string') return undefined;
  const snake = typeof o.mime_type === 'string';
  const mime = String((snake ? o.mime_type : o.mimeType) ?? '');
  const kind = typeof o.type === 'string' ? o.type : mime.split('/')[0];
  if (!snake && typeof o.mimeType !== 'string' && !['audio', 'video', 'image', 'document'].includes(kind)) return undefined;
  const av = kind === 'audio' || kind === 'video' || /^(audio|video)\//.test(mime);
  if (!av && policy.keepBelow > 0 && data.length < policy.keepBelow) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'data') out[k] = v;
  const bytes = base64Bytes(data);
  out.bytes = bytes;
  const ms = pcmDurationMs(mime, bytes, o.sample_rate ?? o.sampleRate, o.channels);
  if (ms !== undefined) out[snake || typeof o.type === 'string' ? 'duration_ms' : 'durationMs'] = ms;
  return out;
}

/** `value` with every inline blob summarized; the same object when there is none. */
export function withoutMedia<T>(value: T, policy: MediaPolicy, depth = 0): T {
  if (!value || typeof value !== 'object' || depth > 24) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = withoutMedia(value[i], policy, depth + 1);
      if (v !== value[i]) (copy ??= value.slice())[i] = v;
    }
    return (copy ?? value) as T;
  }
  const o = value as Obj;
  const s = summarize(o, policy);
  if (s) return s as T;
  let copy: Obj | undefined;
  for (const k in o) {
    const v = o[k];
    if (!v || typeof v !== 'object') continue;
    const w = withoutMedia(v, policy, depth + 1);
    if (w !== v) (copy ??= { ...o })[k] = w;
  }
  return (copy ?? o) as T;
}
