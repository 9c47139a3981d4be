// Times as the wire carries them: int64 nanoseconds (number, decimal string or bigint), protobuf
// durations ("1.234s") and RFC 3339 timestamps. Nanoseconds stay bigint so nothing is rounded.

const NS_PER_MS = 1_000_000n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Nanoseconds from a number, decimal string, bigint or OTel HrTime `[s, ns]`. undefined when the
 *  value is missing or not a time. Numbers above 2^53 have already lost precision upstream; they
 *  are accepted as they are (parse the body with parseJsonLossless to avoid that). */
export function toNs(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v >= 0n ? v : undefined;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined;
    return BigInt(Math.round(v));
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^\d+$/.test(s)) return BigInt(s);
    if (/^\d+(\.\d*)?([eE][+-]?\d+)?$/.test(s)) {
      const x = Number(s);
      return Number.isFinite(x) ? BigInt(Math.round(x)) : undefined;
    }
    return undefined;
  }
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number') {
    if (!Number.isFinite(v[0]) || !Number.isFinite(v[1]) || v[0] < 0 || v[1] < 0) return undefined;
    return BigInt(Math.trunc(v[0])) * 1_000_000_000n + BigInt(Math.trunc(v[1]));
  }
  return undefined;
}

/** Milliseconds (with the sub-millisecond part as a fraction) from nanoseconds. */
export function nsToMs(ns: bigint): number {
  // Durations fit a double exactly; epoch times do not, so they are split first.
  if (ns <= MAX_SAFE && ns >= -MAX_SAFE) return Number(ns) / 1e6;
  const whole = ns / NS_PER_MS;
  const rest = ns % NS_PER_MS;
  return Number(whole) + Number(rest) / 1e6;
}

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

/** Duration between two ns times in milliseconds; null while the end is unknown. */
export function durationMs(startNs: bigint, endNs: bigint | null): number | null {
  if (endNs === null) return null;
  return nsToMs(endNs - startNs);
}

/** Protobuf JSON duration ("1.234s", "0.000001s", "-2s") or a plain number of ms → ms. */
export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+)(?:\.(\d{1,9}))?s\s*$/.exec(v);
  if (!m) return undefined;
  // Integer arithmetic on the fractional digits keeps "0.123s" at exactly 123 ms.
  const frac = (m[2] ?? '').padEnd(9, '0');
  const ns = BigInt(m[1]) * 1_000_000_000n + BigInt(frac);
  return nsToMs(ns);
}

/** RFC 3339 timestamp, epoch ms number, or numeric string of epoch ms → epoch ms. */
export function parseTimestampMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  // Date.parse keeps only milliseconds; RFC 3339 may carry up to 9 fractional digits, so the
  // fraction is parsed by hand to keep sub-millisecond precision as a fraction of a ms.
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    const zone = (m[3] ?? 'Z').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    const base = Date.parse(`${m[1]}${zone}`);
    if (Number.isNaN(base)) return undefined;
    const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
    return base + frac;
  }
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
