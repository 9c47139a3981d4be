// Pairs the model calls of two traces so "what changed between runs" is answered call by call:
// first by call site (the code location the preload/shim recorded), then by order among the rest.
import { extractGemini } from '../model/gemini';
import type { GeminiCall, Span, Trace } from '../model/types';
import { renderPrompt, renderResponse } from './text';

export interface ModelCall {
  span: Span;
  call: GeminiCall;
  /** "file:line", or undefined when no location was recorded. */
  site?: string;
}

export interface CallPair {
  left?: ModelCall;
  right?: ModelCall;
  /** How the pair was made. */
  by: 'site' | 'order' | 'unpaired';
  promptChanged: boolean;
  responseChanged: boolean;
  /** right − left, by kind. */
  tokenDelta: { input: number; output: number; thinking: number; cached: number; total: number };
  latencyDeltaMs: number;
}

/** The spans that are model calls: they carry a Gemini request and no descendant does. */
export function modelCalls(trace: Trace): ModelCall[] {
  const withCall = new Map<Span, GeminiCall>();
  for (const span of trace.spans) {
    const call = extractGemini(span);
    if (call && (call.contents.length || call.candidates.length || call.responseText)) withCall.set(span, call);
  }
  // trace.spans is in pre-order, so walking it backwards sees every child before its parent.
  const callBelow = new Set<Span>();
  for (let i = trace.spans.length - 1; i >= 0; i--) {
    const s = trace.spans[i];
    if (s.children.some((c) => withCall.has(c) || callBelow.has(c))) callBelow.add(s);
  }
  const out: ModelCall[] = [];
  for (const [span, call] of withCall) {
    // A chat span wraps its model call: keep the innermost so pairs compare like with like.
    if (callBelow.has(span)) continue;
    out.push({ span, call, site: span.code ? `${span.code.filepath}:${span.code.lineno}` : undefined });
  }
  return out.sort((a, b) => (a.span.startNs < b.span.startNs ? -1 : a.span.startNs > b.span.startNs ? 1 : 0));
}

function durationMs(s: Span): number {
  return s.endNs === null ? 0 : Number(s.endNs - s.startNs) / 1e6;
}

function makePair(left: ModelCall | undefined, right: ModelCall | undefined, by: CallPair['by']): CallPair {
  const lu = left?.call.usage ?? left?.span.usage;
  const ru = right?.call.usage ?? right?.span.usage;
  const d = (k: 'input' | 'output' | 'thinking' | 'cached' | 'total') => (ru?.[k] ?? 0) - (lu?.[k] ?? 0);
  return {
    left,
    right,
    by,
    promptChanged: !left || !right || renderPrompt(left.call) !== renderPrompt(right.call),
    responseChanged: !left || !right || renderResponse(left.call) !== renderResponse(right.call),
    tokenDelta: { input: d('input'), output: d('output'), thinking: d('thinking'), cached: d('cached'), total: d('total') },
    latencyDeltaMs: (right ? durationMs(right.span) : 0) - (left ? durationMs(left.span) : 0),
  };
}

export function pairCalls(a: Trace, b: Trace): CallPair[] {
  const left = modelCalls(a);
  const right = modelCalls(b);
  const usedRight = new Set<ModelCall>();
  const pairs: CallPair[] = [];
  const leftover: ModelCall[] = [];
  // Same site, in order: the n-th call at a site pairs with the n-th call at that site.
  const bySite = new Map<string, ModelCall[]>();
  for (const r of right) if (r.site) (bySite.get(r.site) ?? bySite.set(r.site, []).get(r.site)!).push(r);
  for (const l of left) {
    const r = l.site ? bySite.get(l.site)?.shift() : undefined;
    if (r) {
      usedRight.add(r);
      pairs.push(makePair(l, r, 'site'));
    } else leftover.push(l);
  }
  const restRight = right.filter((r) => !usedRight.has(r));
  const n = Math.min(leftover.length, restRight.length);
  for (let i = 0; i < n; i++) pairs.push(makePair(leftover[i], restRight[i], 'order'));
  for (const l of leftover.slice(n)) pairs.push(makePair(l, undefined, 'unpaired'));
  for (const r of restRight.slice(n)) pairs.push(makePair(undefined, r, 'unpaired'));
  const start = (p: CallPair) => (p.left ?? p.right)!.span.startNs;
  return pairs.sort((x, y) => (start(x) < start(y) ? -1 : start(x) > start(y) ? 1 : 0));
}

/** One line per pair for a quick pick: what changed and the token delta. */
export function describePair(p: CallPair): { label: string; description: string; detail: string } {
  const ref = (p.left ?? p.right)!;
  const where = ref.site ? ref.site.replace(/^.*[\\/]/, '') : `call ${ref.span.name}`;
  const changes = !p.left ? 'added' : !p.right ? 'removed' : [p.promptChanged && 'prompt', p.responseChanged && 'response'].filter(Boolean).join(' + ') || 'unchanged';
  const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
  return {
    label: `${p.left && p.right && !p.promptChanged && !p.responseChanged ? '$(check)' : '$(diff)'} ${where}`,
    description: changes,
    detail: `tokens ${sign(p.tokenDelta.total)} (in ${sign(p.tokenDelta.input)}, out ${sign(p.tokenDelta.output)}, thinking ${sign(p.tokenDelta.thinking)}) · latency ${sign(Math.round(p.latencyDeltaMs))} ms · paired by ${p.by}`,
  };
}

/** A pair as plain data (no spans), for command results and the panel. */
export interface PairSummary {
  leftSpanId?: string;
  rightSpanId?: string;
  site?: string;
  name: string;
  by: CallPair['by'];
  promptChanged: boolean;
  responseChanged: boolean;
  tokenDelta: CallPair['tokenDelta'];
  latencyDeltaMs: number;
}

export function summarizePair(p: CallPair): PairSummary {
  const ref = (p.left ?? p.right)!;
  return {
    leftSpanId: p.left?.span.id,
    rightSpanId: p.right?.span.id,
    site: ref.site,
    name: ref.span.name,
    by: p.by,
    promptChanged: p.promptChanged,
    responseChanged: p.responseChanged,
    tokenDelta: p.tokenDelta,
    latencyDeltaMs: p.latencyDeltaMs,
  };
}
