// Grounding supports placed in an answer's text. The API names a stretch by UTF-8 byte offsets
// into one part (and usually repeats its text); streamed answers are merged, thought parts sit
// between, and recorded payloads may be wrong. So a support is placed where its offsets point
// when the text there matches, else where its text occurs, else it is kept unplaced (shown as
// recorded). Nothing here trusts an index.
import type { RawGrounding, RawSupport } from '../types';
import type { Grounding, GroundingSupport, Part } from './types';

/** The character index at UTF-8 byte offset `byte` of `s`, or -1 when it falls inside a
 *  character or past the end. */
export function charIndexAtByte(s: string, byte: number): number {
  let bytes = 0;
  let i = 0;
  while (i < s.length && bytes < byte) {
    const c = s.codePointAt(i)!;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    i += c > 0xffff ? 2 : 1;
  }
  return bytes === byte ? i : -1;
}

function at(parts: readonly Part[], i: number): string | undefined {
  const p = parts[i];
  return p && p.kind === 'text' ? p.text : undefined;
}

function place(s: RawSupport, parts: readonly Part[]): Omit<GroundingSupport, 'sources'> | undefined {
  const texts = parts.map((_, i) => i).filter((i) => at(parts, i) !== undefined);
  if (!texts.length) return undefined;
  // The part the support names; a generateContent part index also counts thought parts, which
  // a merged stream keeps, so it is tried first and the segment's text decides.
  const first = s.partIndex !== undefined && at(parts, s.partIndex) !== undefined ? s.partIndex : texts[0];
  const text = at(parts, first)!;
  if (s.endByte !== undefined) {
    const start = charIndexAtByte(text, s.startByte ?? 0);
    const end = charIndexAtByte(text, s.endByte);
    if (start >= 0 && end > start && (s.text === undefined || text.slice(start, end) === s.text)) return { part: first, start, end };
  }
  if (!s.text) return undefined;
  for (const i of [first, ...texts.filter((t) => t !== first)]) {
    const t = at(parts, i)!;
    const hint = s.startByte !== undefined ? Math.max(0, charIndexAtByte(t, Math.min(s.startByte, t.length)) - 8) : 0;
    let found = t.indexOf(s.text, hint);
    if (found < 0) found = t.indexOf(s.text);
    if (found >= 0) return { part: i, start: found, end: found + s.text.length };
  }
  return undefined;
}

/** The model call's grounding for one answer (its message's parts). */
export function placeGrounding(raw: RawGrounding, parts: readonly Part[]): Grounding {
  const g: Grounding = { queries: raw.queries, links: raw.links, urls: raw.urls };
  if (raw.entryPoint) g.entryPoint = raw.entryPoint;
  const supports: GroundingSupport[] = [];
  const unplaced: unknown[] = [];
  for (const s of raw.supports) {
    const where = place(s, parts);
    if (!where) {
      unplaced.push(s.raw);
      continue;
    }
    supports.push({ ...where, sources: s.sources.filter((i) => i >= 0), ...(s.confidence ? { confidence: s.confidence } : {}) });
  }
  if (supports.length) g.supports = supports.sort((a, b) => a.part - b.part || a.start - b.start);
  if (unplaced.length) g.unplaced = unplaced;
  return g;
}
