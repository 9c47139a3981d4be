// A span whose inputs and outputs are still the JSON text Python's traces.json holds them in
// (every attribute value JSON-encoded once more), decoded the first time something reads them:
// the details pane, a model call, search, media. Opening a trace needs only the span table (type,
// model, usage, status, call site), and decoding every span's payload up front was most of
// normalising a large trace and most of its garbage.
//
// One class with accessors on its prototype, so every span keeps one hidden class and V8's fast
// properties (accessors defined per object made normalising 2–3× slower, see
// bench/results/bigtrace-2026-12-04.md). Each payload is decoded at most once and then kept.
import { decodeStructured, isRecord, tryParseJson } from '../shared/json';
import { topLevelFields } from '../shared/jsonFields';
import type { CodeLocation, Cost, ExceptionInfo, Span, SpanEvent, SpanStatus, TokenUsage } from './types';

export const INPUTS_ATTR = 'mlflow.spanInputs';
export const OUTPUTS_ATTR = 'mlflow.spanOutputs';

/** What the eager decode makes of a Python attribute value holding inputs or outputs. */
export function decodePayload(text: string): unknown {
  const r = tryParseJson(text);
  return decodeStructured(r.ok ? r.value : text);
}

export class LazySpan implements Span {
  declare otelTraceId?: string;
  declare statusMessage?: string;
  declare usage?: TokenUsage;
  declare cost?: Cost;
  declare model?: string;
  declare code?: CodeLocation;
  declare cycleBroken?: boolean;
  orphan = false;
  children: Span[] = [];
  depth = 0;
  exceptions: ExceptionInfo[] = [];
  private decodedInputs: unknown = null;
  private decodedOutputs: unknown = null;
  /** True once `attributes` holds the decoded inputs and outputs in their places. */
  private settled: boolean;

  /** `attrs` holds every attribute; a pending payload's key is there (so the order stays as
   *  recorded) with the value undefined until decoded. */
  constructor(
    public id: string,
    public parentId: string | null,
    public name: string,
    public type: string,
    public startNs: bigint,
    public endNs: bigint | null,
    public status: SpanStatus,
    private attrs: Record<string, unknown>,
    public events: SpanEvent[],
    private inputsText: string | undefined,
    private outputsText: string | undefined,
  ) {
    this.settled = inputsText === undefined && outputsText === undefined;
    if (inputsText === undefined) this.decodedInputs = attrs[INPUTS_ATTR] ?? null;
    if (outputsText === undefined) this.decodedOutputs = attrs[OUTPUTS_ATTR] ?? null;
  }

  get inputs(): unknown {
    if (this.inputsText !== undefined) {
      this.decodedInputs = decodePayload(this.inputsText);
      this.inputsText = undefined;
    }
    return this.decodedInputs;
  }

  set inputs(v: unknown) {
    this.inputsText = undefined;
    this.decodedInputs = v;
  }

  get outputs(): unknown {
    if (this.outputsText !== undefined) {
      this.decodedOutputs = decodePayload(this.outputsText);
      this.outputsText = undefined;
    }
    return this.decodedOutputs;
  }

  set outputs(v: unknown) {
    this.outputsText = undefined;
    this.decodedOutputs = v;
  }

  get attributes(): Record<string, unknown> {
    if (!this.settled) {
      this.settled = true;
      if (INPUTS_ATTR in this.attrs) this.attrs[INPUTS_ATTR] = this.inputs;
      if (OUTPUTS_ATTR in this.attrs) this.attrs[OUTPUTS_ATTR] = this.outputs;
    }
    return this.attrs;
  }

  set attributes(v: Record<string, unknown>) {
    this.attrs = v;
    this.settled = true;
  }

  /** The attributes without decoding a pending payload (its key holds undefined until then): for
   *  looking up the small attributes of many spans. */
  get shallowAttributes(): Record<string, unknown> {
    return this.attrs;
  }

  /** The inputs' JSON text while they are not decoded yet. */
  get pendingInputs(): string | undefined {
    return this.inputsText;
  }

  /** The outputs' JSON text while they are not decoded yet. */
  get pendingOutputs(): string | undefined {
    return this.outputsText;
  }

  /** A top-level field of the inputs (undefined when they are not an object or lack it), read
   *  from the pending text without decoding the rest when it can be. */
  inputsField(key: string): unknown {
    return payloadFieldIn(this.inputsText, key, () => this.inputs);
  }

  /** Gemini's usage metadata in the outputs (`usage_metadata` or `usageMetadata`), read the same way. */
  usageMetadata(): Record<string, unknown> | undefined {
    return usageMetadataIn(this.outputsText, () => this.outputs);
  }
}

const USAGE_KEYS = ['usage_metadata', 'usageMetadata'];

/** LazySpan.usageMetadata for outputs held as `text` (pending) or as `decoded`'s value. */
export function usageMetadataIn(text: string | undefined, decoded: () => unknown): Record<string, unknown> | undefined {
  const u = fieldOf(text, USAGE_KEYS, decoded);
  return isRecord(u) ? u : undefined;
}

/** LazySpan.inputsField for inputs held the same way. */
export function payloadFieldIn(text: string | undefined, key: string, decoded: () => unknown): unknown {
  return fieldOf(text, [key], decoded);
}

/** The first of `keys` (in order, skipping null) at the top level of a payload: from its text
 *  while it is pending and scannable, else from the decoded value. */
function fieldOf(text: string | undefined, keys: string[], decoded: () => unknown): unknown {
  const fields = text === undefined ? undefined : topLevelFields(text, keys);
  const at = (k: string): unknown => {
    if (fields) return fields.get(k);
    const v = decoded();
    return isRecord(v) ? v[k] : undefined;
  };
  let out: unknown;
  for (const k of keys) if ((out = at(k)) !== undefined && out !== null) return out;
  return out;
}

/** A span's attributes without decoding its pending inputs and outputs (see LazySpan). */
export function shallowAttributes(s: Span): Record<string, unknown> {
  return s instanceof LazySpan ? s.shallowAttributes : s.attributes;
}
