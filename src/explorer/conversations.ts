// A run's traces grouped into conversations: the traces that share the `gemini_trace.conversation`
// tag (interactions one process chained by previous_interaction_id) become one entry, placed where
// its newest turn falls in the list and holding its turns first to last. Pure, for the tree.
import { GEMINI_TAG } from '../model/runTags';
import type { TraceSummary } from '../model/types';

export interface Conversation {
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
  const byId = new Map<string, TraceSummary[]>();
  for (const t of items) {
    const id = t.tags[GEMINI_TAG.conversation];
    if (id) (byId.get(id) ?? byId.set(id, []).get(id)!).push(t);
  }
  const out: RunEntry[] = [];
  const placed = new Set<string>();
  for (const t of items) {
    const id = t.tags[GEMINI_TAG.conversation];
    const turns = id ? byId.get(id)! : undefined;
    if (!id || !turns || turns.length < 2) {
      out.push(t);
      continue;
    }
    if (placed.has(id)) continue;
    placed.add(id);
    out.push({ conversationId: id, traces: [...turns].sort((a, b) => a.requestTimeMs - b.requestTimeMs || a.id.localeCompare(b.id)) });
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

/** The row's label: what the first turn asked (an interaction's `input` text, when the request
 *  preview holds it whole), else the conversation's id. */
export function conversationLabel(c: Conversation): string {
  const preview = c.traces[0]?.requestPreview;
  if (preview) {
    try {
      const v = JSON.parse(preview) as unknown;
      const input = v && typeof v === 'object' && !Array.isArray(v) ? (v as { input?: unknown }).input : undefined;
      if (typeof input === 'string' && input.trim()) return input;
    } catch {
      // A preview is cut at a fixed length: often not whole JSON.
    }
  }
  return `Conversation ${c.conversationId}`;
}
