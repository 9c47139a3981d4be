// Which session a trace belongs to. A session is, first found: the traces that share MLflow's
// `mlflow.trace.session` metadata (the app's own sessions, which MLflow's UI groups too); the
// turns of one chat object (tag gemini_trace.chat); or one chain of previous_interaction_ids
// (tag gemini_trace.conversation). The last two hold only within one traced run. Pure.
import { GEMINI_TAG, MLFLOW_META } from '../shared/runTags';
import type { TraceSummary } from './types';

export type SessionKind = 'session' | 'chat' | 'conversation';

export interface SessionKey {
  kind: SessionKind;
  id: string;
}

export function sessionOf(t: Pick<TraceSummary, 'tags' | 'metadata'>): SessionKey | undefined {
  const meta = t.metadata[MLFLOW_META.session];
  if (meta) return { kind: 'session', id: meta };
  const chat = t.tags[GEMINI_TAG.chat];
  if (chat) return { kind: 'chat', id: chat };
  const conv = t.tags[GEMINI_TAG.conversation];
  if (conv) return { kind: 'conversation', id: conv };
  return undefined;
}

export function sameSession(a: SessionKey | undefined, b: SessionKey | undefined): boolean {
  return !!a && !!b && a.kind === b.kind && a.id === b.id;
}

export const SESSION_LABEL: Record<SessionKind, string> = { session: 'Session', chat: 'Chat', conversation: 'Conversation' };

/** The trace tag or metadata key that holds a session of this kind. */
export function sessionField(kind: SessionKind): { on: 'metadata' | 'tags'; key: string } {
  return kind === 'session' ? { on: 'metadata', key: MLFLOW_META.session } : { on: 'tags', key: kind === 'chat' ? GEMINI_TAG.chat : GEMINI_TAG.conversation };
}
