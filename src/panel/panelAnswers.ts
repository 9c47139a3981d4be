// What a trace panel's page asks of its host, answered: span details, whole values, media and
// search, from whatever holds the trace at that moment (its session once it is read; before that,
// for a large trace, the raw spans of its whole table or the top of its tree: beforeRead.ts). Also
// the two ways those answers come sooner: the opening span's details posted unasked right after a
// table's first piece, and a read trace's search text built in idle time. Pure: no vscode; the
// panel (panelHost.ts) says what answers and posts the messages.
import type { HostToWebview, MediaResult, Notifications, RequestMessage, SpanDetails, ValueRef } from '../contract/protocol';
import { errorMessage } from '../shared/errors';
import type { AttachmentFetch } from './mediaSource';
import { SearchRunner, type Searchable } from './searchRunner';
import type { TraceSession } from './session';

/** Longest slice of building the search text ahead of a search (idle work: the editor comes first). */
const WARM_SLICE_MS = 10;

/** A read trace's session, or what answers for it before it is read (earlySession.ts). */
export interface Answering extends Searchable {
  details(spanId: string): SpanDetails | Promise<SpanDetails>;
  fullValue(ref: ValueRef): string;
  media(ref: ValueRef, attachments?: AttachmentFetch, signal?: AbortSignal): Promise<MediaResult>;
}

export interface AnswersHost {
  /** What answers now; undefined while nothing of the trace is read. */
  source(): Answering | undefined;
  /** The panel's revision now: details offered for an older one are not posted. */
  revision(): number;
  /** Aborted when the panel closes. */
  readonly closed: AbortSignal;
  readonly attachments: AttachmentFetch;
  post(m: HostToWebview): void;
  /** A request was answered (the test API's probe). */
  answered(method: RequestMessage['method']): void;
}

export class PanelAnswers {
  readonly searches: SearchRunner;
  /** Stops the search text being built (warm). */
  private warming: AbortController | undefined;

  constructor(private readonly host: AnswersHost) {
    this.searches = new SearchRunner(host.closed, (query, fraction, found) => this.notify('searchProgress', { query, fraction, found }));
  }

  async answer(m: RequestMessage): Promise<void> {
    let reply: HostToWebview;
    try {
      const s = this.host.source();
      if (!s) throw new Error('The trace is still loading.');
      let result: unknown;
      if (m.method === 'spanDetails') result = await s.details(m.params.spanId);
      else if (m.method === 'fullValue') result = s.fullValue(m.params.ref);
      else if (m.method === 'media') result = await s.media(m.params.ref, this.host.attachments, this.host.closed);
      else if (m.method === 'search') result = await this.searches.run(s, String(m.params.query ?? ''));
      else throw new Error(`Unknown request ${String((m as { method: unknown }).method)}`);
      reply = { kind: 'reply', id: m.id, ok: true, result };
      this.host.answered(m.method);
    } catch (e) {
      reply = { kind: 'reply', id: m.id, ok: false, error: errorMessage(e) };
    }
    this.host.post(reply);
  }

  /** Posts the details of the span the page is about to select, right after the table's first
   *  piece: asked for by the page when that piece arrives, they came after the rest of the table
   *  (VS Code carries messages in order), 0.09–0.21 s after the first rows of 10,000 spans. */
  async offerDetails(spanId: string | undefined, revision: number): Promise<void> {
    const s = this.host.source();
    if (!s || !spanId) return;
    try {
      const details = await s.details(spanId);
      if (revision === this.host.revision()) this.notify('spanDetails', { spanId, revision, details });
    } catch {
      /* the page asks for them, and hears why they cannot be read */
    }
  }

  /** Builds a read trace's search text in short slices that give way to a running search
   *  (search.ts warmSteps), so that a first search asked after that reads kept text; resolves
   *  with the milliseconds it took, or undefined if it was stopped. */
  async warm(session: TraceSession): Promise<number | undefined> {
    this.stopWarming();
    const stop = new AbortController();
    this.warming = stop;
    const t0 = Date.now();
    try {
      await session.warmSearch({ signal: AbortSignal.any([this.host.closed, stop.signal]), sliceMs: WARM_SLICE_MS, yieldTo: () => this.searches.busy() });
      return Date.now() - t0;
    } catch {
      return undefined; // the panel closed, or read the trace again
    }
  }

  /** The session being warmed no longer needs its search text. */
  stopWarming(): void {
    this.warming?.abort();
  }

  private notify<K extends keyof Notifications>(method: K, params: Notifications[K]): void {
    this.host.post({ kind: 'notification', method, params } as HostToWebview);
  }
}
