// The Node preload's media bounds, pure: media kept in spans up to a bounded size per
// part and per trace, the rest as metadata, the app's objects untouched. A real app's traces are
// test/component/inject-node-media.test.ts.
import assert from 'node:assert/strict';
import { boundMedia, newBudget, PART_LIMIT, TRACE_LIMIT } from '../../src/inject/node/media';
import { MEDIA_ELIDED } from '../../src/shared/runTags';

const b64 = (bytes: number) => Buffer.alloc(bytes, 1).toString('base64');

describe('Node preload: media bounded per part and per trace', () => {
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
});
