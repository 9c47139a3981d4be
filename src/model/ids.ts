// Span and trace ids to lowercase hex. Python's traces.json, the TypeScript SDK and traces/get
// write them as base64 of the raw bytes; OTLP JSON and MLflow 2.x wrote hex ("0x…" in 2.x).

const HEX = /^[0-9a-f]+$/i;
const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface IdResult {
  hex: string;
  /** false when the value was not a recognisable id and `hex` is a stand-in derived from it. */
  ok: boolean;
}

/** Hex id of `bytes` bytes (8 for spans, 16 for traces) from whatever the encoding wrote. */
export function toHexId(raw: unknown, bytes: 8 | 16): IdResult | undefined {
  const width = bytes * 2;
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return { hex: raw.toString(16).padStart(width, '0'), ok: true };
  if (typeof raw === 'bigint' && raw >= 0n) return fit(raw.toString(16), width, raw.toString());
  if (typeof raw !== 'string') return undefined;
  let s = raw.trim();
  if (s === '') return undefined;
  if (s.startsWith('tr-')) s = s.slice(3);
  if (/^0x/i.test(s) && HEX.test(s.slice(2))) return fit(s.slice(2).toLowerCase(), width, raw);
  // Hex first: a string of exactly the hex width is an id in hex even if it is also valid base64.
  if (s.length === width && HEX.test(s)) return { hex: s.toLowerCase(), ok: true };
  if (B64.test(s)) {
    const decoded = base64ToHex(s);
    if (decoded !== undefined && decoded.length === width) return { hex: decoded, ok: true };
  }
  if (HEX.test(s) && s.length < width) return { hex: s.toLowerCase().padStart(width, '0'), ok: true };
  return { hex: stableHash(raw, width), ok: false };
}

function fit(hex: string, width: number, raw: string): IdResult {
  if (hex.length <= width) return { hex: hex.padStart(width, '0'), ok: true };
  return { hex: stableHash(raw, width), ok: false };
}

/** 6-bit value of each base64 character (standard and URL-safe alphabets), -1 for others. */
const B64_VALUE = (() => {
  const v = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 64; i++) v[alphabet.charCodeAt(i)] = i;
  v[43] = v[45] = 62; // '+' and '-'
  v[47] = v[95] = 63; // '/' and '_'
  return v;
})();
const HEX_CODE = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Scratch for the hex digits of one id (ids are short; longer input takes the slow path). */
const digits = new Uint16Array(64);

/** Decodes standard or URL-safe base64 (padding optional) to lowercase hex; undefined when it is
 *  not base64. By table, not atob: every span of a 100,000-span trace has two or three ids. The
 *  hex is made as one flat string: built by `+=`, each id was a rope of eight pieces that V8
 *  flattened the first time the id was hashed or matched (a Map key, a regular expression), which
 *  made the span tree's id map ~2× slower to fill. */
export function base64ToHex(s: string): string | undefined {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end % 4 === 1 || s.length - end > 2) return undefined;
  const need = Math.floor((end * 6) / 8) * 2;
  const out = need <= digits.length ? digits : new Uint16Array(need);
  let k = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_VALUE[c] : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const b = (acc >> bits) & 0xff;
      out[k++] = HEX_CODE[b >> 4];
      out[k++] = HEX_CODE[b & 15];
    }
  }
  // A span id, the commonest by far, as sixteen arguments: spread from a typed array, it took
  // twice as long. An argument per digit is fine for an id, not for a megabyte of hostile base64.
  if (k === 16) return String.fromCharCode(out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8], out[9], out[10], out[11], out[12], out[13], out[14], out[15]);
  return out === digits ? String.fromCharCode.apply(null, out.subarray(0, k) as unknown as number[]) : new TextDecoder('utf-16le').decode(out.subarray(0, k));
}

/** Bytes encoded by a base64 string, without decoding it (for inline data sizes). */
export function base64ByteLength(s: string): number {
  // Recorded base64 rarely holds line breaks; copying megabytes to drop none would be waste.
  const t = /\s/.test(s) ? s.replace(/\s+/g, '') : s;
  const pad = t.endsWith('==') ? 2 : t.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((t.length * 3) / 4) - pad);
}

/** A deterministic stand-in id for a malformed one (FNV-1a, widened), so the span keeps a key. */
export function stableHash(s: string, width: number): string {
  let out = '';
  let seed = 0x811c9dc5;
  while (out.length < width) {
    let h = seed;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, '0');
    seed = (seed + 0x9e3779b9) >>> 0;
  }
  return out.slice(0, width);
}
