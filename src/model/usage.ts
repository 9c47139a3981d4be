// Token usage and cost per span and per trace.
//
// Per-trace totals: which spans count? MLflow itself (tracing/utils `_aggregate_from_nodes`)
// counts a span only when no ancestor carries usage: the outermost span wins. That is right for
// single calls and for integrations that roll usage up onto a parent, but it under-counts the
// Python Gemini autolog's automatic function calling: `Models.generate_content` records only the
// LAST response's usage while its two `Models._generate_content` children record each round trip
// (seen against a real server: parent 7 tokens, children 5 + 7; MLflow reports 7, 12 were spent).
// So each subtree counts the larger of what the span itself recorded and what its children's
// subtrees add up to, field by field:
//   subtree(s) = max(own(s), Σ subtree(child))
// - leaf-only usage (our Node preload, manual LLM spans): the sum of the leaves;
// - a rollup parent (parent = Σ children) or autolog's parent ⊃ identical child: counted once;
// - the AFC shape above: the children's 12, not the parent's 7;
// - a parent whose own call outweighs its children: the parent's figure.
// Nothing is ever counted twice along a root-to-leaf path. Cost uses the same rule.
import { isRecord, toNumber } from '../shared/json';
import { pauseHere, type Steps } from '../shared/steps';
import type { Cost, Span, TokenUsage } from './types';

export const ZERO_USAGE: Readonly<TokenUsage> = Object.freeze({ input: 0, output: 0, total: 0, cached: 0, thinking: 0 });

function count(v: unknown): number | undefined {
  const n = toNumber(v);
  return n === undefined || n < 0 ? undefined : Math.round(n);
}

function pick(o: Record<string, unknown>, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const n = count(o[k]);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** Gemini `usageMetadata` (camelCase, from @google/genai) or `usage_metadata` (snake_case, from
 *  the Python SDK's model_dump) found in a response object. */
export function geminiUsageMetadata(outputs: unknown): Record<string, unknown> | undefined {
  if (!isRecord(outputs)) return undefined;
  const u = outputs.usage_metadata ?? outputs.usageMetadata;
  return isRecord(u) ? u : undefined;
}

/** Usage from MLflow's `{input_tokens, output_tokens, total_tokens, cache_read_input_tokens}`,
 *  Gemini's usage metadata, or OTel GenAI attributes; undefined when none is recognisable. */
export function parseUsage(v: unknown): TokenUsage | undefined {
  if (!isRecord(v)) return undefined;
  const input = pick(v, 'input_tokens', 'prompt_token_count', 'promptTokenCount', 'prompt_tokens', 'inputTokens');
  const output = pick(v, 'output_tokens', 'candidates_token_count', 'candidatesTokenCount', 'completion_tokens', 'outputTokens');
  const reportedTotal = pick(v, 'total_tokens', 'total_token_count', 'totalTokenCount', 'totalTokens');
  if (input === undefined && output === undefined && reportedTotal === undefined) return undefined;
  const cached = pick(v, 'cache_read_input_tokens', 'cached_content_token_count', 'cachedContentTokenCount') ?? 0;
  const thinking = pick(v, 'thoughts_token_count', 'thoughtsTokenCount', 'reasoning_tokens') ?? 0;
  return finish(input ?? 0, output ?? 0, reportedTotal, cached, thinking, pick(v, 'tool_use_prompt_token_count', 'toolUsePromptTokenCount') ?? 0);
}

/** Applies the TokenUsage contract: thinking is part of output, cached part of input. Gemini
 *  reports candidates WITHOUT thoughts (prompt + candidates + thoughts = total); MLflow copies
 *  that candidates figure into output_tokens, so thoughts are folded in when the sum says so. */
export function finish(input: number, output: number, reportedTotal: number | undefined, cached: number, thinking: number, toolUse = 0): TokenUsage {
  let out = output;
  // Gemini's total also counts tool-use prompt tokens (prompt + candidates + thoughts + tool use).
  const sum = input + output + thinking;
  if (thinking > 0 && (reportedTotal === undefined || sum === reportedTotal || sum + toolUse === reportedTotal)) out += thinking;
  return { input, output: out, total: reportedTotal ?? input + out, cached, thinking };
}

/** Usage recorded on a span itself: `mlflow.chat.tokenUsage`, else OTel `gen_ai.usage.*`, else
 *  (model-call spans only) the Gemini response's usage metadata in the outputs. Thinking and
 *  cached counts, which MLflow's attribute lacks, are taken from the response when present. */
export function spanUsage(attributes: Record<string, unknown>, outputs: unknown, isModelCall: boolean): TokenUsage | undefined {
  return spanUsageWith(attributes, () => geminiUsageMetadata(outputs), isModelCall);
}

/** spanUsage with the response's usage metadata looked up only when the attributes lack a count
 *  it supplies (a span's outputs may still be undecoded text, see lazySpan.ts). */
export function spanUsageWith(attributes: Record<string, unknown>, usageMetadata: () => Record<string, unknown> | undefined, isModelCall: boolean): TokenUsage | undefined {
  let looked: { meta: Record<string, unknown> | undefined } | undefined;
  const meta = (): Record<string, unknown> | undefined => (looked ??= { meta: usageMetadata() }).meta;
  const attr = attributes['mlflow.chat.tokenUsage'];
  if (isRecord(attr)) {
    const input = pick(attr, 'input_tokens') ?? 0;
    const output = pick(attr, 'output_tokens') ?? 0;
    const total = pick(attr, 'total_tokens');
    const cached = pick(attr, 'cache_read_input_tokens') ?? pickIn(meta(), 'cached_content_token_count', 'cachedContentTokenCount') ?? 0;
    // Our Node preload adds `thoughts_tokens` to MLflow's keys (MLflow ignores extra keys).
    const thinking = pick(attr, 'thoughts_tokens', 'thinking_tokens', 'reasoning_tokens')
      ?? pickIn(meta(), 'thoughts_token_count', 'thoughtsTokenCount') ?? 0;
    const toolUse = pick(attr, 'tool_use_prompt_tokens') ?? pickIn(meta(), 'tool_use_prompt_token_count', 'toolUsePromptTokenCount') ?? 0;
    if (pick(attr, 'input_tokens', 'output_tokens', 'total_tokens') !== undefined) return finish(input, output, total, cached, thinking, toolUse);
  }
  const gi = count(attributes['gen_ai.usage.input_tokens']);
  const go = count(attributes['gen_ai.usage.output_tokens']);
  if (gi !== undefined || go !== undefined) {
    const thinking = count(attributes['gen_ai.usage.reasoning.output_tokens']) ?? pickIn(meta(), 'thoughts_token_count', 'thoughtsTokenCount') ?? 0;
    const cached = count(attributes['gen_ai.usage.cache_read.input_tokens'] ?? attributes['gen_ai.usage.cache_read_input_tokens']) ?? 0;
    return finish(gi ?? 0, go ?? 0, count(attributes['gen_ai.usage.total_tokens']), cached, thinking);
  }
  // The AI SDK's own attributes (its outer generateText span has no gen_ai.* usage): v5+ names,
  // then v4's. Its output tokens already include reasoning tokens.
  const ai = (k: string) => count(attributes[`ai.usage.${k}`]);
  const ain = ai('inputTokens') ?? ai('promptTokens');
  const aout = ai('outputTokens') ?? ai('completionTokens');
  if (ain !== undefined || aout !== undefined) {
    return finish(ain ?? 0, aout ?? 0, ai('totalTokens') ?? (ain ?? 0) + (aout ?? 0), ai('cachedInputTokens') ?? ai('inputTokenDetails.cacheReadTokens') ?? 0, ai('reasoningTokens') ?? 0);
  }
  if (!isModelCall) return undefined;
  const m = meta();
  return m ? parseUsage(m) : undefined;
}

function pickIn(o: Record<string, unknown> | undefined, ...keys: string[]): number | undefined {
  return o ? pick(o, ...keys) : undefined;
}

/** `mlflow.llm.cost` ({input_cost, output_cost, total_cost}, USD) → Cost. */
export function parseCost(v: unknown): Cost | undefined {
  if (!isRecord(v)) return undefined;
  const input = toNumber(v.input_cost ?? v.input);
  const output = toNumber(v.output_cost ?? v.output);
  const total = toNumber(v.total_cost ?? v.total) ?? (input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined);
  if (total === undefined) return undefined;
  const c: Cost = { total, currency: typeof v.currency === 'string' ? v.currency : 'USD' };
  if (input !== undefined) c.input = input;
  if (output !== undefined) c.output = output;
  return c;
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: a.input + b.input, output: a.output + b.output, total: a.total + b.total, cached: a.cached + b.cached, thinking: a.thinking + b.thinking };
}

function maxUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: Math.max(a.input, b.input), output: Math.max(a.output, b.output), total: Math.max(a.total, b.total),
    cached: Math.max(a.cached, b.cached), thinking: Math.max(a.thinking, b.thinking),
  };
}

export function addCost(a: Cost, b: Cost): Cost {
  const c: Cost = { total: a.total + b.total, currency: a.currency ?? b.currency };
  if (a.input !== undefined || b.input !== undefined) c.input = (a.input ?? 0) + (b.input ?? 0);
  if (a.output !== undefined || b.output !== undefined) c.output = (a.output ?? 0) + (b.output ?? 0);
  return c;
}

function maxCost(own: Cost, kids: Cost): Cost {
  return own.total >= kids.total ? own : kids;
}

/** A subtree's usage under the rule above, from its span's own and its children's subtrees' sum. */
export function subtreeUsage(own: TokenUsage | undefined, kids: TokenUsage | undefined): TokenUsage | undefined {
  return own && kids ? maxUsage(own, kids) : (own ?? kids);
}

export function subtreeCost(own: Cost | undefined, kids: Cost | undefined): Cost | undefined {
  return own && kids ? maxCost(own, kids) : (own ?? kids);
}

export interface Rollup {
  /** Usage of each span's subtree under the rule above (spans without any usage are absent). */
  usage: Map<Span, TokenUsage>;
  cost: Map<Span, Cost>;
  totalUsage: TokenUsage | undefined;
  totalCost: Cost | undefined;
}

/** Subtree usage and cost for every span and the trace totals. `spans` must be in depth-first
 *  order (parents before children); walked once backwards, so no recursion. As steps (see
 *  steps.ts), pausable between blocks of spans. */
export function* rollUpSteps(spans: Span[], roots: Span[]): Steps<Rollup> {
  const usage = new Map<Span, TokenUsage>();
  const cost = new Map<Span, Cost>();
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i];
    let kidsUsage: TokenUsage | undefined;
    let kidsCost: Cost | undefined;
    for (const c of s.children) {
      const u = usage.get(c);
      if (u) kidsUsage = kidsUsage ? addUsage(kidsUsage, u) : u;
      const k = cost.get(c);
      if (k) kidsCost = kidsCost ? addCost(kidsCost, k) : k;
    }
    const u = subtreeUsage(s.usage, kidsUsage);
    if (u) usage.set(s, u);
    const k = subtreeCost(s.cost, kidsCost);
    if (k) cost.set(s, k);
    if (pauseHere(i)) yield 1 - i / spans.length;
  }
  let totalUsage: TokenUsage | undefined;
  let totalCost: Cost | undefined;
  for (const r of roots) {
    const u = usage.get(r);
    if (u) totalUsage = totalUsage ? addUsage(totalUsage, u) : u;
    const k = cost.get(r);
    if (k) totalCost = totalCost ? addCost(totalCost, k) : k;
  }
  return { usage, cost, totalUsage, totalCost };
}
