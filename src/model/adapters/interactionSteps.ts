// Interactions content blocks and steps (the `Step` union and content types of @google/genai's
// genai.d.ts, REST field names) → parts. One step becomes one part, except model output and user
// input, which hold a list of content blocks. Unknown types keep their JSON.
import type { ModelError, Part } from '../call/types';
import { field, isRecord, links, mediaPart, name, opt, records, sig, str, strings, stripNulls } from './values';

const MEDIA = new Set(['image', 'audio', 'video', 'document']);

/** Built-in tools by the step type's stem: `google_search_call` / `google_search_result` → google_search. */
const TOOLS = new Set(['code_execution', 'google_search', 'google_maps', 'url_context', 'file_search', 'retrieval', 'processing']);

/** A content block (text, image, audio, video, document; also thought and function_call in the
 *  pre-steps `outputs` list) → a part. */
export function contentPart(c: unknown): Part {
  if (typeof c === 'string') return { kind: 'text', text: c };
  if (!isRecord(c)) return { kind: 'other', value: c };
  const type = str(c.type);
  if (type === 'text' && typeof c.text === 'string') {
    const cites = citations(c.annotations);
    return { kind: 'text', text: c.text, ...(cites.length ? { citations: cites } : {}) };
  }
  if (type && MEDIA.has(type)) return mediaPart(c);
  const step = stepParts(c);
  return step.length === 1 ? step[0] : { kind: 'other', ...opt({ type }), value: stripNulls(c) };
}

function citations(v: unknown): { url: string; title?: string }[] {
  return links(records(v).filter((a) => a.type === 'url_citation' || a.type === 'place_citation'));
}

function contentText(v: unknown): string {
  if (typeof v === 'string') return v;
  return records(v)
    .map((c) => (typeof c.text === 'string' ? c.text : ''))
    .join('');
}

/** A tool's result as text when it is text (a string, or text blocks), else undefined. */
function resultText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length && v.every((c) => isRecord(c) && c.type === 'text')) return contentText(v);
  return undefined;
}

/** One step → its parts (errors of a model output go to `errors`). */
export function stepParts(s: Record<string, unknown>, errors?: ModelError[]): Part[] {
  const type = str(s.type) ?? '';
  switch (type) {
    case 'model_output':
    case 'user_input': {
      const err = isRecord(s.error) ? s.error : undefined;
      if (err && errors) errors.push({ ...opt({ code: err.code === undefined ? undefined : String(err.code) }), message: str(err.message) ?? JSON.stringify(err) });
      return Array.isArray(s.content) ? s.content.map(contentPart) : typeof s.content === 'string' ? [{ kind: 'text', text: s.content }] : [];
    }
    case 'thought':
      return [{ kind: 'thought', text: contentText(s.summary ?? s.text), ...sig(s) }];
    case 'function_call':
      return [{ kind: 'functionCall', name: name(s.name) ?? '', args: s.arguments ?? {}, ...opt({ id: str(s.id) }), ...sig(s) }];
    case 'function_result':
      return [{ kind: 'functionResponse', name: name(s.name) ?? '', response: s.result ?? null, ...opt({ id: str(s.call_id) }), ...(s.is_error === true ? { isError: true as const } : {}) }];
    case 'mcp_server_tool_call':
      return [{ kind: 'toolCall', tool: 'mcp', args: s.arguments ?? {}, ...opt({ id: str(s.id), name: name(s.name), server: name(s.server_name) }), ...sig(s) }];
    case 'mcp_server_tool_result': {
      // Text blocks read as their text; anything else keeps its JSON.
      const text = resultText(s.result);
      return [{ kind: 'toolResult', tool: 'mcp', ...(text === undefined ? { result: s.result ?? null } : {}), ...opt({ id: str(s.call_id), name: name(s.name), server: name(s.server_name), output: text }), ...err(s), ...sig(s) }];
    }
  }
  const m = /^(.+)_(call|result)$/.exec(type);
  if (!m || !TOOLS.has(m[1])) return [];
  const tool = m[1];
  const args = isRecord(s.arguments) ? s.arguments : {};
  if (m[2] === 'call') {
    return [{
      kind: 'toolCall',
      tool,
      ...opt({ id: str(s.id), code: str(args.code), language: str(args.language), name: str(s.search_type) ?? str(s.retrieval_type) }),
      ...(strings(args.queries).length ? { queries: strings(args.queries) } : {}),
      ...(strings(args.urls).length ? { urls: strings(args.urls) } : {}),
      ...(Object.keys(args).some((k) => !['code', 'language', 'queries', 'urls'].includes(k)) ? { args: stripNulls(args) } : {}),
      ...sig(s),
    }];
  }
  const result = s.result;
  const part: Part = { kind: 'toolResult', tool, ...opt({ id: str(s.call_id) }), ...err(s), ...sig(s) };
  if (tool === 'url_context') {
    part.urls = records(result).flatMap((r) => (typeof r.url === 'string' ? [{ url: r.url, ...opt({ status: str(r.status) }) }] : []));
  } else if (tool === 'code_execution') {
    part.output = resultText(result) ?? '';
    part.outcome = s.is_error === true ? 'error' : 'ok';
  } else {
    const found = tool === 'google_maps' ? links(records(result).flatMap((r) => records(r.places))) : links(result);
    if (found.length) part.links = found;
    const suggestions = records(result).map((r) => field(r, 'search_suggestions')).filter((x): x is string => typeof x === 'string');
    if (suggestions.length) part.output = suggestions.join('\n');
  }
  if (result !== undefined && !part.urls?.length && part.output === undefined) part.result = stripNulls(result);
  return [part];
}

function err(s: Record<string, unknown>): { isError?: true } {
  return s.is_error === true ? { isError: true } : {};
}

/** Any step, known or not: unknown types (the API adds new ones) become `other` with their JSON. */
export function anyStepParts(s: unknown, errors?: ModelError[]): Part[] {
  if (!isRecord(s)) return [{ kind: 'other', value: s }];
  const parts = stepParts(s, errors);
  if (parts.length || s.type === 'model_output' || s.type === 'user_input') return parts;
  // The pre-steps `outputs` list held content blocks (text, image, thought, function_call …).
  const c = contentPart(s);
  return [c];
}
