// Pairs the model calls of two traces so "what changed between runs" is answered call by call:
// first by call site (the code location the preload/shim recorded), then by order among the rest.
import { spanCalls, type SpanCall } from '../model/adapters/spanCalls';
import type { Span, Trace } from '../model/types';
import { renderPrompt, renderResponse } from './text';

/** A model call, the span that recorded it, and where in the code it was made. */
export interface CallAtSite extends SpanCall {
  /** "file:line", or undefined when no location was recorded. */
  site?: string;
}

export interface CallPair {
  left?: CallAtSite;
  right?: CallAtSite;
  /** How the pair was made. */
  by: 'site' | 'order' | 'unpaired';
  promptChanged: boolean;
  responseChanged: boolean;
  /** right − left, by kind. */
  tokenDelta: { input: number; output: number; thinking: number; cached: number; total: number };
  latencyDeltaMs: number;
}

/** The trace's model calls (model/call/trace.ts) with their call sites. */
export function modelCalls(trace: Trace): CallAtSite[] {
  return spanCalls(trace).map((c) => ({ ...c, site: c.span.code ? `${c.span.code.filepath}:${c.span.code.lineno}` : undefined }));
}

function durationMs(s: Span): number {
  return s.endNs === null ? 0 : Number(s.endNs - s.startNs) / 1e6;
}

function makePair(left: CallAtSite | undefined, right: CallAtSite | undefined, by: CallPair['by']): CallPair {
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
  const usedRight = new Set<CallAtSite>();
  const pairs: CallPair[] = [];
  const leftover: CallAtSite[] = [];
  // Same site, in order: the n-th call at a site pairs with the n-th call at that site.
  const bySite = new Map<string, CallAtSite[]>();
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
