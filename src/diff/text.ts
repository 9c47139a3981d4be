// Stable, readable text forms of one model call, made to be diffed line by line: the same call
// always renders to the same text (object keys sorted, fixed section order), and everything is
// plain text, so hostile prompt content can only ever show up as characters in a document.
// Call ids are left out: the API mints new ones on every run (a result follows its call anyway),
// so with them every two runs of a call that used a tool would differ.
import type { Message, ModelCall, ModelUsage, Part } from '../model/call/types';
import type { Span } from '../model/types';
import { stableJson } from '../model/call/stableJson';

export { stableJson };

export type DiffView = 'prompt' | 'response' | 'config';

export const VIEW_TITLES: Record<DiffView, string> = {
  prompt: 'Prompt',
  response: 'Response',
  config: 'Config and usage',
};

function renderPart(p: Part): string {
  switch (p.kind) {
    case 'text':
      return p.text;
    case 'thought':
      return `[thinking]\n${p.text}`;
    case 'functionCall':
      return `[function call] ${p.name}\n${stableJson(p.args ?? {})}`;
    case 'functionResponse':
      return `[function response] ${p.name}${p.isError ? ' (error)' : ''}\n${stableJson(p.response ?? {})}`;
    case 'media':
      if (p.uri) return `[file] ${p.uri}${p.mimeType ? ` (${p.mimeType})` : ''}`;
      return `[inline data] ${p.mimeType ?? 'unknown type'}, ${p.bytes ?? 0} bytes${p.durationMs !== undefined ? `, ${(p.durationMs / 1000).toFixed(1)} s` : ''}${p.chunks ? `, ${p.chunks} chunks` : ''}`;
    case 'toolCall':
      if (p.tool === 'code_execution') return `[code${p.language ? ` ${p.language}` : ''}]\n${p.code ?? ''}`;
      return [`[${p.tool} call]${p.name ? ` ${p.name}` : ''}${p.server ? ` on ${p.server}` : ''}`, ...(p.queries ?? []).map((q) => `query: ${q}`), ...(p.urls ?? []).map((u) => `url: ${u}`), ...(p.args !== undefined ? [stableJson(p.args)] : [])].join('\n');
    case 'toolResult':
      if (p.tool === 'code_execution' && p.output !== undefined) return `[code result${p.outcome ? ` ${p.outcome}` : ''}]\n${p.output}`;
      return [
        `[${p.tool} result]${p.name ? ` ${p.name}` : ''}${p.isError ? ' (error)' : ''}`,
        ...(p.links ?? []).map((l) => `link: ${l.url}${l.title ? ` (${l.title})` : ''}`),
        ...(p.urls ?? []).map((u) => `url: ${u.url}${u.status ? ` — ${u.status}` : ''}`),
        ...(p.output !== undefined ? [p.output] : []),
        ...(p.result !== undefined ? [stableJson(p.result)] : []),
      ].join('\n');
    case 'transcription':
      return `[${p.of === 'input' ? 'heard' : 'spoken'}] ${p.text}`;
    case 'event':
      return `[${p.name}]${p.detail ? ` ${p.detail}` : ''}`;
    case 'other':
      return `[part${p.type ? ` ${p.type}` : ''}]\n${stableJson(p.value)}`;
  }
}

function renderContent(c: Message): string {
  return [`── ${c.role || 'user'} ──`, ...c.parts.map(renderPart)].join('\n');
}

export function renderPrompt(call: ModelCall): string {
  const out: string[] = [];
  if (call.system?.parts.length) {
    out.push('── system instruction ──', ...call.system.parts.map(renderPart), '');
  }
  for (const c of call.request) out.push(renderContent(c), '');
  if (call.tools !== undefined) out.push('── tools ──', stableJson(call.tools), '');
  return out.join('\n').trimEnd() + '\n';
}

/** Alternative candidates are summed up (thinking, text, calls, finish reasons); an ordered run of
 *  steps (an interaction, a Live turn) is rendered step by step, as it happened. */
export function renderResponse(call: ModelCall): string {
  const out: string[] = [];
  if (call.ordered) {
    for (const c of call.response) out.push(renderContent(c.message), '');
    if (!call.response.some((c) => c.message.parts.length)) out.push('(no steps)', '');
    if (call.status) out.push('── status ──', call.status, '');
    for (const e of call.errors) out.push('── error ──', `${e.code ? `${e.code}: ` : ''}${e.message}`, '');
    return out.join('\n').trimEnd() + '\n';
  }
  if (call.thinking) out.push('── thinking ──', call.thinking, '');
  out.push('── text ──', call.responseText || '(no text)', '');
  if (call.functionCalls.length) {
    out.push('── function calls ──');
    for (const f of call.functionCalls) out.push(`${f.name}${f.id ? ` (id ${f.id})` : ''}`, stableJson(f.args ?? {}));
    out.push('');
  }
  const reasons = call.response.map((c) => c.finishReason).filter(Boolean);
  out.push(`── finish reason ──`, reasons.length ? reasons.join(', ') : '(none recorded)');
  return out.join('\n') + '\n';
}

export function renderConfig(call: ModelCall, span: Span): string {
  const usage: ModelUsage | undefined = call.usage ?? span.usage;
  const out = [
    `model: ${call.model ?? span.model ?? '(unknown)'}`,
    ...(call.agent ? [`agent: ${call.agent}`] : []),
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
    if (usage.toolUse) out.push(`tool use: ${usage.toolUse}`);
  } else {
    out.push('(not recorded)');
  }
  if (span.cost) out.push('', '── cost ──', `total: ${span.cost.total}${span.cost.currency ? ` ${span.cost.currency}` : ''}`);
  return out.join('\n') + '\n';
}

export function renderView(view: DiffView, call: ModelCall, span: Span): string {
  if (view === 'prompt') return renderPrompt(call);
  if (view === 'response') return renderResponse(call);
  return renderConfig(call, span);
}
