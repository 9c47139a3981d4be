// A generateContent candidate's grounding: the search queries the model ran, the sources it cites
// and which stretches of the answer each supports (groundingMetadata), and the URLs it read
// (urlContextMetadata), in both SDKs' spellings. Supports stay in the API's terms here (byte
// offsets, chunk indices); model/call/grounding.ts places them in the answer's text.
import { field } from './geminiContent';
import { isRecord, toNumber } from '../shared/json';
import type { RawGrounding, RawSupport } from './types';

export function groundingOf(candidate: Record<string, unknown>): RawGrounding | undefined {
  const g: RawGrounding = { queries: [], links: [], urls: [], supports: [] };
  const meta = field(candidate, 'grounding_metadata');
  if (isRecord(meta)) {
    const queries = field(meta, 'web_search_queries');
    if (Array.isArray(queries)) for (const q of queries) if (typeof q === 'string') g.queries.push(q);
    // Chunk i becomes link linkOf[i]; a chunk without a URL becomes none (-1), so a support that
    // cites it is shown as citing a missing source rather than the wrong one.
    const linkOf: number[] = [];
    const chunks = field(meta, 'grounding_chunks');
    if (Array.isArray(chunks)) {
      for (const c of chunks) {
        const web = isRecord(c) ? (field(c, 'web') ?? field(c, 'retrieved_context') ?? field(c, 'maps')) : undefined;
        const uri = isRecord(web) ? field(web, 'uri') : undefined;
        if (typeof uri !== 'string' || !uri) {
          linkOf.push(-1);
          continue;
        }
        const title = isRecord(web) ? field(web, 'title') : undefined;
        const domain = isRecord(web) ? field(web, 'domain') : undefined;
        linkOf.push(g.links.length);
        g.links.push({ url: uri, ...(typeof title === 'string' && title ? { title } : {}), ...(typeof domain === 'string' && domain ? { domain } : {}) });
      }
    }
    const supports = field(meta, 'grounding_supports');
    if (Array.isArray(supports)) for (const s of supports) g.supports.push(rawSupport(s, linkOf));
    const entry = field(meta, 'search_entry_point');
    const rendered = isRecord(entry) ? field(entry, 'rendered_content') : undefined;
    if (typeof rendered === 'string' && rendered) g.entryPoint = rendered;
  }
  const urlMeta = field(candidate, 'url_context_metadata');
  const list = isRecord(urlMeta) ? field(urlMeta, 'url_metadata') : undefined;
  if (Array.isArray(list)) {
    for (const u of list) {
      const url = isRecord(u) ? field(u, 'retrieved_url') : undefined;
      if (typeof url !== 'string' || !url) continue;
      const status = isRecord(u) ? field(u, 'url_retrieval_status') : undefined;
      g.urls.push(typeof status === 'string' ? { url, status } : { url });
    }
  }
  return g.queries.length || g.links.length || g.urls.length || g.supports.length || g.entryPoint ? g : undefined;
}

/** One groundingSupport, read without trusting it: indices that are not whole numbers are dropped. */
function rawSupport(s: unknown, linkOf: number[]): RawSupport {
  const out: RawSupport = { sources: [], raw: s };
  if (!isRecord(s)) return out;
  const seg = field(s, 'segment');
  if (isRecord(seg)) {
    const whole = (v: unknown) => {
      const n = toNumber(v);
      return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
    };
    const part = whole(field(seg, 'part_index'));
    const start = whole(field(seg, 'start_index'));
    const end = whole(field(seg, 'end_index'));
    const text = field(seg, 'text');
    if (part !== undefined) out.partIndex = part;
    if (start !== undefined) out.startByte = start;
    if (end !== undefined) out.endByte = end;
    if (typeof text === 'string') out.text = text;
  }
  const idx = field(s, 'grounding_chunk_indices');
  if (Array.isArray(idx)) for (const i of idx) out.sources.push(typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < linkOf.length ? linkOf[i] : -1);
  const conf = field(s, 'confidence_scores');
  if (Array.isArray(conf) && conf.every((c) => typeof c === 'number')) out.confidence = conf as number[];
  return out;
}
