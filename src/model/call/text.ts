// Model calls as plain text: one line per part for prompts, hovers and search, and the derived
// fields every adapter fills the same way (prompt and response text, thinking, function calls).
import { compactJson } from '../../shared/json';
import type { Choice, Message, ModelCall, Part } from './types';

/** A part as one line of text; never inline bytes. */
export function partText(p: Part): string {
  switch (p.kind) {
    case 'text':
    case 'thought':
    case 'transcription':
      return p.text;
    case 'functionCall':
      return `[function call ${p.name}(${compactJson(p.args)})]`;
    case 'functionResponse':
      return `[function response ${p.name}: ${compactJson(p.response)}]`;
    case 'media':
      if (p.uri) return `[file ${p.uri}${p.mimeType ? ` (${p.mimeType})` : ''}]`;
      return `[${p.mimeType ?? 'media'}${p.bytes !== undefined ? `, ${p.bytes} bytes` : ''}${p.durationMs !== undefined ? `, ${(p.durationMs / 1000).toFixed(1)} s` : ''}${p.chunks ? `, ${p.chunks} chunks` : ''}]`;
    case 'toolCall':
      return p.code ?? `[${p.tool}${p.name ? ` ${p.name}` : ''}${p.queries?.length ? `: ${p.queries.join(' | ')}` : ''}${p.urls?.length ? `: ${p.urls.join(' ')}` : ''}]`;
    case 'toolResult':
      return p.output ?? `[${p.tool} result${p.links?.length ? `: ${p.links.map((l) => l.url).join(' ')}` : ''}]`;
    case 'event':
      return `[${p.name}${p.detail ? `: ${p.detail}` : ''}]`;
    default:
      return `[${compactJson(p.value)}]`;
  }
}


/** Parts of a message on separate lines, messages separated by a blank line; thoughts left out. */
export function messagesText(messages: Message[]): string {
  return messages
    .map((m) => m.parts.filter((p) => p.kind !== 'thought').map(partText).join('\n'))
    .filter((t) => t !== '')
    .join('\n\n');
}

/** The answer's text as an SDK's `.text` gives it: its text parts joined; a spoken answer's
 *  transcription when it has no text. */
export function answerText(choice: Choice | undefined): string {
  const parts = choice?.message.parts ?? [];
  const text = parts.filter((p) => p.kind === 'text').map(partText).join('');
  return text || parts.filter((p) => p.kind === 'transcription' && p.of === 'output').map(partText).join('');
}

export function thoughtText(choice: Choice | undefined): string {
  return (choice?.message.parts ?? []).filter((p) => p.kind === 'thought').map(partText).join('');
}

/** What an adapter provides; the derived fields are filled by `finishCall`. */
export type CallBody = Omit<ModelCall, 'promptText' | 'responseText' | 'thinking' | 'functionCalls' | 'functionResponses' | 'warnings' | 'errors'> &
  Partial<Pick<ModelCall, 'errors' | 'warnings'>>;

/** A model call with its texts and function-call lists derived from its messages. */
export function finishCall(body: CallBody): ModelCall {
  const calls: ModelCall['functionCalls'] = [];
  const answers: ModelCall['functionResponses'] = [];
  const all = [...body.request, ...body.response.map((c) => c.message)];
  for (const m of all) {
    for (const p of m.parts) {
      if (p.kind === 'functionCall') calls.push(p.id ? { name: p.name, args: p.args, id: p.id } : { name: p.name, args: p.args });
      else if (p.kind === 'functionResponse') answers.push(p.id ? { name: p.name, response: p.response, id: p.id } : { name: p.name, response: p.response });
    }
  }
  return {
    ...body,
    errors: body.errors ?? [],
    warnings: body.warnings ?? [],
    promptText: messagesText(body.request),
    responseText: answerText(body.response[0]),
    thinking: thoughtText(body.response[0]),
    functionCalls: calls,
    functionResponses: answers,
  };
}

/** Appends a part, joining it to the previous one when both are text of the same kind (streams
 *  and transcriptions arrive in pieces). */
export function appendJoined(parts: Part[], p: Part): void {
  const last = parts[parts.length - 1];
  if (last && last.kind === p.kind && (p.kind === 'text' || p.kind === 'thought') && !('citations' in last) && !('citations' in p)) {
    parts[parts.length - 1] = { ...last, text: (last as { text: string }).text + p.text } as Part;
    if (p.signature) (parts[parts.length - 1] as { signature?: true }).signature = true;
    return;
  }
  if (last && last.kind === 'transcription' && p.kind === 'transcription' && last.of === p.of) {
    parts[parts.length - 1] = { ...last, text: last.text + p.text };
    return;
  }
  parts.push(p);
}
