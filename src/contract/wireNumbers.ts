// The span table's number columns and hex ids in the fewest bytes that hold them exactly, for the
// wire (wireTable.ts). Between a remote extension host and the workbench, VS Code deflates every
// message on its web socket; 100,000 spans' 6.7 MB table took ~0.45 s more to reach the page with
// that compression than without it (`--disable-websocket-compression`, bench/panel-open.mjs), so
// bytes left out are time saved. Shared by the host and the webview; unpacking checks what it is
// given, as the webview treats its input as untrusted.

const malformed = (what: string): Error => new Error(`malformed ${what}`);

/** Whole numbers in the narrowest signed array that holds them all. */
export type IntColumn = Int8Array | Int16Array | Int32Array;

export function narrowInts(xs: Int32Array): IntColumn {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < lo) lo = xs[i];
    else if (xs[i] > hi) hi = xs[i];
  }
  if (lo >= -0x80 && hi < 0x80) return Int8Array.from(xs);
  if (lo >= -0x8000 && hi < 0x8000) return Int16Array.from(xs);
  return xs;
}

/** An IntColumn of `n` numbers as the Int32Array it was narrowed from. */
export function widenInts(xs: unknown, n: number, what: string): Int32Array {
  if (!(xs instanceof Int8Array || xs instanceof Int16Array || xs instanceof Int32Array) || xs.length !== n) throw malformed(what);
  return xs instanceof Int32Array ? xs : Int32Array.from(xs);
}

/** Indices (never negative) in the narrowest unsigned array that holds them all. */
export type IndexColumn = Uint8Array | Uint16Array | Uint32Array;

export function narrowIndices(xs: Uint32Array, below: number): IndexColumn {
  if (below <= 0x100) return Uint8Array.from(xs);
  if (below <= 0x10000) return Uint16Array.from(xs);
  return xs;
}

export function isIndexColumn(xs: unknown): xs is IndexColumn {
  return xs instanceof Uint8Array || xs instanceof Uint16Array || xs instanceof Uint32Array;
}

/** Token counts: whole numbers in 16 bits when they all fit (a call's counts mostly do), else 32
 *  (all of them, in practice), else as they are. */
export type CountColumn = Float64Array | Uint32Array | Uint16Array;

export function narrowCounts(xs: Float64Array): CountColumn {
  let hi = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i] >= 0 && xs[i] <= 0xffffffff && Number.isInteger(xs[i]))) return xs;
    if (xs[i] > hi) hi = xs[i];
  }
  return hi <= 0xffff ? Uint16Array.from(xs) : Uint32Array.from(xs);
}

export function isCountColumn(xs: unknown): xs is CountColumn {
  return xs instanceof Float64Array || xs instanceof Uint32Array || xs instanceof Uint16Array;
}

/** Ascending indices as the steps between them (the first: from 0), in the narrowest array that
 *  holds them: the rows of a table's model calls are a few apart, so mostly a byte each. */
export function indexSteps(xs: Uint32Array): IndexColumn {
  const steps = new Uint32Array(xs.length);
  let most = 0;
  for (let i = 0; i < xs.length; i++) {
    steps[i] = xs[i] - (i ? xs[i - 1] : 0);
    if (steps[i] > most) most = steps[i];
  }
  return narrowIndices(steps, most + 1);
}

/** Undoes indexSteps: the indices, each below `n` (throws otherwise: untrusted). */
export function indicesFromSteps(steps: unknown, n: number, what: string): Uint32Array {
  if (!isIndexColumn(steps)) throw malformed(what);
  const out = new Uint32Array(steps.length);
  let at = 0;
  for (let i = 0; i < steps.length; i++) {
    at += steps[i];
    if (at >= n || (i > 0 && steps[i] === 0)) throw malformed(what);
    out[i] = at;
  }
  return out;
}

const HEX = '0123456789abcdef';
const HEX_VALUE = (() => {
  const v = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) v[HEX.charCodeAt(i)] = i;
  return v;
})();

/** `text` of lowercase hex digits (an even number of them) as its bytes, or undefined when it is
 *  anything else: MLflow's span ids are 16 hex digits, so their bytes cross in half the space. */
export function hexBytes(text: string): Uint8Array | undefined {
  if (text.length % 2) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const c1 = text.charCodeAt(2 * i);
    const c2 = text.charCodeAt(2 * i + 1);
    const hi = c1 < 128 ? HEX_VALUE[c1] : -1;
    const lo = c2 < 128 ? HEX_VALUE[c2] : -1;
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const HEX_CODE = Uint8Array.from(HEX, (c) => c.charCodeAt(0));

/** Undoes hexBytes: the lowercase hex text of `bytes`, as one string. */
export function bytesHex(bytes: unknown): string {
  if (!(bytes instanceof Uint8Array)) throw malformed('string column');
  const codes = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    codes[2 * i] = HEX_CODE[bytes[i] >> 4];
    codes[2 * i + 1] = HEX_CODE[bytes[i] & 15];
  }
  // One flat string for all ids (each then a slice of it), not a concatenation per id.
  return new TextDecoder('latin1').decode(codes);
}
