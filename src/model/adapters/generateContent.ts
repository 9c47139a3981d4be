// generateContent (models.generateContent, streams, chats; our tracers, MLflow's Python autolog,
// raw REST bodies) → ModelCall. The reading itself is model/gemini.ts, unchanged; this maps its
// Gemini shapes onto the model call's, keeping its derived texts exactly as they were.
import { extractGemini } from '../gemini';
import { isRecord } from '../../shared/json';
import type { GeminiCandidate, Span } from '../types';
import { placeGrounding } from '../call/grounding';
import type { Choice, ModelCall, ModelUsage } from '../call/types';
import { fromGeminiContent as message } from './geminiParts';
import { withToolUse } from './values';

export function fromGenerateContent(span: Span): ModelCall | undefined {
  const g = extractGemini(span);
  if (!g) return undefined;
  const call: ModelCall = {
    provider: 'gemini',
    api: 'gemini.generateContent',
    request: g.contents.map(message),
    config: g.config,
    response: g.candidates.map(choice),
    ordered: false,
    errors: [],
    functionCalls: g.functionCalls,
    functionResponses: g.functionResponses,
    promptText: g.promptText,
    responseText: g.responseText,
    thinking: g.thinking,
    warnings: [],
  };
  if (g.model) call.model = g.model;
  if (g.systemInstruction) call.system = message(g.systemInstruction);
  if (g.tools !== undefined) call.tools = g.tools;
  const schema = g.config.response_json_schema ?? g.config.responseJsonSchema ?? g.config.response_schema ?? g.config.responseSchema;
  if (schema !== undefined) call.responseSchema = schema;
  if (g.usage) call.usage = toolUseOf(g.usage, span);
  return call;
}

function toolUseOf(usage: ModelUsage, span: Span): ModelUsage {
  const outs = Array.isArray(span.outputs) ? span.outputs[span.outputs.length - 1] : span.outputs;
  const meta = isRecord(outs) ? (outs.usage_metadata ?? outs.usageMetadata) : undefined;
  return withToolUse(usage, span.attributes['mlflow.chat.tokenUsage'], isRecord(meta) ? (meta.tool_use_prompt_token_count ?? meta.toolUsePromptTokenCount) : undefined);
}

function choice(c: GeminiCandidate): Choice {
  const out: Choice = { message: message(c.content) };
  if (c.finishReason) out.finishReason = c.finishReason;
  if (c.safetyRatings) out.safety = c.safetyRatings;
  if (c.grounding) out.grounding = placeGrounding(c.grounding, out.message.parts);
  return out;
}
