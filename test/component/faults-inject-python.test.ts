// Faults inside a process traced by the Python tracer (injected as src/launch/env.ts does), real
// google-genai in a venv without mlflow (.venvs/genai) against the Gemini stand-in, and a real
// MLflow of this file's own that the tests kill and restart on the same port (at the network: a
// relay in front of it stops and starts listening), or put behind a proxy that answers 5 s late,
// or 500, or 413 (the bed: test/fixtures/faults/injectBed.ts; the Node preload's side is
// faults-inject-node.test.ts). In every case the app's stdout and exit code are unchanged, at most
// one warning line appears, and exit is within 2 s of the untraced run.
//   - MLflow down at start, or killed mid-run and restarted: the spans held meanwhile arrive once
//     it is back, each once; those still held at exit go to a sender process that delivers them.
//   - MLflow slow (5 s): the app is not slowed.
//   - MLflow answering 500 to uploads for a while: held, then delivered; 413 (a body limit in front
//     of it): batches are halved until they fit, a span too large alone is dropped with one note.
//   - Gemini failing (429, 500, a reset mid-stream): ERROR spans with the status, and the app sees
//     exactly the error it sees untraced.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDelayProxy } from '../fixtures/faults/servers';
import { assertOneModelSpanEach, drivenPy, drivenStdout, exceptionType, marker, useFaultsBed, warnings } from '../fixtures/faults/injectBed';
import { App, attr, faultApps, plainEnv, runToEnd, spansOf, tracesByMarker, tracesOf, waitFor } from '../fixtures/apps/faults/harness';
import type { Json } from '../fixtures/apps/faults/harness';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';

describe('Injection under faults: MLflow down, killed, slow, 500, 413; Gemini failing (Python)', function () {
  this.timeout(600_000);
  const bed = useFaultsBed();
  let python = '';
  before(async () => {
    const { ensureAppVenv } = await import('../../scripts/lib/python.mjs');
    python = ensureAppVenv('genai');
  });
  const W = '[gemini-trace]';

  it('MLflow down at start: stdout unchanged, one warning, and the held traces arrive once it is up', async () => {
    const experiment = uniqueName('faults-py-down-at-start');
    await bed.killable.kill();
    const app = new App(python, [drivenPy], bed.pyEnv(bed.killable.url, experiment));
    const early = ['pydown1', 'pydown2', 'pydown3'];
    for (const l of early) {
      await app.call(l, 60_000);
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor('the warning', async () => (app.stderr.includes(W) ? true : undefined), 10_000);
    await bed.killable.restart();
    const t0 = Date.now();
    const held = await tracesByMarker(bed.killable.url, experiment, early, marker, 30_000);
    const arrivedIn = Date.now() - t0;
    await app.call('pyup1');
    const all = await tracesByMarker(bed.killable.url, experiment, [...early, 'pyup1'], marker, 15_000);
    const res = await app.end();
    const plain = await bed.untraced(python, drivenPy, [...early, 'pyup1']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
    assert.equal(res.stdout, drivenStdout([...early, 'pyup1']));
    const w = warnings(res.stderr, W);
    assert.equal(w.length, 1, res.stderr);
    assert.equal(res.stderr.trim(), w[0], 'nothing else on stderr');
    assert.match(w[0], /refused the connection — start it with .* held in memory \(at most 2048 spans\) and sent when it answers while this process runs\.$/);
    assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
    assert.equal(held.size, 3);
    await assertOneModelSpanEach(bed.killable.url, all, drivenPy, '@call:driven', 'Models.generateContent');
    await new Promise((r) => setTimeout(r, 1500)); // a duplicate would have arrived by now
    assert.equal((await tracesOf(bed.killable.url, experiment)).length, 4, 'no trace twice');
    console.log(`      the 3 held Python traces were readable ${arrivedIn} ms after MLflow was back`);
  });

  it('MLflow killed mid-run and restarted: held traces arrive once; killed again, exit within 2 s and the last trace arrives later', async () => {
    const experiment = uniqueName('faults-py-killed');
    const app = new App(python, [drivenPy], bed.pyEnv(bed.killable.url, experiment));
    const before = ['pybefore1', 'pybefore2'];
    for (const l of before) await app.call(l, 60_000);
    await tracesByMarker(bed.killable.url, experiment, before, marker, 30_000);

    await bed.killable.kill();
    const during = ['pyduring1', 'pyduring2', 'pyduring3'];
    const callMs: number[] = [];
    for (const l of during) {
      const t = performance.now();
      await app.call(l);
      callMs.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 400));
    }
    await bed.killable.restart();
    const t0 = Date.now();
    await tracesByMarker(bed.killable.url, experiment, [...before, ...during], marker, 30_000);
    const arrivedIn = Date.now() - t0;
    await app.call('pyafter1');
    await tracesByMarker(bed.killable.url, experiment, [...before, ...during, 'pyafter1'], marker, 15_000);

    await bed.killable.kill();
    await app.call('pylast1');
    await new Promise((r) => setTimeout(r, 500));
    const res = await app.end();
    const lines = [...before, ...during, 'pyafter1', 'pylast1'];
    const plain = await bed.untraced(python, drivenPy, lines);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
    assert.ok(callMs.every((ms) => ms < plain.ms), `calls while MLflow was down took ${callMs.map(Math.round).join(', ')} ms`);
    assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
    assert.equal(warnings(res.stderr, W).length, 1, res.stderr);
    console.log(`      the held Python traces were readable ${arrivedIn} ms after MLflow was back; exit while down ${Math.round(res.exitDelayMs)} ms after stdin closed (untraced ${Math.round(plain.exitDelayMs)} ms)`);

    // The span held at exit went to a sender process, which keeps trying until MLflow is back.
    await bed.killable.restart();
    const withLast = await tracesByMarker(bed.killable.url, experiment, lines, marker, 60_000);
    await assertOneModelSpanEach(bed.killable.url, withLast, drivenPy, '@call:driven', 'Models.generateContent');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await tracesOf(bed.killable.url, experiment)).length, lines.length, 'each trace once');
  });

  it('MLflow answering 5 s late: calls are not slowed, exit within 2 s, every trace arrives', async () => {
    const proxy = await startDelayProxy(await mlflowUrl(), 5000);
    try {
      const experiment = uniqueName('faults-py-slow');
      const lines = ['pyslow1', 'pyslow2', 'pyslow3', 'pyslow4'];
      // The first call includes Python's start-up (the tracer's imports too), which load on a
      // shared machine stretches (traced +1.5 s once in a rehearsal); the rest is the calls alone.
      // A call that waited for this server would take 5 s longer either way.
      const measure = async (env: NodeJS.ProcessEnv) => {
        const app = new App(python, [drivenPy], env);
        const t = performance.now();
        await app.call(lines[0], 60_000);
        const first = performance.now() - t;
        for (const l of lines.slice(1)) await app.call(l, 60_000);
        return { first, rest: performance.now() - t - first, res: await app.end() };
      };
      const plain = await measure(plainEnv(bed.standin.url));
      const slow = await measure(bed.pyEnv(proxy.url, experiment));
      assert.equal(slow.res.code, 0, slow.res.stderr);
      assert.equal(slow.res.stdout, plain.res.stdout);
      assert.equal(slow.res.stderr, '', 'a slow server is not an error');
      console.log(`      start-up and the first call ${Math.round(slow.first)} ms (5 s MLflow) / ${Math.round(plain.first)} ms untraced, the other 3 calls ${Math.round(slow.rest)} / ${Math.round(plain.rest)} ms; exit ${Math.round(slow.res.exitDelayMs)} / ${Math.round(plain.res.exitDelayMs)} ms after stdin closed`);
      assert.ok(slow.rest < plain.rest + 1500, 'the calls do not wait for the slow server');
      assert.ok(slow.first < plain.first + 4000, 'nor does the first (start-up included)');
      assert.ok(slow.res.exitDelayMs < plain.res.exitDelayMs + 2000, 'exit within 2 s of untraced');
      await tracesByMarker(await mlflowUrl(), experiment, lines, marker, 90_000);
    } finally {
      await proxy.close();
    }
  });

  it('MLflow answering 500 to uploads for a while: one warning, then every trace arrives once', async () => {
    const proxy = await startDelayProxy(bed.killable.url, 0);
    proxy.refuse = (r) => (r.url.startsWith('/v1/traces') ? 500 : undefined);
    try {
      const experiment = uniqueName('faults-py-500');
      const app = new App(python, [drivenPy], bed.pyEnv(proxy.url, experiment));
      const lines = ['py500a', 'py500b', 'py500c'];
      for (const l of lines) await app.call(l, 60_000);
      await waitFor('the warning', async () => (app.stderr.includes(W) ? true : undefined), 10_000);
      proxy.refuse = undefined; // the server mends
      await tracesByMarker(bed.killable.url, experiment, lines, marker, 30_000);
      const res = await app.end();
      const plain = await bed.untraced(python, drivenPy, lines);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout);
      const w = warnings(res.stderr, W);
      assert.equal(w.length, 1, res.stderr);
      assert.match(w[0], /answered HTTP 500 to POST \/v1\/traces/);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await tracesOf(bed.killable.url, experiment)).length, 3, 'each trace once');
    } finally {
      await proxy.close();
    }
  });

  it('a body limit in front of MLflow (413): batches are halved until they fit; a span too large alone is dropped with one note', async () => {
    const proxy = await startDelayProxy(bed.killable.url, 0);
    const limit = 6000;
    proxy.refuse = (r) => (r.url.startsWith('/v1/traces') && r.bytes > limit ? 413 : undefined);
    try {
      const experiment = uniqueName('faults-py-413');
      const app = new App(python, [drivenPy], bed.pyEnv(proxy.url, experiment));
      await app.call('py413warm', 60_000);
      // Six calls at once end within one export delay: one batch, larger than the limit.
      const burst = ['py413a', 'py413b', 'py413c', 'py413d', 'py413e', 'py413f'];
      for (const l of burst) app.send(l);
      await app.waitOutput(/^py413f: /m);
      const big = `py413big${'x'.repeat(limit)}`;
      await app.call(big);
      await app.call('py413after');
      const kept = ['py413warm', ...burst, 'py413after'];
      await tracesByMarker(bed.killable.url, experiment, kept, marker, 30_000);
      const res = await app.end();
      const plain = await bed.untraced(python, drivenPy, ['py413warm', ...burst, big, 'py413after']);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout);
      assert.ok(proxy.seen.some((r) => r.url.startsWith('/v1/traces')), 'uploads went through the proxy');
      const w = warnings(res.stderr, W);
      assert.equal(w.length, 1, res.stderr);
      assert.match(w[0], /answered HTTP 413 to POST \/v1\/traces.* dropped/);
      await new Promise((r) => setTimeout(r, 1500));
      const all = await tracesOf(bed.killable.url, experiment);
      assert.equal(all.length, kept.length, 'every span that fits arrived once; the one too large did not');
    } finally {
      await proxy.close();
    }
  });

  it('Gemini 429, 500 and resets: the app sees exactly the untraced error; ERROR spans carry it', async () => {
    const file = join(faultApps, 'errors.py');
    const experiment = uniqueName('faults-gemini-py');
    const base = await mlflowUrl();
    const plain = await runToEnd(python, [file], plainEnv(bed.standin.url));
    const traced = await runToEnd(python, [file], bed.pyEnv(base, experiment));
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stdout, plain.stdout, 'the same errors, messages, codes and points of failure');
    assert.match(plain.stdout, /^stream-reset: after \["echo: a strea"\] .*RemoteProtocolError/m, 'the stream broke after its first chunk');
    assert.equal(traced.stderr, plain.stderr);

    const byLabel: Record<string, string> = {
      '429': 'rate limited call', '500': 'server error call', 'stream-429': 'rate limited stream', 'stream-reset': 'breaks off mid-way', 'unary-reset': 'connection is reset',
    };
    const found = await tracesByMarker(base, experiment, Object.keys(byLabel), (k) => byLabel[k], 60_000);
    const saw = (label: string) => JSON.parse(new RegExp(`^${label}: (?:after \\[.*?\\] )?(\\{.*\\})$`, 'm').exec(plain.stdout)![1]) as Json;
    for (const label of Object.keys(byLabel)) {
      const t = found.get(label);
      assert.equal(t.state, 'ERROR', `${label}: an ERROR trace`);
      const spans = await spansOf(base, t.trace_id);
      const root = spans.find((s) => !s.parent_span_id)!;
      assert.equal(root.status.code, 'STATUS_CODE_ERROR', label);
      const type = String(exceptionType(root));
      assert.ok(saw(label).class.endsWith(type), `${label}: exception ${type} is the app's ${saw(label).class}`);
      const message = root.events.find((e) => e.name === 'exception')!.attributes!['exception.message'];
      assert.ok(String(message).includes(saw(label).message.slice(0, 40)), `${label}: exception message ${message}`);
      if (typeof saw(label).code === 'number') assert.equal(attr(root, 'http.response.status_code'), saw(label).code, `${label}: the status code`);
    }
    const partial = attr((await spansOf(base, found.get('stream-reset').trace_id))[0], 'mlflow.spanOutputs');
    assert.match(JSON.stringify(partial), /echo: a strea/, 'the stream span keeps what arrived before the reset');
  });
});
