// JSON that is the same text for the same value whatever the key order: diffs and keys compare it.

/** JSON with sorted keys and 2-space indent, so key order never shows up as a change. */
export function stableJson(value: unknown): string {
  const seen = new WeakSet<object>();
  const sort = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    if (Array.isArray(v)) return v.map(sort);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
    return out;
  };
  return JSON.stringify(sort(value), null, 2) ?? 'undefined';
}
