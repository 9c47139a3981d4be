// A run's traces grouped into sessions (model/sessions.ts): the traces that share MLflow's
// session metadata, one chat object's tag, or one previous_interaction_id chain's tag become one
// entry, placed where its newest turn falls in the list and holding its turns first to last.
// (Named for the conversations it grouped first.) Pure, for the tree.
import { SESSION_LABEL, sessionOf, type SessionKind } from '../model/sessions';
import type { TraceSummary } from '../model/types';

export interface Conversation {
  /** What groups them: MLflow's session, a chat object, or an interaction chain. */
  session: SessionKind;
  conversationId: string;
  /** Its turns in the order they were made (first interaction first). */
  traces: TraceSummary[];
}

export type RunEntry = TraceSummary | Conversation;

export function isConversation(e: RunEntry): e is Conversation {
  return 'conversationId' in e;
}

/** `items` in list order (newest first). A tag shared by one trace only groups nothing. */
export function groupConversations(items: readonly TraceSummary[]): RunEntry[] {
  const keyOf = (t: TraceSummary) => {
    const s = sessionOf(t);
    return s ? `${s.kind}\u0000${s.id}` : undefined;
  };
  const byKey = new Map<string, TraceSummary[]>();
  for (const t of items) {
    const k = keyOf(t);
    if (k) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(t);
  }
  const out: RunEntry[] = [];
  const placed = new Set<string>();
  for (const t of items) {
    const k = keyOf(t);
    const turns = k ? byKey.get(k)! : undefined;
    // A conversation or chat of one turn groups nothing; an MLflow session is the app's own
    // grouping, shown even with one trace in this run (its other traces may be elsewhere).
    const s = sessionOf(t);
    if (!k || !turns || !s || (turns.length < 2 && s.kind !== 'session')) {
      out.push(t);
      continue;
    }
    if (placed.has(k)) continue;
    placed.add(k);
    out.push({ session: s.kind, conversationId: s.id, traces: [...turns].sort((a, b) => a.requestTimeMs - b.requestTimeMs || a.id.localeCompare(b.id)) });
  }
  return out;
}

/** What a conversation row says about its turns: latency and tokens summed, any still running. */
export function conversationFacts(c: Conversation): { turns: number; durationMs: number | null; tokens: number | undefined; running: boolean; failed: boolean; lastMs: number } {
  let duration = 0;
  let tokens: number | undefined;
  let running = false;
  for (const t of c.traces) {
    if (t.state === 'IN_PROGRESS') running = true;
    else duration += t.durationMs ?? 0;
    if (t.usage) tokens = (tokens ?? 0) + t.usage.total;
  }
  return { turns: c.traces.length, durationMs: running ? null : duration, tokens, running, failed: c.traces.some((t) => t.state === 'ERROR'), lastMs: c.traces[c.traces.length - 1].requestTimeMs };
}

/** The row's label: what the first turn asked (an interaction's `input` or a chat's `message`
 *  text, when the request preview holds it whole), else the session's kind and id. */
export function conversationLabel(c: Conversation): string {
  const preview = c.traces[0]?.requestPreview;
  if (preview && c.session !== 'session') {
    try {
      const v = JSON.parse(preview) as unknown;
      const o = v && typeof v === 'object' && !Array.isArray(v) ? (v as { input?: unknown; message?: unknown }) : undefined;
      const input = o?.input ?? o?.message;
      if (typeof input === 'string' && input.trim()) return input;
    } catch {
      // A preview is cut at a fixed length: often not whole JSON.
    }
  }
  return `${SESSION_LABEL[c.session]} ${c.conversationId}`;
}
