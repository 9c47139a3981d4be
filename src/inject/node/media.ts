// Media parts kept in spans up to a bounded size: each blob (inlineData / inline_data, an
// Interactions image/audio/video/document block, a Live blob: any object with base64 `data` and a
// MIME type) is kept whole while it is at most PART_LIMIT bytes and the trace has not spent
// TRACE_LIMIT on media; past either, only its metadata is kept, in the keys runTags.MEDIA_ELIDED
// names. The app's own objects are never changed: blobs are copied on the way to the span.
// Limits: GEMINI_TRACE_MEDIA_PART_BYTES, GEMINI_TRACE_MEDIA_TRACE_BYTES (0 keeps no bytes).
import { MEDIA_ELIDED } from '../../shared/runTags';

type Obj = Record<string, unknown>;

function limit(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

export const PART_LIMIT = limit('GEMINI_TRACE_MEDIA_PART_BYTES', 2 * 1024 * 1024);
export const TRACE_LIMIT = limit('GEMINI_TRACE_MEDIA_TRACE_BYTES', 16 * 1024 * 1024);

/** What one trace may still spend on media bytes, shared by its spans. */
export interface MediaBudget {
  left: number;
  /** Base64 characters kept so far: the span JSON may grow by this much past its usual cap. */
  kept: number;
}

export function newBudget(): MediaBudget {
  return { left: TRACE_LIMIT, kept: 0 };
}


function isBlob(o: Obj): boolean {
  return typeof o.data === 'string' && (typeof o.mimeType === 'string' || typeof o.mime_type === 'string') && !o.data.startsWith('mlflow-attachment://') && !/^https?:/i.test(o.data);
}

const mb = (n: number) => `${+(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * `value` with every blob over the limits reduced to its metadata. Returns `value` itself when it
 * holds no such blob (the usual case: no copy at all). Depth is bounded; cycles end the walk.
 */
export function boundMedia(value: unknown, budget: MediaBudget, depth = 0, seen: Set<object> = new Set()): unknown {
  if (depth > 40 || value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      // Vectors (embeddings, logprobs) hold no media: not walked number by number.
      if (typeof value[0] === 'number') return value;
      let out: unknown[] | undefined;
      value.forEach((x, i) => {
        const y = boundMedia(x, budget, depth + 1, seen);
        if (y !== x) (out ??= value.slice())[i] = y;
      });
      return out ?? value;
    }
    const o = value as Obj;
    if (isBlob(o)) {
      const data = o.data as string;
      const bytes = Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
      if (bytes <= PART_LIMIT && bytes <= budget.left) {
        budget.left -= bytes;
        budget.kept += data.length;
        return value;
      }
      const reason = bytes > PART_LIMIT ? `over the ${mb(PART_LIMIT)} per-part limit` : `over the ${mb(TRACE_LIMIT)} per-trace limit for media`;
      const copy: Obj = {};
      for (const [k, v] of Object.entries(o)) if (k !== 'data') copy[k] = v;
      copy[MEDIA_ELIDED.bytes] = bytes;
      copy[MEDIA_ELIDED.reason] = reason;
      return copy;
    }
    // Class instances (SDK responses) are walked like plain objects: their own fields are what
    // JSON.stringify records.
    let out: Obj | undefined;
    for (const [k, v] of Object.entries(o)) {
      const y = boundMedia(v, budget, depth + 1, seen);
      if (y !== v) {
        out ??= { ...o };
        out[k] = y;
      }
    }
    return out ?? value;
  } finally {
    seen.delete(value);
  }
}
