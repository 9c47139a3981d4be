// The Node preload's part of issue 15: media kept in spans up to a bounded size per part and per
// trace (the rest as metadata, the app's objects untouched), each chat's turns tagged with the
// chat's id, and the endpoint each call went to recorded for replays. The pure bounding, then a
// real app's traces (test/helpers/mediaTraces.ts: the real preload, the stand-in, a real MLflow).
import assert from 'node:assert/strict';
import { boundMedia, newBudget, PART_LIMIT, TRACE_LIMIT } from '../../src/inject/node/media';
import { readModelCall } from '../../src/model/adapters/read';
import { spanCalls } from '../../src/model/adapters/spanCalls';
import { GEMINI_ATTR, GEMINI_TAG, MEDIA_ELIDED } from '../../src/model/runTags';
import { mediaTraces } from '../helpers/mediaTraces';

const b64 = (bytes: number) => Buffer.alloc(bytes, 1).toString('base64');

describe('Node preload: media bounded per part and per trace', function () {
  this.timeout(300_000);

  it('keeps small blobs as they are, reduces big ones to metadata, and never touches the app\'s objects', () => {
    const small = { inlineData: { mimeType: 'image/png', data: b64(100) } };
    const big = { inline_data: { mime_type: 'video/mp4', data: b64(PART_LIMIT + 3), display_name: 'clip' } };
    const request = { model: 'm', contents: [{ role: 'user', parts: [{ text: 'hi' }, small, big] }], config: { embedding: [1, 2, 3] } };
    const frozen = JSON.stringify(request);
    const budget = newBudget();
    const out = boundMedia(request, budget) as typeof request;
    assert.equal(JSON.stringify(request), frozen, 'the app\'s request is unchanged');
    assert.notEqual(out, request);
    assert.equal(out.contents[0].parts[1], small, 'a kept blob is the same object');
    assert.deepEqual(out.contents[0].parts[2], { inline_data: { mime_type: 'video/mp4', display_name: 'clip', [MEDIA_ELIDED.bytes]: PART_LIMIT + 3, [MEDIA_ELIDED.reason]: `over the ${PART_LIMIT / 1024 / 1024} MB per-part limit` } });
    assert.equal(budget.left, TRACE_LIMIT - 100);
    const plain = { a: [{ b: 'c' }] };
    assert.equal(boundMedia(plain, newBudget()), plain, 'no blob: no copy');
  });

  it('stops keeping bytes once the trace has spent its budget, in call order', () => {
    const budget = newBudget();
    budget.left = 150;
    const parts = [0, 1].map(() => ({ inlineData: { mimeType: 'image/png', data: b64(100) } }));
    const out = boundMedia(parts, budget) as Record<string, Record<string, unknown>>[];
    assert.equal(out[0], parts[0]);
    assert.match(String(out[1].inlineData[MEDIA_ELIDED.reason]), /per-trace limit/);
  });

  it('records a real app\'s calls: the big image as metadata, chats tagged apart, the endpoint for replays', async () => {
    const m = await mediaTraces();
    const big = spanCalls(m.traces.big)[0].call.request[0].parts[1];
    assert.equal(big.kind, 'media');
    assert.ok(big.kind === 'media' && big.elided && !big.data && big.bytes === m.imageIn.length + 3 * 1024 * 1024);
    const small = spanCalls(m.traces.image)[0].call.request[0].parts[1];
    assert.ok(small.kind === 'media' && small.data && small.bytes === m.imageIn.length, 'a small image is kept whole');
    const chatOf = (k: 'chatA1' | 'chatA2' | 'chatB1' | 'chatB2') => m.traces[k].summary.tags[GEMINI_TAG.chat];
    assert.equal(chatOf('chatA1'), chatOf('chatA2'));
    assert.equal(chatOf('chatB1'), chatOf('chatB2'));
    assert.notEqual(chatOf('chatA1'), chatOf('chatB1'));
    assert.match(chatOf('chatA1'), /^chat-\d+$/);
    assert.equal(m.traces.grounded.summary.tags[GEMINI_TAG.chat], undefined, 'a plain call belongs to no chat');
    const span = m.traces.grounded.spans[0];
    assert.equal(span.attributes[GEMINI_ATTR.baseUrl], m.standinUrl);
    assert.equal(span.attributes[GEMINI_ATTR.apiVersion], m.apiVersion, 'the version the SDK really called');
    assert.match(m.apiVersion, /^v1/);
    assert.ok(readModelCall(span));
  });
});
