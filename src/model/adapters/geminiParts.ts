// Gemini parts and contents (model/geminiContent.ts's reading of either SDK's spelling) → the model
// call's parts: generateContent and Live both speak them.
import type { Message, Part } from '../call/types';
import type { GeminiContent, GeminiPart } from '../types';

export function fromGeminiContent(c: GeminiContent): Message {
  return { role: c.role, parts: c.parts.map(fromGeminiPart) };
}

export function fromGeminiPart(p: GeminiPart): Part {
  const sig = p.signature ? { signature: true as const } : {};
  switch (p.kind) {
    case 'text':
    case 'thought':
      return { kind: p.kind, text: p.text, ...sig };
    case 'functionCall':
      return { kind: 'functionCall', name: p.name, args: p.args, ...(p.id ? { id: p.id } : {}), ...sig };
    case 'functionResponse':
      return { kind: 'functionResponse', name: p.name, response: p.response, ...(p.id ? { id: p.id } : {}) };
    case 'inlineData':
      return { kind: 'media', mimeType: p.mimeType, bytes: p.bytes, ...(p.data !== undefined ? { data: p.data } : {}), ...(p.attachment ? { attachment: p.attachment } : {}), ...(p.elided ? { elided: p.elided } : {}), ...sig };
    case 'fileData':
      return { kind: 'media', uri: p.uri, ...(p.mimeType ? { mimeType: p.mimeType } : {}), ...sig };
    case 'executableCode':
      return { kind: 'toolCall', tool: 'code_execution', code: p.code, ...(p.language ? { language: p.language } : {}), ...sig };
    case 'codeExecutionResult':
      return { kind: 'toolResult', tool: 'code_execution', output: p.output, ...(p.outcome ? { outcome: p.outcome } : {}), ...sig };
    default:
      return { kind: 'other', value: p.value };
  }
}
