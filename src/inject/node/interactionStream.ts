// A streamed interaction's events (create or get with `stream: true`) assembled into the
// Interaction a non-streamed call would have returned: steps from `step.start` and their deltas,
// status and usage from the lifecycle events, continuation hops merged as the SDK merges them.
// streamTap.ts feeds it the events the app reads.
import { isObj } from './interactionShape';
import type { Obj } from './interactionShape';

/** Merges one `step.delta` into its step. */
function applyDelta(step: Obj, delta: Obj, args: Map<Obj, string>): void {
  const content = (key: 'content' | 'summary'): Obj[] => (Array.isArray(step[key]) ? (step[key] as Obj[]) : (step[key] = []) as Obj[]);
  const lastText = (items: Obj[]) => (items.length && items[items.length - 1].type === 'text' ? items[items.length - 1] : undefined);
  switch (delta.type) {
    case 'text': {
      const items = content('content');
      const last = lastText(items);
      if (last && !last.annotations) last.text = String(last.text ?? '') + String(delta.text ?? '');
      else items.push({ type: 'text', text: String(delta.text ?? '') });
      return;
    }
    case 'image': case 'audio': case 'video': case 'document':
      content('content').push({ ...delta });
      return;
    case 'text_annotation_delta': {
      const last = lastText(content('content'));
      if (last && Array.isArray(delta.annotations)) last.annotations = [...(Array.isArray(last.annotations) ? last.annotations : []), ...delta.annotations];
      return;
    }
    case 'thought_summary': {
      const items = content('summary');
      const c = delta.content;
      const last = lastText(items);
      if (isObj(c) && c.type === 'text' && last) last.text = String(last.text ?? '') + String(c.text ?? '');
      else if (isObj(c)) items.push({ ...c });
      return;
    }
    case 'thought_signature':
      step.signature = delta.signature;
      return;
    case 'arguments_delta':
      args.set(step, (args.get(step) ?? '') + String(delta.arguments ?? ''));
      return;
    default:
      // A built-in tool's call or result (and any delta type the API adds): its fields land on the
      // step, lists appended, a streamed result string joined.
      for (const [k, v] of Object.entries(delta)) {
        if (k === 'type') continue;
        const prev = step[k];
        if (Array.isArray(prev) && Array.isArray(v)) step[k] = [...prev, ...v];
        else if (k === 'result' && typeof prev === 'string' && typeof v === 'string') step[k] = prev + v;
        else step[k] = v;
      }
  }
}

const DELTA_STEP: Record<string, string> = {
  text: 'model_output', image: 'model_output', audio: 'model_output', video: 'model_output', document: 'model_output', text_annotation_delta: 'model_output',
  thought_summary: 'thought', thought_signature: 'thought', arguments_delta: 'function_call',
};

/** Sums usage over continuation hops the way the SDK merges unary hops (counts summed, the
 *  first hop's input kept as initial_input_tokens). */
function mergeUsage(usages: Obj[]): Obj | undefined {
  if (usages.length <= 1) return usages[0];
  const out: Obj = { ...usages[usages.length - 1] };
  for (const k of new Set(usages.flatMap((u) => Object.keys(u)))) {
    const vals = usages.map((u) => u[k]);
    if (vals.every((v) => typeof v === 'number' || v === undefined)) out[k] = vals.reduce((a: number, v) => a + ((v as number) ?? 0), 0);
  }
  out.initial_input_tokens = usages[0].initial_input_tokens ?? usages[0].total_input_tokens;
  return out;
}

export class InteractionAssembler {
  events = 0;
  /** The first `step.delta` has been seen. */
  sawDelta = false;
  error?: Obj;
  private readonly interaction: Obj = {};
  private readonly steps: Obj[] = [];
  private readonly stepUsage: unknown[] = [];
  private readonly args = new Map<Obj, string>();
  /** Per hop: hop-local step index → index in `steps` (-1: a repeated input step, dropped). */
  private index = new Map<number, number>();
  private readonly hopIds: string[] = [];
  private readonly usages: Obj[] = [];
  private hopUsage?: Obj;

  /** Takes one event; returns true for the first step delta of the stream. */
  add(event: unknown): boolean {
    this.events++;
    if (!isObj(event)) return false;
    switch (event.event_type) {
      case 'interaction.created':
        this.startHop(event.interaction);
        return false;
      case 'interaction.status_update':
        if (typeof event.status === 'string') this.interaction.status = event.status;
        if (typeof event.continuation_token === 'string') this.interaction.continuation_token = event.continuation_token;
        if (isObj(event.usage)) this.hopUsage = event.usage;
        return false;
      case 'interaction.completed':
        if (isObj(event.interaction)) {
          const { steps, usage, ...rest } = event.interaction;
          Object.assign(this.interaction, rest);
          if (isObj(usage)) this.hopUsage = usage;
          if (Array.isArray(steps) && !this.steps.length) this.steps.push(...(steps as Obj[]));
        }
        return false;
      case 'step.start':
        if (isObj(event.step) && typeof event.index === 'number') {
          const later = this.hopIds.length > 1 && this.steps.length > 0;
          const onlyInputSoFar = ![...this.index.values()].some((g) => g >= 0);
          if (later && onlyInputSoFar && event.step.type === 'user_input') this.index.set(event.index, -1);
          else {
            this.index.set(event.index, this.steps.length);
            this.steps.push(structuredClone(event.step));
          }
        }
        return false;
      case 'step.delta': {
        const step = this.stepAt(event.index, event.delta);
        if (step && isObj(event.delta)) applyDelta(step, event.delta, this.args);
        if (isObj(event.metadata) && isObj(event.metadata.total_usage)) this.hopUsage = event.metadata.total_usage;
        const first = !this.sawDelta;
        this.sawDelta = true;
        return first;
      }
      case 'step.stop': {
        const g = typeof event.index === 'number' ? this.index.get(event.index) : undefined;
        if (g === undefined || g < 0) return false;
        this.finishArgs(this.steps[g]);
        if (event.step_usage !== undefined) this.stepUsage[g] = event.step_usage;
        return false;
      }
      case 'error':
        this.error = isObj(event.error) ? event.error : { message: 'The stream reported an error.' };
        return false;
      default:
        return false;
    }
  }

  private startHop(interaction: unknown): void {
    if (this.hopUsage) this.usages.push(this.hopUsage);
    this.hopUsage = undefined;
    this.index = new Map();
    if (!isObj(interaction)) return;
    const { steps: _steps, usage: _usage, ...rest } = interaction;
    // Fields that describe the turn's request come from the first hop (as the SDK merges hops).
    const first = this.hopIds.length === 0;
    for (const [k, v] of Object.entries(rest)) if (first || (k !== 'created' && k !== 'previous_interaction_id')) this.interaction[k] = v;
    if (typeof interaction.id === 'string') this.hopIds.push(interaction.id);
  }

  /** The step a delta belongs to; a resumed stream may start mid-step, with no `step.start`. */
  private stepAt(index: unknown, delta: unknown): Obj | undefined {
    if (typeof index !== 'number') return undefined;
    const g = this.index.get(index);
    if (g !== undefined) return g < 0 ? undefined : this.steps[g];
    const type = isObj(delta) && typeof delta.type === 'string' ? (DELTA_STEP[delta.type] ?? delta.type) : 'unknown';
    this.index.set(index, this.steps.length);
    const step: Obj = { type };
    this.steps.push(step);
    return step;
  }

  private finishArgs(step: Obj | undefined): void {
    const text = step && this.args.get(step);
    if (!step || text === undefined) return;
    this.args.delete(step);
    try {
      step.arguments = JSON.parse(text);
    } catch {
      step.arguments = text; // as streamed: the JSON never completed
    }
  }

  /** Id and status as far as the stream has told. */
  get id(): string | undefined {
    return typeof this.interaction.id === 'string' ? this.interaction.id : undefined;
  }

  get status(): string | undefined {
    return typeof this.interaction.status === 'string' ? this.interaction.status : undefined;
  }

  /** The interaction assembled so far, shaped like a non-streamed reply. */
  result(): Obj {
    for (const s of this.steps) this.finishArgs(s);
    const usage = mergeUsage(this.hopUsage ? [...this.usages, this.hopUsage] : this.usages);
    const out: Obj = { ...this.interaction, steps: this.steps };
    if (usage) out.usage = usage;
    if (this.hopIds.length > 1) out.continuation_ids = [...this.hopIds];
    const text = outputText(this.steps);
    if (text) out.output_text = text;
    return out;
  }

  /** Usage each step reported on its `step.stop`, aligned with the steps; undefined if none did. */
  perStepUsage(): unknown[] | undefined {
    return this.stepUsage.some((u) => u !== undefined) ? this.steps.map((_, i) => this.stepUsage[i] ?? null) : undefined;
  }
}

/** The text of the last model output after the last input, as the SDK's output_text. */
function outputText(steps: Obj[]): string {
  const parts: string[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    if (s.type === 'user_input') break;
    if (s.type === 'thought') continue;
    if (s.type !== 'model_output') {
      if (parts.length) break;
      continue;
    }
    const content = Array.isArray(s.content) ? (s.content as Obj[]) : [];
    for (let j = content.length - 1; j >= 0; j--) if (content[j].type === 'text') parts.push(String(content[j].text ?? ''));
  }
  return parts.reverse().join('');
}
