// Thought signatures dropped between turns. Gemini's thinking models put an opaque signature on
// the parts (generateContent) or thought steps (Interactions) of a response; an app that replays
// history itself must send them back unchanged, or the API rejects the turn (function calls) or
// answers it without the model's earlier reasoning. A later call whose request carries a model
// part that an earlier call's response signed, without its signature, is named here.
import { stableJson } from './stableJson';
import type { Message, ModelCall, Part } from './types';

export interface Turn {
  /** How the warning names the call: its span name. */
  label: string;
  call: ModelCall;
}

interface Anchor {
  keys: string[];
  signed: boolean;
  what: string;
}

/** Roles that are the model's side of a conversation. */
const MODEL_ROLES = new Set(['model', 'assistant']);

/** The parts a signature belongs to: a signed part itself, or (a signature on a thought or an
 *  empty text part) the next part that is not one. */
function anchors(messages: Message[]): Anchor[] {
  const out: Anchor[] = [];
  let pending = false;
  for (const m of messages) {
    if (!MODEL_ROLES.has(m.role)) {
      pending = false;
      continue;
    }
    for (const p of m.parts) {
      if (p.kind === 'thought' || (p.kind === 'text' && p.text === '')) {
        if (p.signature) pending = true;
        continue;
      }
      const keys = keysOf(p);
      if (!keys.length) continue;
      out.push({ keys, signed: ('signature' in p && p.signature === true) || pending, what: describe(p) });
      pending = false;
    }
  }
  return out;
}

function keysOf(p: Part): string[] {
  switch (p.kind) {
    case 'functionCall':
      return [...(p.id ? [`id:${p.id}`] : []), `call:${p.name}:${stableJson(p.args ?? {})}`];
    case 'toolCall':
      return p.id ? [`id:${p.id}`] : [];
    case 'text':
      return [`text:${p.text.slice(0, 4000)}`];
    default:
      return [];
  }
}

function describe(p: Part): string {
  if (p.kind === 'functionCall') return `function call ${p.name}`;
  if (p.kind === 'toolCall') return `${p.tool} call`;
  if (p.kind === 'text') return `text "${p.text.length > 40 ? `${p.text.slice(0, 40)}…` : p.text}"`;
  return p.kind;
}

/** Warnings per turn (same order as `turns`), empty where nothing was dropped. */
export function signatureWarnings(turns: Turn[]): string[][] {
  const signedAt = new Map<string, number>();
  return turns.map((turn, j) => {
    const warnings: string[] = [];
    const seen = new Set<number>();
    for (const a of anchors(turn.call.request)) {
      if (a.signed) continue;
      const i = a.keys.map((k) => signedAt.get(k)).find((x) => x !== undefined);
      if (i === undefined || seen.has(i)) continue;
      seen.add(i);
      warnings.push(
        `Turn ${j + 1} (${turn.label}) sends back the model's ${a.what} from turn ${i + 1} (${turns[i].label}) without the thought signature that came with it. ` +
          'Gemini rejects such a turn or answers it without its earlier reasoning: send the model\'s parts back exactly as they came (the SDKs\' chats do).',
      );
    }
    for (const c of turn.call.response) for (const a of anchors([c.message])) if (a.signed) for (const k of a.keys) signedAt.set(k, j);
    return warnings;
  });
}
