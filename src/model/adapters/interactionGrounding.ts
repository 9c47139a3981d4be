// An interaction's citations as grounding: text blocks of model output carry `url_citation`
// annotations with UTF-8 byte ranges into the block's text (genai.d.ts URLCitation), the
// Interactions counterpart of generateContent's groundingSupports. Placed like those, so an
// interaction's answer shows its cited stretches and source chips the same way.
import type { RawGrounding } from '../types';
import { isRecord, records, str, toNumber } from './values';

/** `blocks`: each text block of the answer with the index of the part it became. */
export function annotationGrounding(blocks: { part: number; block: Record<string, unknown> }[]): RawGrounding | undefined {
  const g: RawGrounding = { queries: [], links: [], urls: [], supports: [] };
  const linkAt = new Map<string, number>();
  for (const { part, block } of blocks) {
    for (const a of records(block.annotations)) {
      if (a.type !== 'url_citation') continue;
      const url = str(a.url);
      if (!url) continue;
      let i = linkAt.get(url);
      if (i === undefined) {
        i = g.links.length;
        linkAt.set(url, i);
        const title = str(a.title);
        g.links.push(title ? { url, title } : { url });
      }
      const start = toNumber(a.start_index);
      const end = toNumber(a.end_index);
      if (end === undefined || !Number.isInteger(end) || (start !== undefined && !Number.isInteger(start))) continue;
      g.supports.push({ partIndex: part, startByte: start ?? 0, endByte: end, sources: [i], raw: a });
    }
  }
  return g.supports.length ? g : undefined;
}

/** The text blocks of a model_output step, with the part index each becomes. */
export function textBlocks(step: unknown, firstPart: number): { part: number; block: Record<string, unknown> }[] {
  if (!isRecord(step) || step.type !== 'model_output' || !Array.isArray(step.content)) return [];
  return step.content.flatMap((c, k) => (isRecord(c) && c.type === 'text' ? [{ part: firstPart + k, block: c }] : []));
}
