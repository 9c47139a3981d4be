// The Node preload's part of issue 15: media kept in spans up to a bounded size per part and per
// trace (the rest as metadata, the app's objects untouched), each chat's turns tagged with the
// chat's id, and the endpoint each call went to recorded for replays: a real app's traces
// (test/helpers/mediaTraces.ts: the real preload, the stand-in, a real MLflow), held to the
// assertions the Python tracer's twin app meets (inject-python-media.test.ts). The pure bounding
// is test/unit/inject-node-media-bounds.test.ts.
import { assertMediaApp, mediaTraces } from '../helpers/mediaTraces';

describe('Node preload: media, chats and endpoints in a real app\'s traces', function () {
  this.timeout(300_000);

  it('records a real app\'s calls: the big image as metadata, chats tagged apart, the endpoint for replays', async () => {
    assertMediaApp(await mediaTraces('node'));
  });
});
