// Thought signatures an app failed to send back. An app that keeps the history itself (`store:
// false`) resends the model's earlier steps as `input`; Gemini wants each call step back with the
// signature it came with (on the step, or on the thought step just before it), and rejects or
// degrades a turn without it. The earlier reply and the replay are separate traces, so only this
// process sees both: it remembers which call steps came signed, and a create that replays one
// without its signature records it (gemini.interaction.dropped_signatures, interactions.ts).
import { stableJson } from '../../model/call/stableJson';
import type { Obj } from './interactionShape';
import { isObj } from './interactionShape';
import { Recent } from './recent';

/** A call step (id, name and arguments: ids alone may repeat across interactions) → the
 *  interaction whose reply signed it. */
const signed = new Recent<string>();

/** Arguments as sorted-key JSON, so a replayed step rebuilt in another key order matches. */
const keyOf = (step: Obj): string => `${step.id as string}\u0000${String(step.name ?? '')}\u0000${stableJson(step.arguments ?? null)}`;

export interface DroppedSignature {
  /** What the step is, e.g. "function_call get_weather". */
  step: string;
  id: string;
  /** The interaction that returned it signed. */
  interaction: string;
}

const isCall = (s: Obj): boolean => typeof s.type === 'string' && s.type.endsWith('_call') && typeof s.id === 'string';
const hasSignature = (s: Obj): boolean => typeof s.signature === 'string' && s.signature !== '';

/** Each call step of `steps` that carries a signature: its own, or a signed thought's right before it. */
function* signedCalls(steps: unknown[]): Generator<{ step: Obj; signed: boolean }> {
  let pending = false;
  for (const s of steps) {
    if (!isObj(s)) continue;
    if (s.type === 'thought') {
      pending = pending || hasSignature(s);
      continue;
    }
    if (isCall(s)) yield { step: s, signed: hasSignature(s) || pending };
    pending = false;
  }
}

/** An interaction came back: remember its signed call steps. The first reply to carry a step is
 *  the one that made it (later replies may echo it back as part of their input). */
export function rememberSigned(interaction: Obj): void {
  if (typeof interaction.id !== 'string' || !Array.isArray(interaction.steps)) return;
  for (const { step, signed: yes } of signedCalls(interaction.steps)) if (yes && !signed.has(keyOf(step))) signed.set(keyOf(step), interaction.id);
}

/** The call steps a create's `input` replays without the signature they came with. */
export function droppedSignatures(input: unknown): DroppedSignature[] {
  if (!Array.isArray(input)) return [];
  const out: DroppedSignature[] = [];
  for (const { step, signed: yes } of signedCalls(input)) {
    const from = yes ? undefined : signed.get(keyOf(step));
    if (from) out.push({ step: `${step.type as string}${typeof step.name === 'string' ? ` ${step.name}` : ''}`, id: step.id as string, interaction: from });
  }
  return out;
}
