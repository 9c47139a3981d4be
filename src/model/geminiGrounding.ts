// A generateContent candidate's grounding: the search queries the model ran, the sources it cites
// (groundingMetadata) and the URLs it read (urlContextMetadata), in both SDKs' spellings.
import { field } from './geminiContent';
import { isRecord } from './json';
import type { GeminiCandidate } from './types';

type Grounding = NonNullable<GeminiCandidate['grounding']>;

export function groundingOf(candidate: Record<string, unknown>): Grounding | undefined {
  const g: Grounding = { queries: [], links: [], urls: [] };
  const meta = field(candidate, 'grounding_metadata');
  if (isRecord(meta)) {
    const queries = field(meta, 'web_search_queries');
    if (Array.isArray(queries)) for (const q of queries) if (typeof q === 'string') g.queries.push(q);
    const chunks = field(meta, 'grounding_chunks');
    if (Array.isArray(chunks)) {
      for (const c of chunks) {
        const web = isRecord(c) ? (field(c, 'web') ?? field(c, 'retrieved_context')) : undefined;
        const uri = isRecord(web) ? field(web, 'uri') : undefined;
        if (typeof uri !== 'string' || !uri) continue;
        const title = isRecord(web) ? field(web, 'title') : undefined;
        g.links.push(typeof title === 'string' && title ? { url: uri, title } : { url: uri });
      }
    }
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
  return g.queries.length || g.links.length || g.urls.length ? g : undefined;
}
