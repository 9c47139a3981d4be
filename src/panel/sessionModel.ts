// A session as one transcript: its traces in order, each turn showing what was new in its request
// (the history it resent is left out), the answer, tokens, latency and cost, and the warnings only
// the whole session can give (a thought signature dropped from an earlier turn's answer). Pure.
import { signatureWarnings } from '../model/call/signatures';
import { spanCalls, type SpanCall } from '../model/adapters/spanCalls';
import type { Message, ModelCall } from '../model/call/types';
import { SESSION_LABEL, type SessionKey } from '../model/sessions';
import { MLFLOW_META } from '../shared/runTags';
import type { Trace } from '../model/types';
import { clipValue } from './clip';
import { chatOf } from './details';
import type { ChatView, SessionTurn, SessionView } from '../contract/protocol';

/** The same message, for cutting resent history: role and text of its parts. */
function sameMessage(a: Message, b: Message): boolean {
  if (a.role !== b.role && !(a.role === 'assistant' && b.role === 'model') && !(a.role === 'model' && b.role === 'assistant')) return false;
  const text = (m: Message) => m.parts.map((p) => (p.kind === 'text' || p.kind === 'thought' ? p.text : p.kind)).join('\u0000');
  return text(a) === text(b);
}

/** How many leading messages of `call.request` repeat the conversation so far. */
export function resentCount(call: ModelCall, so: Message[]): number {
  let n = 0;
  while (n < call.request.length && n < so.length && sameMessage(call.request[n], so[n])) n++;
  // Keep at least the last message: it is what this turn asked.
  return Math.min(n, Math.max(0, call.request.length - 1));
}

export function sessionView(key: SessionKey, traces: Trace[], truncated = false): SessionView {
  const calls: { trace: Trace; call?: SpanCall }[] = traces.map((t) => {
    const list = spanCalls(t);
    return { trace: t, call: list[list.length - 1] };
  });
  const withCall = calls.filter((c): c is { trace: Trace; call: SpanCall } => !!c.call);
  const warnings = signatureWarnings(withCall.map((c, i) => ({ label: `${c.call.span.name} in trace ${i + 1}`, call: c.call.call })));
  const warnOf = new Map(withCall.map((c, i) => [c.trace, warnings[i]]));
  const so: Message[] = [];
  let system: Message | undefined;
  const totals: SessionView['totals'] = { turns: traces.length, tokens: 0, input: 0, output: 0, durationMs: 0 };
  const turns = calls.map(({ trace, call }, i): SessionTurn => {
    const s = trace.summary;
    const durationMs = trace.endNs !== null && trace.spans.length ? Number(trace.endNs - trace.startNs) / 1e6 : s.durationMs;
    const turn: SessionTurn = {
      traceId: s.id,
      spanId: call?.span.id ?? trace.roots[0]?.id ?? '',
      label: `Turn ${i + 1}`,
      startEpochMs: trace.spans.length ? Number(trace.startNs / 1_000_000n) : s.requestTimeMs,
      durationMs,
      status: trace.status,
      requestOffset: 0,
      warnings: warnOf.get(trace) ?? [],
    };
    const usage = trace.usage.total ? trace.usage : s.usage;
    if (usage) {
      turn.usage = usage;
      totals.tokens += usage.total;
      totals.input += usage.input;
      totals.output += usage.output;
    }
    const cost = trace.cost ?? s.cost;
    if (cost) {
      turn.cost = cost;
      totals.cost = (totals.cost ?? 0) + cost.total;
      totals.currency ??= cost.currency;
    }
    totals.durationMs += durationMs ?? 0;
    if (call) {
      const c = call.call;
      if (c.model) turn.model = c.model;
      turn.requestOffset = resentCount(c, so);
      const view = chatOf(call.span, c);
      if (view) {
        const cut = { ...view, request: view.request.slice(turn.requestOffset) };
        // A system instruction is shown where it first appears or changes, not on every turn.
        if (cut.system && system && sameMessage(cut.system, system)) delete cut.system;
        system = c.system ?? system;
        // Clipped like a span's details; paths stay those of the whole call (the host adds the offset back).
        turn.chat = clipValue(cut, { spanId: call.span.id, field: 'chat' }) as ChatView;
      }
      so.length = 0;
      so.push(...c.request, ...(c.response[0] ? [c.response[0].message] : []));
    }
    return turn;
  });
  const user = traces.map((t) => t.summary.metadata[MLFLOW_META.user]).find(Boolean);
  return { title: `${SESSION_LABEL[key.kind]} ${key.id}`, kind: key.kind, id: key.id, ...(user ? { user } : {}), turns, totals, ...(truncated ? { truncated } : {}) };
}
