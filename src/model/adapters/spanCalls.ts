// The model calls of a trace, in the order they started: the spans that record one and have no
// descendant that does (a chat span wraps its model call; the innermost is the call itself).
import type { Span, Trace } from '../types';
import { readModelCall } from './read';
import type { ModelCall } from '../call/types';

export interface SpanCall {
  span: Span;
  call: ModelCall;
}

export function spanCalls(trace: Trace): SpanCall[] {
  const withCall = new Map<Span, ModelCall>();
  for (const span of trace.spans) {
    const call = readModelCall(span);
    if (call && (call.request.length || call.response.length || call.responseText)) withCall.set(span, call);
  }
  // trace.spans is in pre-order, so walking it backwards sees every child before its parent.
  const callBelow = new Set<Span>();
  for (let i = trace.spans.length - 1; i >= 0; i--) {
    const s = trace.spans[i];
    if (s.children.some((c) => withCall.has(c) || callBelow.has(c))) callBelow.add(s);
  }
  const out: SpanCall[] = [];
  for (const [span, call] of withCall) if (!callBelow.has(span)) out.push({ span, call });
  return out.sort((a, b) => (a.span.startNs < b.span.startNs ? -1 : a.span.startNs > b.span.startNs ? 1 : 0));
}
