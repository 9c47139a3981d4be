// Structured output checked against the schema the request asked for: generateContent's
// `responseJsonSchema` (JSON Schema) or `responseSchema` (Gemini's OpenAPI subset, converted
// here), or an interaction's `response_format`. The validator is @cfworker/json-schema: no code
// generation (nothing for a CSP or a hostile schema to abuse), no network for remote `$ref`s,
// drafts 4 to 2020-12, 23 KB minified. It runs on the host, per span asked for.
import { Validator, type Schema } from '@cfworker/json-schema';
import { isRecord } from '../../shared/json';
import { camelOf, field } from '../geminiContent';
import type { ModelCall } from './types';
import { errorMessage } from '../../shared/errors';

export interface SchemaViolation {
  /** Where in the response: `$`, `$.items[2].name`. */
  path: string;
  message: string;
}

export interface SchemaCheck {
  /** Which request field held the schema. */
  source: 'responseJsonSchema' | 'responseSchema' | 'response_format';
  valid: boolean;
  /** The response was not JSON at all. */
  parseError?: string;
  violations: SchemaViolation[];
  /** Keywords left unchecked, and why (regular expressions that could run for minutes). */
  skipped?: string[];
}

/** Responses larger than this are not parsed again for checking. */
const MAX_TEXT = 2_000_000;
/** Wrapper keywords: the validator reports the leaf under them as well. */
const WRAPPERS = new Set(['properties', 'items', 'prefixItems', 'allOf', '$ref', 'patternProperties', 'dependentSchemas', '$recursiveRef', '$dynamicRef']);

/** The check, or undefined when the call asked for no schema or has no answer yet. */
export function checkResponseSchema(call: ModelCall): SchemaCheck | undefined {
  const found = schemaOf(call);
  if (!found || !call.response.length) return undefined;
  const text = call.responseText.trim();
  const check: SchemaCheck = { source: found.source, valid: false, violations: [] };
  if (!text) return { ...check, parseError: 'The response has no text to check.' };
  if (text.length > MAX_TEXT) return { ...check, parseError: `The response is ${text.length.toLocaleString('en-US')} characters long; it was not checked.` };
  let value: unknown;
  try {
    value = JSON.parse(stripFence(text));
  } catch (e) {
    return { ...check, parseError: `The response is not valid JSON: ${errorMessage(e)}` };
  }
  const skipped: string[] = [];
  const schema = safeSchema(found.schema, skipped, '$');
  try {
    const result = new Validator(schema as Schema, '2020-12', false).validate(value);
    check.valid = result.valid;
    const seen = new Set<string>();
    for (const e of result.errors) {
      if (WRAPPERS.has(e.keyword)) continue;
      const v = { path: pathOf(e.instanceLocation), message: e.error };
      const key = `${v.path}\u0000${v.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      check.violations.push(v);
    }
  } catch (e) {
    return { ...check, parseError: `The schema could not be used: ${errorMessage(e)}` };
  }
  if (skipped.length) check.skipped = skipped;
  return check;
}

/** The schema the request asked for, as JSON Schema. */
export function schemaOf(call: ModelCall): { source: SchemaCheck['source']; schema: unknown } | undefined {
  const c = call.config;
  const json = field(c, 'response_json_schema');
  if (isRecord(json) || typeof json === 'boolean') return { source: 'responseJsonSchema', schema: json };
  const gemini = field(c, 'response_schema');
  if (isRecord(gemini)) return { source: 'responseSchema', schema: fromGeminiSchema(gemini) };
  const format = c.response_format;
  const list = Array.isArray(format) ? format : [format];
  for (const f of list) {
    if (!isRecord(f)) continue;
    if (isRecord(f.schema)) return { source: 'response_format', schema: f.schema };
    // Before typed formats, response_format was the JSON Schema itself.
    if (typeof f.type === 'string' && f.type !== 'text' && f.type !== 'image' && f.type !== 'audio' && f.type !== 'video') return { source: 'response_format', schema: f };
    if (isRecord(f.properties) || Array.isArray(f.anyOf)) return { source: 'response_format', schema: f };
  }
  return undefined;
}

/** Gemini's Schema (OpenAPI 3.0 subset: upper-case types, `nullable`, either SDK's spelling) →
 *  JSON Schema. Unknown keys are dropped: they carry no constraint the API enforces. */
export function fromGeminiSchema(s: Record<string, unknown>, depth = 0): unknown {
  if (depth > 64) return {};
  const out: Record<string, unknown> = {};
  const type = field(s, 'type');
  const nullable = field(s, 'nullable') === true;
  if (typeof type === 'string' && type && type.toUpperCase() !== 'TYPE_UNSPECIFIED') {
    const t = type.toLowerCase();
    out.type = nullable ? [t, 'null'] : t;
  }
  const en = field(s, 'enum');
  if (Array.isArray(en)) out.enum = nullable ? [...en, null] : en;
  for (const k of ['required', 'minimum', 'maximum', 'min_items', 'max_items', 'min_length', 'max_length', 'min_properties', 'max_properties', 'pattern', 'title', 'description', 'default']) {
    const v = field(s, k);
    if (v === undefined) continue;
    const camel = camelOf(k);
    // int64 counts arrive as strings from the REST API.
    out[camel] = /^(min|max)/.test(camel) && typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  }
  const format = field(s, 'format');
  if (typeof format === 'string' && out.type === 'string' && format === 'date-time') out.format = format;
  const props = field(s, 'properties');
  if (isRecord(props)) out.properties = Object.fromEntries(Object.entries(props).filter(([, v]) => isRecord(v)).map(([k, v]) => [k, fromGeminiSchema(v as Record<string, unknown>, depth + 1)]));
  const items = field(s, 'items');
  if (isRecord(items)) out.items = fromGeminiSchema(items, depth + 1);
  const anyOf = field(s, 'any_of');
  if (Array.isArray(anyOf)) out.anyOf = anyOf.filter(isRecord).map((x) => fromGeminiSchema(x, depth + 1));
  return out;
}

/** A copy of the schema without regular expressions that could backtrack for minutes on a hostile
 *  response (nested quantifiers); each one left out is named in `skipped`. */
function safeSchema(s: unknown, skipped: string[], at: string, depth = 0): unknown {
  if (depth > 64 || s === null || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map((x, i) => safeSchema(x, skipped, `${at}[${i}]`, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'pattern' && typeof v === 'string' && risky(v)) {
      skipped.push(`pattern ${JSON.stringify(v)} at ${at} (nested repetition: checking it could take too long)`);
      continue;
    }
    if (k === 'patternProperties' && isRecord(v)) {
      const keep = Object.entries(v).filter(([p]) => !risky(p) || (skipped.push(`patternProperties ${JSON.stringify(p)} at ${at}`), false));
      out[k] = Object.fromEntries(keep.map(([p, x]) => [p, safeSchema(x, skipped, `${at}.${k}`, depth + 1)]));
      continue;
    }
    out[k] = safeSchema(v, skipped, `${at}.${k}`, depth + 1);
  }
  return out;
}

/** A quantified group that itself contains a quantifier: `(a+)+`, `(\w*)*`, `(x{2,})+`. */
function risky(pattern: string): boolean {
  return /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/.test(pattern) || pattern.length > 1000;
}

/** Models often wrap JSON in a Markdown code fence even when asked for JSON. */
function stripFence(text: string): string {
  const m = /^```(?:json)?\s*\n([\s\S]*?)\n```$/.exec(text);
  return m ? m[1] : text;
}

/** `#/items/2/na~1me` → `$.items[2]["na/me"]`. */
function pathOf(pointer: string): string {
  const segs = pointer.replace(/^#/, '').split('/').slice(1);
  let out = '$';
  for (const raw of segs) {
    let seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    try {
      seg = decodeURIComponent(seg);
    } catch {
      /* keep as is */
    }
    out += /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}
