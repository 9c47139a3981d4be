// Stable, readable text forms of one Gemini call, made to be diffed line by line: the same call
// always renders to the same text (object keys sorted, fixed section order), and everything is
// plain text, so hostile prompt content can only ever show up as characters in a document.
import type { GeminiCall, GeminiContent, GeminiPart, Span } from '../model/types';

export type DiffView = 'prompt' | 'response' | 'config';

export const VIEW_TITLES: Record<DiffView, string> = {
  prompt: 'Prompt',
  response: 'Response',
  config: 'Config and usage',
};

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

function renderPart(p: GeminiPart): string {
  switch (p.kind) {
    case 'text':
      return p.text;
    case 'thought':
      return `[thinking]\n${p.text}`;
    case 'functionCall':
      return `[function call] ${p.name}${p.id ? ` (id ${p.id})` : ''}\n${stableJson(p.args ?? {})}`;
    case 'functionResponse':
      return `[function response] ${p.name}${p.id ? ` (id ${p.id})` : ''}\n${stableJson(p.response ?? {})}`;
    case 'inlineData':
      return `[inline data] ${p.mimeType}, ${p.bytes} bytes`;
    case 'fileData':
      return `[file] ${p.uri}${p.mimeType ? ` (${p.mimeType})` : ''}`;
    case 'executableCode':
      return `[code${p.language ? ` ${p.language}` : ''}]\n${p.code}`;
    case 'codeExecutionResult':
      return `[code result${p.outcome ? ` ${p.outcome}` : ''}]\n${p.output}`;
    case 'other':
      return `[part]\n${stableJson(p.value)}`;
  }
}

function renderContent(c: GeminiContent): string {
  return [`── ${c.role || 'user'} ──`, ...c.parts.map(renderPart)].join('\n');
}

export function renderPrompt(call: GeminiCall): string {
  const out: string[] = [];
  if (call.systemInstruction?.parts.length) {
    out.push('── system instruction ──', ...call.systemInstruction.parts.map(renderPart), '');
  }
  for (const c of call.contents) out.push(renderContent(c), '');
  if (call.tools !== undefined) out.push('── tools ──', stableJson(call.tools), '');
  return out.join('\n').trimEnd() + '\n';
}

export function renderResponse(call: GeminiCall): string {
  const out: string[] = [];
  if (call.thinking) out.push('── thinking ──', call.thinking, '');
  out.push('── text ──', call.responseText || '(no text)', '');
  if (call.functionCalls.length) {
    out.push('── function calls ──');
    for (const f of call.functionCalls) out.push(`${f.name}${f.id ? ` (id ${f.id})` : ''}`, stableJson(f.args ?? {}));
    out.push('');
  }
  const reasons = call.candidates.map((c) => c.finishReason).filter(Boolean);
  out.push(`── finish reason ──`, reasons.length ? reasons.join(', ') : '(none recorded)');
  return out.join('\n') + '\n';
}

export function renderConfig(call: GeminiCall, span: Span): string {
  const usage = call.usage ?? span.usage;
  const out = [
    `model: ${call.model ?? span.model ?? '(unknown)'}`,
    `span: ${span.name} (${span.type})`,
    `status: ${span.status}${span.statusMessage ? ` — ${span.statusMessage}` : ''}`,
    '',
    '── generation config ──',
    Object.keys(call.config).length ? stableJson(call.config) : '(defaults)',
    '',
    '── token usage ──',
  ];
  if (usage) {
    out.push(`input:    ${usage.input}`, `output:   ${usage.output}`, `thinking: ${usage.thinking}`, `cached:   ${usage.cached}`, `total:    ${usage.total}`);
  } else {
    out.push('(not recorded)');
  }
  if (span.cost) out.push('', '── cost ──', `total: ${span.cost.total}${span.cost.currency ? ` ${span.cost.currency}` : ''}`);
  return out.join('\n') + '\n';
}

export function renderView(view: DiffView, call: GeminiCall, span: Span): string {
  if (view === 'prompt') return renderPrompt(call);
  if (view === 'response') return renderResponse(call);
  return renderConfig(call, span);
}
