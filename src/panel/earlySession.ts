// Details, whole values, media and search for a large trace whose table the page has drawn from
// its raw span list (directTable.ts), before the trace is normalised. Normalising 100,000 spans
// takes 0.6–0.8 s after the table is drawn (1.8 s for 300,000), and it runs only once the page has
// drawn the table, as host work while the table crosses to the page delays it about one for one
// (panelHost.ts). Until then each span a request needs is read alone from the raw list, the way
// normalising reads it (readSpan): directTable.ts reads only traces whose every span reads the
// same alone, with every parent present and no loop, so a span read here is the normalised one
// but for its links to other spans, which no answer reads. Each span is read once: normalising,
// which runs meanwhile, takes a span read here (the trace store's SpanReader), and once the
// trace's session has taken over this table, a span not read yet is the session's own.
//
// The one answer that needs the whole trace: a model call that resends the model's earlier answers
// is warned about dropped thought signatures from the calls before it. Its details wait for the
// trace's session. Pure: no vscode.
import { readModelCall } from '../model/adapters/read';
import type { SpanReader } from '../model/earlySpans';
import type { Span, SpanSource } from '../model/types';
import { runSliced } from '../shared/steps';
import type { MediaResult, Requests, ValueRef } from '../contract/protocol';
import { fullValueText, spanDetails } from './details';
import type { DirectTable } from './directTable';
import { presentPart, type AttachmentFetch } from './mediaSource';
import { Haystacks, searchSteps, type SearchOptions, type SearchResult } from './search';
import { resendsAnswers, type TraceSession } from './session';

export class EarlySession {
  private readonly spans: (Span | undefined)[] = [];
  /** The trace's session, once it has adopted this table (its rows are these rows). */
  private session: TraceSession | undefined;
  private readonly haystacks = new Haystacks((i) => this.spanAt(i));
  /** A span's values by id, as details.ts and mediaSource.ts find them in a Trace. */
  readonly source: SpanSource;

  /** `list`: the trace's raw spans, `direct` the table drawn from them, `reader` reads a raw span;
   *  `whole` resolves to the trace's session once it is read (undefined if the read failed or the
   *  panel closed). */
  constructor(
    private readonly list: readonly unknown[],
    private readonly direct: DirectTable,
    private readonly reader: SpanReader,
    private readonly whole: () => Promise<TraceSession | undefined>,
  ) {
    this.source = { summary: direct.trace.summary, byId: { get: (id) => this.spanOf(id) } };
  }

  /** The trace's session is here: where it adopted this table, a span not read yet is its own. */
  handOver(session: TraceSession): void {
    if (session.table === this.direct.table) this.session = session;
  }

  /** The span on row `k`, read from the raw list on first use. */
  private spanAt(k: number): Span {
    let s = this.spans[k] ?? this.session?.order[k];
    if (!s) {
      const i = this.direct.payloadIndex[k];
      // Never undefined: the direct table read every span cleanly, alone.
      s = this.reader.read(i, this.list[i]);
      if (!s) throw new Error(`Span #${i} of this trace could not be read.`);
      this.spans[k] = s;
    }
    return s;
  }

  private spanOf(id: string): Span | undefined {
    // A scan of the ids (~0.3 ms at 300,000 spans) rather than a map built for every span.
    const k = this.direct.table.ids.indexOf(id);
    return k < 0 ? undefined : this.spanAt(k);
  }

  async details(spanId: string): Promise<Requests['spanDetails']['result']> {
    const k = this.direct.table.ids.indexOf(spanId);
    if (k < 0) throw new Error(`Span ${spanId} is not in trace ${this.direct.trace.summary.id}.`);
    const span = this.spanAt(k);
    const call = readModelCall(span);
    if (!resendsAnswers(call)) return spanDetails(this.direct.trace, span, k, undefined, call);
    const session = await this.whole();
    if (!session) throw new Error('The trace could not be read whole, which this model call\'s details need.');
    return session.details(spanId);
  }

  fullValue(ref: ValueRef): string {
    return fullValueText(this.source, ref);
  }

  media(ref: ValueRef, attachments?: AttachmentFetch, signal?: AbortSignal): Promise<MediaResult> {
    return presentPart(this.source, ref, attachments, signal);
  }

  searchSliced(query: string, o?: SearchOptions): Promise<SearchResult> {
    return runSliced(
      searchSteps(query, this.direct.table, (i) => this.spanAt(i), this.haystacks, o?.onMatch),
      o,
    );
  }
}
