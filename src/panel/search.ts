// The panel's search over one trace's span table, for a session over the normalised trace and for
// a large trace's spans read one at a time before it is (earlySession.ts): both give the same
// answer, as both read each span's text the same way. Pure: no vscode.
import { readModelCall } from '../model/adapters/read';
import type { Span } from '../model/types';
import { INPUTS_ATTR, LazySpan, OUTPUTS_ATTR } from '../model/lazySpan';
import { pauseHere, type SliceOptions, type Steps } from '../shared/steps';
import type { Requests } from '../contract/protocol';
import type { SpanTable } from '../contract/spanTable';
import { safeStringify } from './clip';

const MAX_MATCHES = 20_000;
/** Characters of searchable text kept in memory across all spans of one trace. */
const HAYSTACK_BUDGET = 32_000_000;
const HAYSTACK_PER_SPAN = 256_000;

export type SearchResult = Requests['search']['result'];

export interface SearchOptions extends SliceOptions {
  /** Hears each match as it is found, in row order: the page shows the first ones while the
   *  search goes on (a first search of 100,000 spans takes about a second). */
  onMatch?: (i: number) => void;
}

/** Each row's searchable text, built on a search's first look and kept up to HAYSTACK_BUDGET. */
export class Haystacks {
  private texts: (string | undefined)[] = [];
  private chars = 0;
  /** A text did not fit the budget: later ones are built per query, not kept. */
  private spilled = false;

  /** `spanAt`: the span on row `i` of the table. */
  constructor(private readonly spanAt: (i: number) => Span) {}

  at(i: number): string {
    const cached = this.texts[i];
    if (cached !== undefined) return cached;
    const s = this.spanAt(i);
    // A model call's own text first (what the Chat tab shows, whatever its wire format), then the
    // attributes (which hold the span's inputs and outputs too, so they are not added twice); the
    // attributes read before the call, whose reading decodes a pending payload.
    const attrs = attributesText(s);
    const call = readModelCall(s);
    const said = call ? `${call.promptText}\n${call.responseText}\n${call.thinking}\n` : '';
    const text = `${said}${attrs}\n${s.statusMessage ?? ''}`
      .slice(0, HAYSTACK_PER_SPAN)
      .toLowerCase();
    // Past the budget, text is rebuilt per query rather than held: memory stays flat.
    if (this.chars + text.length <= HAYSTACK_BUDGET) {
      this.texts[i] = text;
      this.chars += text.length;
    } else this.spilled = true;
    return text;
  }

  /** Lets go of the text kept. */
  drop(): void {
    this.texts = [];
    this.chars = 0;
    this.spilled = false;
  }

  /** The budget is spent: building more text ahead of a search keeps none of it. */
  get full(): boolean {
    return this.spilled;
  }
}

/** A span's attributes as text. A payload still pending (Python's inputs and outputs arrive as
 *  JSON text, LazySpan) goes in as that text: decoding it only to encode it again was a third of a
 *  first search, and most spans are not model calls, whose reading decodes them anyway. The text
 *  differs from the value encoded again in spacing, number format and escapes (MLflow writes
 *  non-ASCII text plain; a model call's own text, above, is plain whoever wrote it). */
function attributesText(s: Span): string {
  if (!(s instanceof LazySpan) || (s.pendingInputs === undefined && s.pendingOutputs === undefined)) return jsonText(s.attributes);
  const shallow = s.shallowAttributes;
  // A payload's key holds undefined until the attributes are settled, decoded or not.
  const payload = (key: string, pending: string | undefined, decoded: () => unknown): string =>
    key in shallow && shallow[key] === undefined ? `\n${pending ?? jsonText(decoded())}` : '';
  return `${jsonText(shallow)}${payload(INPUTS_ATTR, s.pendingInputs, () => s.inputs)}${payload(OUTPUTS_ATTR, s.pendingOutputs, () => s.outputs)}`;
}

/** JSON text of decoded attributes: JSON.stringify alone (1.4× faster than safeStringify, whose
 *  replacer is a call per value), and safeStringify where it throws (a BigInt, a cycle). */
function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return safeStringify(v);
  }
}

/**
 * The rows that match. Query words must all match. `type:`, `name:`, `model:` and `status:` narrow
 * a word to that field; a bare word matches the name, type, model, or the span's inputs, outputs
 * and attributes. As steps: the first search of a trace decodes every span's payload it looks into
 * (about half a second for 100,000 spans), which must not block the extension host.
 */
export function* searchSteps(query: string, t: SpanTable, spanAt: (i: number) => Span, haystacks: Haystacks, onMatch?: (i: number) => void): Steps<SearchResult> {
  const terms = parseQuery(query);
  if (!terms.length) return { indices: [], truncated: false };
  const indices: number[] = [];
  for (let i = 0; i < t.n; i++) {
    if (pauseHere(i, 128)) yield i / t.n;
    let all = true;
    for (const { field, word } of terms) {
      const name = t.names[i].toLowerCase();
      const type = t.types[t.kind[i]].toLowerCase();
      const model = t.model[i] >= 0 ? t.models[t.model[i]].toLowerCase() : '';
      let hit: boolean;
      if (field === 'name') hit = name.includes(word);
      else if (field === 'type') hit = type.includes(word);
      else if (field === 'model') hit = model.includes(word);
      else if (field === 'status') hit = spanAt(i).status.toLowerCase().startsWith(word);
      else hit = name.includes(word) || type.includes(word) || model.includes(word) || haystacks.at(i).includes(word);
      if (!hit) {
        all = false;
        break;
      }
    }
    if (all) {
      indices.push(i);
      onMatch?.(i);
      if (indices.length >= MAX_MATCHES) return { indices, truncated: true };
    }
  }
  return { indices, truncated: false };
}

/** Builds the rows' searchable text ahead of a search, in table order, until the budget is full:
 *  the panel runs it once a read trace is idle, so that a first search reads kept text (a first
 *  search of 100,000 spans builds it in about a second; reading kept text takes a fifth of that). */
export function* warmSteps(n: number, haystacks: Haystacks): Steps<void> {
  for (let i = 0; i < n && !haystacks.full; i++) {
    haystacks.at(i);
    if (pauseHere(i, 64)) yield i / n;
  }
}

export function parseQuery(query: string): { field: 'name' | 'type' | 'model' | 'status' | 'any'; word: string }[] {
  const out: { field: 'name' | 'type' | 'model' | 'status' | 'any'; word: string }[] = [];
  // Quoted phrases stay whole: "tool error" matches those two words together.
  for (const m of query.matchAll(/(?:(name|type|model|status):)?(?:"([^"]*)"|(\S+))/gi)) {
    const word = (m[2] ?? m[3] ?? '').toLowerCase();
    if (!word) continue;
    out.push({ field: (m[1]?.toLowerCase() as 'name' | 'type' | 'model' | 'status' | undefined) ?? 'any', word });
  }
  return out;
}
