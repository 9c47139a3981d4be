// The answers to a trace panel's page (src/panel/panelAnswers.ts): replies from whatever holds the
// trace, details offered unasked only for the revision they were read for, and the search text
// built in idle time, stopped when the trace is read again.
import assert from 'node:assert/strict';
import type { HostToWebview, RequestMessage } from '../../src/contract/protocol';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { PanelAnswers, type Answering } from '../../src/panel/panelAnswers';
import { TraceSession } from '../../src/panel/session';
import { generateTrace } from '../../bench/gen-trace.mjs';

function session(spans: number): TraceSession {
  const g = generateTrace({ spans, encoding: 'python', seed: 9 });
  const t = normalizeTrace({ info: g.info, spans: g.spansJson });
  assert.ok(!isTraceError(t));
  return new TraceSession(t);
}

function answers(source: () => Answering | undefined, revision = () => 1) {
  const posted: HostToWebview[] = [];
  const answered: string[] = [];
  const a = new PanelAnswers({ source, revision, closed: new AbortController().signal, attachments: () => Promise.reject(new Error('none')), post: (m) => posted.push(m), answered: (m) => answered.push(m) });
  return { a, posted, answered };
}

const request = (id: number, method: RequestMessage['method'], params: unknown) => ({ kind: 'request', id, method, params }) as RequestMessage;

describe('panel answers', function () {
  this.timeout(60_000);

  it('answers from what holds the trace, and says when nothing does yet', async () => {
    let s: TraceSession | undefined = undefined;
    const { a, posted, answered } = answers(() => s);
    await a.answer(request(1, 'spanDetails', { spanId: 'x' }));
    assert.deepEqual(posted.pop(), { kind: 'reply', id: 1, ok: false, error: 'The trace is still loading.' });
    s = session(200);
    const id = s.table.ids[3];
    await a.answer(request(2, 'spanDetails', { spanId: id }));
    const reply = posted.pop() as Extract<HostToWebview, { kind: 'reply' }>;
    assert.equal(reply.ok, true);
    assert.deepEqual(reply.ok && reply.result, s.details(id));
    await a.answer(request(3, 'search', { query: 'type:TOOL' }));
    assert.deepEqual((posted.pop() as { result: unknown }).result, s.search('type:TOOL'));
    assert.deepEqual(answered, ['spanDetails', 'search']);
  });

  it('offers details for the revision they were read for only', async () => {
    const s = session(200);
    let revision = 4;
    const { a, posted } = answers(() => s, () => revision);
    await a.offerDetails(s.table.ids[0], 4);
    assert.deepEqual(posted.pop(), { kind: 'notification', method: 'spanDetails', params: { spanId: s.table.ids[0], revision: 4, details: s.details(s.table.ids[0]) } });
    revision = 5;
    await a.offerDetails(s.table.ids[0], 4);
    await a.offerDetails('not-a-span', 5);
    assert.equal(posted.length, 0);
  });

  it('builds the search text in idle time, and stops when asked', async () => {
    const s = session(20_000);
    const { a } = answers(() => s);
    assert.equal(typeof (await a.warm(s)), 'number');
    const again = a.warm(session(20_000));
    a.stopWarming();
    assert.equal(await again, undefined);
  });
});
