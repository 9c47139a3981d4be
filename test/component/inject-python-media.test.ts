// The Python tracer's part of issue 15, as the Node preload does it (inject-node-media.test.ts):
// media kept in spans up to a bounded size per part and per trace, the rest as metadata in the
// contract's keys, the app's objects untouched, kept media past the attribute size cap; then the
// media app's Python twin (test/fixtures/apps/media/app.py) traced into a real MLflow through the
// stand-in and held to the Node app's assertions (test/helpers/mediaTraces.ts assertMediaApp).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MEDIA_ELIDED } from '../../src/shared/runTags';
import { shimDir } from '../fixtures/apps/faults/harness';
import { assertMediaApp, mediaTraces } from '../helpers/mediaTraces';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON from the Python side */
type Any = any;

const projectPython = join(__dirname, '..', '..', '.venv', 'bin', 'python');
const MB = 1024 * 1024;

/** Runs Python code with the tracer's package importable (and nothing else of the environment); its stdout as JSON. */
function py(code: string, env: NodeJS.ProcessEnv = {}): Any {
  const r = spawnSync(projectPython, ['-c', code], { env: { PATH: process.env.PATH, PYTHONPATH: shimDir(), ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const HEAD = `
import base64, json
from _gemini_trace import shapes
from _gemini_trace.media_budget import Budget, PART_LIMIT, TRACE_LIMIT, bound
b64 = lambda n: base64.b64encode(b"\\1" * n).decode()
`;

describe('Python tracer: media bounded per part and per trace', function () {
  this.timeout(300_000);

  it('keeps small blobs as they are, reduces big ones to metadata, and never touches the app\'s objects', () => {
    const out = py(`${HEAD}
small = {"inlineData": {"mimeType": "image/png", "data": b64(100)}}
big = {"inline_data": {"mime_type": "video/mp4", "data": b64(PART_LIMIT + 3), "display_name": "clip"}}
request = {"model": "m", "contents": [{"role": "user", "parts": [{"text": "hi"}, small, big]}], "config": {"embedding": [1, 2, 3]}}
frozen = json.dumps(request)
budget = Budget()
got = bound(request, budget)
plain = {"a": [{"b": "c"}], "url": {"mimeType": "image/png", "data": "https://x.test/a.png"}, "att": {"mime_type": "image/png", "data": "mlflow-attachment://x"}}
print(json.dumps({"unchanged": json.dumps(request) == frozen, "copied": got is not request, "sameSmall": got["contents"][0]["parts"][1] is small,
  "big": got["contents"][0]["parts"][2], "left": budget.left, "trace": TRACE_LIMIT, "part": PART_LIMIT, "kept": budget.kept,
  "noCopy": bound(plain, Budget()) is plain}))`);
    assert.equal(out.unchanged, true, 'the app\'s request is unchanged');
    assert.equal(out.copied, true);
    assert.equal(out.sameSmall, true, 'a kept blob is the same object');
    assert.deepEqual([out.part, out.trace], [2 * MB, 16 * MB], 'the Node preload\'s defaults');
    assert.deepEqual(out.big, { inline_data: { mime_type: 'video/mp4', display_name: 'clip', [MEDIA_ELIDED.bytes]: 2 * MB + 3, [MEDIA_ELIDED.reason]: 'over the 2 MB per-part limit' } });
    assert.equal(out.left, 16 * MB - 100);
    assert.equal(out.kept, Buffer.alloc(100).toString('base64').length, 'base64 characters kept, the allowance past the cap');
    assert.equal(out.noCopy, true, 'no blob (an http(s) or attachment reference is none): no copy');
  });

  it('stops keeping bytes once the trace has spent its budget, in call order', () => {
    const out = py(`${HEAD}
budget = Budget()
budget.left = 150
parts = [{"inlineData": {"mimeType": "image/png", "data": b64(100)}} for _ in range(2)]
got = bound(parts, budget)
print(json.dumps({"first": got[0] is parts[0], "second": got[1]}))`);
    assert.equal(out.first, true);
    assert.deepEqual(out.second, { inlineData: { mimeType: 'image/png', [MEDIA_ELIDED.bytes]: 100, [MEDIA_ELIDED.reason]: 'over the 16 MB per-trace limit for media' } });
  });

  it('reads its limits as the Node preload reads them, and words them as it does', () => {
    const values = ['1048576', ' 1.5e6 ', '0', '', '0x100000', '-1', 'abc', '1e400', 'Infinity', '3.25'];
    const fallback = 2 * MB;
    const node = (s: string) => {
      const v = Number(s);
      return Number.isFinite(v) && v >= 0 ? v : fallback;
    };
    const mb = (n: number) => `${+(n / 1024 / 1024).toFixed(1)} MB`;
    for (const value of values) {
      const out = py(`${HEAD}
from _gemini_trace import media_budget
got = bound({"mimeType": "image/png", "data": b64(2_000_000)}, Budget())
print(json.dumps({"part": PART_LIMIT, "reason": got.get("gemini_trace_elided")}))`, { GEMINI_TRACE_MEDIA_PART_BYTES: value });
      assert.equal(out.part, node(value), `GEMINI_TRACE_MEDIA_PART_BYTES="${value}"`);
      assert.equal(out.reason ?? null, node(value) < 2_000_000 ? `over the ${mb(node(value))} per-part limit` : null, `the reason for "${value}"`);
    }
  });

  it('keeps kept media past the attribute size cap that turns anything else into a preview', () => {
    const out = py(`${HEAD}
budget = Budget()
image = {"contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": b64(1_500_000)}}]}]}
text = {"contents": [{"parts": [{"text": "x" * 2_000_000}]}]}
kept = shapes.to_json(bound(image, budget), budget.kept)
print(json.dumps({"kept": len(kept), "whole": json.loads(kept) == image, "text": json.loads(shapes.to_json(bound(text, Budget()), 0)).get("truncated")}))`);
    assert.ok(out.kept > 1_000_000 && out.whole, `a 1.5 MB image is recorded whole (${out.kept} characters)`);
    assert.equal(out.text, true, 'a 2 MB text is still cut to a preview');
  });

  it('shares one budget among the spans of a trace, in the order they record; a new trace starts afresh', () => {
    const out = py(`${HEAD}
from _gemini_trace import calls
from _gemini_trace.config import read_config
ended = []
calls.setup(read_config(), lambda *a: None, None)
calls.Runtime.sink = ended.append
blob = lambda: {"inlineData": {"mimeType": "image/png", "data": b64(2000)}}
root = calls.Call.start("root", "CHAIN", {"parts": [blob()]})
child = calls.Call.start("child", "LLM", {"parts": []}, parent=root.frame)
child.succeed({"parts": [blob()]})
root.succeed(None)
other = calls.Call.start("other", "CHAIN", {"parts": [blob()]})
other.succeed(None)
def reason(span, key):
    part = json.loads(span.attributes[key])["parts"][0]["inlineData"]
    return part.get("gemini_trace_elided", "kept")
by = {s.name: s for s in ended}
print(json.dumps([reason(by["root"], "mlflow.spanInputs"), reason(by["child"], "mlflow.spanOutputs"), reason(by["other"], "mlflow.spanInputs")]))`, { GEMINI_TRACE_MEDIA_TRACE_BYTES: '3000', MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' });
    assert.deepEqual(out, ['kept', 'over the 0 MB per-trace limit for media', 'kept']);
  });

  it('records the media app\'s Python twin as the Node app is recorded: big image as metadata, chats apart, the endpoint', async () => {
    assertMediaApp(await mediaTraces('python'));
  });
});
