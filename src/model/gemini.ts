// Placeholder (signature only) until the trace-model helper writes the real extraction.
import type { GeminiCall, Span } from './types';

export function extractGemini(_span: Span): GeminiCall | undefined {
  return undefined;
}
