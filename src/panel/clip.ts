// Values leave the host clipped: long strings keep a head, long arrays and objects their first
// items, each clipped piece carrying a ValueRef so "show all" and "open in editor" can fetch the
// whole. A span holding a 10 MB prompt thus posts a few KB and the webview never stalls on it.
import type { ClippedRest, ClippedString, ValueRef } from '../contract/protocol';
import { errorMessage } from '../shared/errors';

export interface ClipLimits {
  /** Characters of a string kept before it is clipped. */
  string: number;
  /** Items of an array or keys of an object kept. */
  items: number;
  /** Nesting kept; deeper values become clipped strings of their JSON. */
  depth: number;
}

export const DEFAULT_LIMITS: ClipLimits = { string: 8_000, items: 500, depth: 40 };

export function clipValue(value: unknown, base: Omit<ValueRef, 'path'>, limits: ClipLimits = DEFAULT_LIMITS, path: (string | number)[] = []): unknown {
  const ref = (p: (string | number)[]): ValueRef => ({ ...base, path: p });
  const walk = (v: unknown, p: (string | number)[], depth: number): unknown => {
    if (typeof v === 'string') {
      if (v.length <= limits.string && !(v.length > BLOB_HEAD && looksLikeBlob(v))) return v;
      // Base64 media is unreadable as text: a short head says what it is; the Chat tab shows it.
      const keep = looksLikeBlob(v) ? BLOB_HEAD : limits.string;
      return { $clipped: 'string', head: v.slice(0, keep), length: v.length, ref: ref(p) } satisfies ClippedString;
    }
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' ? String(v) : v;
    if (depth >= limits.depth) {
      const s = safeStringify(v);
      return { $clipped: 'string', head: s.slice(0, limits.string), length: s.length, ref: ref(p) } satisfies ClippedString;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      const keep = Math.min(v.length, limits.items);
      for (let i = 0; i < keep; i++) out.push(walk(v[i], [...p, i], depth + 1));
      if (v.length > keep) out.push({ $clipped: 'rest', omitted: v.length - keep, ref: ref(p) } satisfies ClippedRest);
      return out;
    }
    if (v instanceof Map) return walk(Object.fromEntries(v), p, depth);
    const out: Record<string, unknown> = {};
    const keys = Object.keys(v);
    const keep = Math.min(keys.length, limits.items);
    for (let i = 0; i < keep; i++) out[keys[i]] = walk((v as Record<string, unknown>)[keys[i]], [...p, keys[i]], depth + 1);
    if (keys.length > keep) out['…'] = { $clipped: 'rest', omitted: keys.length - keep, ref: ref(p) } satisfies ClippedRest;
    return out;
  };
  return walk(value, path, 0);
}

/** Characters of base64 data kept in a clipped string's head. */
const BLOB_HEAD = 256;

/** Base64 text (media bytes): its first 2,048 characters have no spaces and mix upper case,
 *  lower case and digits, as encoded bytes do (a run of one letter is text, however long). */
function looksLikeBlob(v: string): boolean {
  if (v.length <= 1024) return false;
  const head = v.slice(0, 2048);
  return /^[A-Za-z0-9+/_-]+$/.test(head) && /[A-Z]/.test(head) && /[a-z]/.test(head) && /[0-9]/.test(head);
}

/** Follows a path into a value; undefined when the path no longer leads anywhere. */
export function resolvePath(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v instanceof Map ? v.get(key) : (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** A whole value as text: strings as they are, everything else as indented JSON. */
export function valueText(v: unknown): string {
  return typeof v === 'string' ? v : safeStringify(v, 2);
}

export function safeStringify(v: unknown, indent?: number): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(
        v,
        (_k, x: unknown) => {
          if (typeof x === 'bigint') return x.toString();
          if (x instanceof Map) return Object.fromEntries(x);
          if (typeof x === 'object' && x !== null) {
            if (seen.has(x)) return '[circular]';
            seen.add(x);
          }
          return x;
        },
        indent,
      ) ?? String(v)
    );
  } catch (e) {
    return `[unprintable: ${errorMessage(e)}]`;
  }
}
