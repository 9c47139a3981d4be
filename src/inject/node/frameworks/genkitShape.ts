// Genkit's span attributes as MLflow reads them (genkit.ts mirrors each Genkit span as one of ours).
// Genkit records `genkit:type` (action, util, …), `genkit:metadata:subtype` (flow, model, tool,
// embedder, retriever, …), `genkit:name`, and its JSON `genkit:input` / `genkit:output`. A model
// action's input is Genkit's GenerateRequest (messages of Genkit parts) and, for Google's plugin,
// its output's `custom` is Gemini's own GenerateContentResponse, usageMetadata included. So a model
// span becomes a Gemini model call like a direct SDK call's (mlflow.message.format "gemini", read
// by the generateContent adapter): inputs `{model, contents, config}` translated from the Genkit
// request as the plugin translates it, outputs Gemini's response, usage from its usageMetadata.
import type { Attributes } from '@opentelemetry/api';
import { ATTR, chatTools, configAttributes, fromJson, toJson, tokenUsage } from '../spans';
import type { SpanType } from '../spans';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const TYPES: Record<string, SpanType> = { flow: 'CHAIN', model: 'CHAT_MODEL', tool: 'TOOL', embedder: 'EMBEDDING', retriever: 'RETRIEVER' };

export function genkitType(a: Attributes): SpanType {
  const subtype = a['genkit:metadata:subtype'];
  if (typeof subtype === 'string' && TYPES[subtype]) return TYPES[subtype];
  return a['genkit:type'] ? 'CHAIN' : 'UNKNOWN';
}

/** A model action's Genkit request offered the model tools. */
export function offersTools(a: Attributes): boolean {
  const input = fromJson(a['genkit:input']);
  return isObj(input) && Array.isArray(input.tools) && input.tools.length > 0;
}

/** A Genkit part as Gemini's. */
function part(p: unknown): unknown {
  if (!isObj(p)) return p;
  if (typeof p.text === 'string') return { text: p.text };
  if (typeof p.reasoning === 'string') return { text: p.reasoning, thought: true };
  if (isObj(p.toolRequest)) return { functionCall: { name: p.toolRequest.name, args: p.toolRequest.input ?? {}, ...(p.toolRequest.ref ? { id: p.toolRequest.ref } : {}) } };
  if (isObj(p.toolResponse)) return { functionResponse: { name: p.toolResponse.name, response: { name: p.toolResponse.name, content: p.toolResponse.output }, ...(p.toolResponse.ref ? { id: p.toolResponse.ref } : {}) } };
  if (isObj(p.media) && typeof p.media.url === 'string') {
    const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(p.media.url);
    const mimeType = p.media.contentType ?? m?.[1];
    return m ? { inlineData: { mimeType, data: m[3] } } : { fileData: { mimeType, fileUri: p.media.url } };
  }
  return p;
}

function content(m: Obj): Obj {
  const role = m.role === 'model' ? 'model' : 'user';
  return { role, parts: (Array.isArray(m.content) ? m.content : []).map(part) };
}

/** `{model, contents, config}` of a model action's Genkit request. */
export function geminiRequest(model: string, request: unknown): Obj {
  const r = isObj(request) ? request : {};
  const messages = (Array.isArray(r.messages) ? r.messages : []).filter(isObj);
  const config: Obj = {};
  for (const [k, v] of Object.entries(isObj(r.config) ? r.config : {})) if (k !== 'apiKey' && k !== 'version' && v !== undefined) config[k] = v;
  const system = messages.filter((m) => m.role === 'system');
  if (system.length) config.systemInstruction = { parts: system.flatMap((m) => content(m).parts as unknown[]) };
  const tools = (Array.isArray(r.tools) ? r.tools : []).filter(isObj);
  if (tools.length) config.tools = [{ functionDeclarations: tools.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.inputSchema })) }];
  const output = isObj(r.output) ? r.output : {};
  if (output.format === 'json' || isObj(output.schema)) {
    config.responseMimeType = 'application/json';
    if (isObj(output.schema)) config.responseJsonSchema = output.schema;
  }
  return { model, contents: messages.filter((m) => m.role !== 'system').map(content), ...(Object.keys(config).length ? { config } : {}) };
}

/** What a model span adds when it ends: Gemini's request and response when the plugin passed its
 *  raw response on (Google's plugins do), else Genkit's own values and usage. */
export function modelCall(a: Attributes, capture: boolean): { inputs: unknown; outputs: unknown; attrs: Attributes } {
  const name = String(a['genkit:name'] ?? '');
  const model = name.replace(/^[^/]+\//, '');
  const request = fromJson(a['genkit:input']);
  const response = fromJson(a['genkit:output']);
  const raw = isObj(response) && isObj(response.custom) && Array.isArray(response.custom.candidates) ? response.custom : undefined;
  const attrs: Attributes = { [ATTR.model]: model, [ATTR.provider]: /^(googleai|vertexai)\//.test(name) ? 'gemini' : name.split('/')[0] || 'unknown' };
  const inputs = raw ? geminiRequest(model, request) : request;
  if (raw) {
    attrs[ATTR.messageFormat] = 'gemini';
    const config = isObj(inputs) ? inputs.config : undefined;
    Object.assign(attrs, configAttributes(config));
    const tools = chatTools(config);
    if (tools) attrs[ATTR.tools] = tools;
  }
  const usage = raw ? tokenUsage(raw) : genkitUsage(isObj(response) ? response.usage : undefined);
  if (usage) attrs[ATTR.usage] = toJson(usage);
  if (!capture) return { inputs: { model }, outputs: {}, attrs };
  return { inputs, outputs: raw ?? response, attrs };
}

function genkitUsage(u: unknown): Obj | undefined {
  if (!isObj(u) || typeof u.inputTokens !== 'number') return undefined;
  const usage: Obj = { input_tokens: u.inputTokens, output_tokens: u.outputTokens ?? 0, total_tokens: u.totalTokens ?? u.inputTokens + Number(u.outputTokens ?? 0) };
  if (typeof u.cachedContentTokens === 'number') usage.cache_read_input_tokens = u.cachedContentTokens;
  if (typeof u.thoughtsTokens === 'number') usage.thoughts_tokens = u.thoughtsTokens;
  return usage;
}
