// LangChain's values as span data: messages (class instances) become `{role, content, tool_calls?,
// tool_call_id?, name?}`, documents `{page_content, metadata}`, other class instances their JSON or
// their class name; depth and breadth are bounded so a large state never costs the app much. And
// LangChain messages as OpenTelemetry GenAI messages (typed parts), for a chat-model span that is
// the model call itself (nothing traced under it): the otelGenai adapter reads those.
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const MAX_DEPTH = 8;
const MAX_ITEMS = 500;
const ROLES: Record<string, string> = { human: 'user', ai: 'assistant', system: 'system', tool: 'tool', function: 'function', generic: 'user', developer: 'system' };

function messageType(v: Obj): string | undefined {
  for (const key of ['getType', '_getType']) {
    const f = v[key];
    if (typeof f === 'function') {
      try {
        const t = (f as () => unknown).call(v);
        if (typeof t === 'string') return t;
      } catch {
        /* not a message */
      }
    }
  }
  return undefined;
}

/** A message as a plain dict (undefined when v is not a LangChain message). */
export function messageDict(v: unknown): Obj | undefined {
  if (!isObj(v)) return undefined;
  const type = messageType(v);
  if (!type) return undefined;
  const out: Obj = { role: (type === 'generic' && typeof v.role === 'string' ? v.role : ROLES[type]) ?? type, content: plain(v.content, 1) };
  if (Array.isArray(v.tool_calls) && v.tool_calls.length) out.tool_calls = plain(v.tool_calls, 1);
  if (typeof v.tool_call_id === 'string') out.tool_call_id = v.tool_call_id;
  if (typeof v.name === 'string' && v.name) out.name = v.name;
  return out;
}

/** A JSON-able copy of a LangChain value. */
export function plain(v: unknown, depth = 0): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => plain(x, depth + 1));
  const o = v as Obj;
  const msg = messageDict(o);
  if (msg) return msg;
  if (typeof o.pageContent === 'string') return { page_content: o.pageContent, metadata: plain(o.metadata, depth + 1) };
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) {
    if (typeof o.toJSON === 'function') {
      try {
        return plain((o.toJSON as () => unknown)(), depth + 1);
      } catch {
        /* fall through to the name */
      }
    }
    return `[${(o.constructor as { name?: string } | undefined)?.name ?? 'object'}]`;
  }
  const out: Obj = {};
  let n = 0;
  for (const [k, x] of Object.entries(o)) {
    if (n++ >= MAX_ITEMS) break;
    const p = plain(x, depth + 1);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

/** GenAI semantic-convention parts of a message's content and tool calls. */
function parts(m: Obj): Obj[] {
  const out: Obj[] = [];
  const content = m.content;
  if (typeof content === 'string') {
    if (content) out.push({ type: 'text', content });
  } else if (Array.isArray(content)) {
    for (const c of content) {
      if (typeof c === 'string') out.push({ type: 'text', content: c });
      else if (!isObj(c)) continue;
      else if (c.type === 'text' && typeof c.text === 'string') out.push({ type: 'text', content: c.text });
      else if ((c.type === 'thinking' || c.type === 'reasoning') && typeof (c.thinking ?? c.reasoning ?? c.text) === 'string') out.push({ type: 'reasoning', content: c.thinking ?? c.reasoning ?? c.text });
      else if (c.type === 'image_url') out.push({ type: 'uri', modality: 'image', uri: isObj(c.image_url) ? c.image_url.url : c.image_url });
      else if (c.type === 'functionCall' || c.type === 'tool_use') continue; // repeated in tool_calls
      else out.push({ type: String(c.type ?? 'unknown'), value: c });
    }
  }
  if (m.role === 'tool') return [{ type: 'tool_call_response', id: m.tool_call_id, response: typeof content === 'string' ? content : out.map((p) => p.content ?? p.value) }];
  for (const tc of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    if (isObj(tc)) out.push({ type: 'tool_call', id: tc.id, name: tc.name, arguments: tc.args });
  }
  return out;
}

/** `gen_ai.input.messages`, `gen_ai.system_instructions` and `gen_ai.output.messages` of a chat
 *  model run, from its message dicts. */
export function genAiMessages(input: Obj[], output: Obj | undefined, finishReason?: string): { input: Obj[]; system: Obj[]; output: Obj[] } {
  const system: Obj[] = [];
  const rest: Obj[] = [];
  for (const m of input) {
    if (m.role === 'system') system.push(...parts(m));
    else rest.push({ role: m.role, parts: parts(m) });
  }
  const out = output ? [{ role: 'assistant', parts: parts(output), ...(finishReason ? { finish_reason: finishReason } : {}) }] : [];
  return { input: rest, system, output: out };
}
