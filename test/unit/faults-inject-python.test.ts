// Faults inside a process traced by the Python shim (injected as src/launch/env.ts does), real
// google-genai against the Gemini stand-in, and a real MLflow of this file's own that the tests
// kill and restart on the same port, or put behind a proxy that answers 5 s late (the bed:
// test/fixtures/faults/injectBed.ts; the Node preload's side is faults-inject-node.test.ts).
//   - MLflow killed mid-run: the app's stdout and exit code are unchanged, exit is within 2 s of
//     the untraced run, and spans held while MLflow was away arrive once after it is back (what
//     MLflow's own client does), also those still held when the app ended (the sender process
//     the shim leaves at exit).
//   - MLflow down at start: the app runs untouched, and the shim says it is not traced.
//   - MLflow slow: the app is not slowed after its start-up experiment lookup.
//   - Gemini failing (429, 500, a reset mid-stream): ERROR spans with the status, and the app sees
//     exactly the error it sees untraced.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDelayProxy } from '../fixtures/faults/servers';
import { drivenPy, exceptionType, marker, useFaultsBed, warnings } from '../fixtures/faults/injectBed';
import { App, attr, faultApps, plainEnv, python, rest, runToEnd, spansOf, tracesByMarker, tracesOf, waitFor } from '../fixtures/apps/faults/harness';
import type { Json } from '../fixtures/apps/faults/harness';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';

describe('Injection under faults: MLflow down, killed, slow; Gemini failing; forks', function () {
  this.timeout(600_000);
  const bed = useFaultsBed();

  describe('Python shim (MLflow\'s own export queue)', () => {
    it('MLflow killed mid-run and restarted: what MLflow\'s client held arrives once; killed again, exit within 2 s and the last trace arrives later', async () => {
      const experiment = uniqueName('faults-py-killed');
      const app = new App(python, [drivenPy], bed.pyEnv(bed.killable.url, experiment));
      const before = ['pybefore1', 'pybefore2'];
      for (const l of before) await app.call(l, 120_000);
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
      const t0 = Date.now();
      await bed.killable.restart();
      const restartedIn = Date.now() - t0;
      // MLflow's REST client retries a refused upload with exponential back-off (urllib3: 2, 4,
      // 8, 16, 32, 64 s…, MLFLOW_HTTP_REQUEST_MAX_RETRIES=7 by default) on the shim's upload threads.
      await tracesByMarker(bed.killable.url, experiment, [...before, ...during], marker, 90_000);
      const arrivedIn = Date.now() - t0 - restartedIn;
      await app.call('pyafter1');
      const all = await tracesByMarker(bed.killable.url, experiment, [...before, ...during, 'pyafter1'], marker, 30_000);

      await bed.killable.kill();
      await app.call('pylast1');
      await new Promise((r) => setTimeout(r, 500));
      const res = await app.end();
      const lines = [...before, ...during, 'pyafter1', 'pylast1'];
      const plain = await bed.untraced(python, drivenPy, lines);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
      assert.ok(callMs.every((ms) => ms < 5000), `calls while MLflow was down took ${callMs.map(Math.round).join(', ')} ms`);
      assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
      assert.doesNotMatch(res.stderr, /gemini-trace:/, 'the pending uploads were handed on, not dropped');
      console.log(`      MLflow restarted in ${restartedIn} ms; the held Python traces were readable ${arrivedIn} ms after that; calls while down took ${callMs.map(Math.round).join(', ')} ms; exit while down ${Math.round(res.exitDelayMs)} ms after stdin closed (untraced ${Math.round(plain.exitDelayMs)} ms)`);

      // The upload pending at exit went to a sender process, which MLflow's client retries for.
      await bed.killable.restart();
      const withLast = await tracesByMarker(bed.killable.url, experiment, lines, marker, 150_000);
      for (const [m, t] of withLast) {
        // MLflow's client writes a trace's info before its spans, so the sender's last trace can be
        // listed a moment before its spans are readable (seen as a 404 on a loaded machine).
        const spans = await waitFor(`the spans of ${m}`, () => spansOf(bed.killable.url, t.trace_id), 30_000, 500);
        assert.ok(spans.some((s) => s.name === 'Models.generate_content'), `${m}: the model call`);
      }
      const final = await tracesOf(bed.killable.url, experiment);
      assert.equal(final.filter((t: Json) => /#py(before|during|after|last)\d#/.test(t.request_preview)).length, lines.length, 'each trace once');
      assert.equal(all.size, lines.length - 1);
    });

    it('MLflow down at start: the app runs untouched, and the shim says this process is not traced', async () => {
      // The shim checks the server before paying for `import mlflow`; when nothing listens it
      // leaves the process untraced for good (a server started later does not get its calls).
      const experiment = uniqueName('faults-py-down');
      await bed.killable.kill();
      try {
        const app = new App(python, [drivenPy], bed.pyEnv(bed.killable.url, experiment));
        await app.call('pydown1', 60_000);
        const res = await app.end();
        const plain = await bed.untraced(python, drivenPy, ['pydown1']);
        assert.equal(res.code, 0, res.stderr);
        assert.equal(res.stdout, plain.stdout);
        const w = warnings(res.stderr, 'gemini-trace:');
        assert.equal(w.length, 1, res.stderr);
        assert.match(w[0], /cannot be reached .* Gemini calls in this process are not traced/);
      } finally {
        await bed.killable.restart();
      }
      assert.equal((await tracesOf(bed.killable.url, experiment)).length, 0);
    });

    it('MLflow answering 5 s late: calls after start-up are not slowed; start-up pays the experiment lookup', async () => {
      const base = await mlflowUrl();
      const proxy = await startDelayProxy(base, 5000);
      try {
        const experiment = uniqueName('faults-py-slow');
        await rest(base, '/api/2.0/mlflow/experiments/create', { name: experiment });
        const lines = ['pyslow1', 'pyslow2', 'pyslow3', 'pyslow4'];
        const measure = async (env: NodeJS.ProcessEnv) => {
          const app = new App(python, [drivenPy], env);
          const t = performance.now();
          await app.call(lines[0], 120_000);
          const first = performance.now() - t;
          const answeredAt = Date.now();
          const t2 = performance.now();
          for (const l of lines.slice(1)) await app.call(l);
          const rest3 = performance.now() - t2;
          return { first, answeredAt, rest3, res: await app.end() };
        };
        const fast = await measure(bed.pyEnv(base, experiment));
        const slow = await measure(bed.pyEnv(proxy.url, experiment));
        const plain = await measure(plainEnv(bed.standin.url));
        for (const r of [fast, slow, plain]) assert.equal(r.res.code, 0, r.res.stderr);
        assert.equal(slow.res.stdout, plain.res.stdout);
        console.log(`      first call answered after ${Math.round(slow.first)} ms (5 s MLflow) / ${Math.round(fast.first)} ms (fast MLflow) / ${Math.round(plain.first)} ms untraced; next 3 calls ${Math.round(slow.rest3)} / ${Math.round(fast.rest3)} / ${Math.round(plain.rest3)} ms; exit ${Math.round(slow.res.exitDelayMs)} / ${Math.round(fast.res.exitDelayMs)} / ${Math.round(plain.res.exitDelayMs)} ms after stdin closed`);
        // Start-up: one synchronous experiment lookup (the shim's set_experiment) at 5 s, no more.
        // Counted from the proxy, not from the clock (Python's start-up alone varies by seconds
        // under load): the requests answered before the first call was are grouped into waves
        // that start at least 2.5 s apart; requests made one after another are separate waves.
        const waited = proxy.seen.filter((r) => r.at + proxy.delayMs <= slow.answeredAt).map((r) => r.at).sort((a, b) => a - b);
        const waves = waited.filter((at, i) => i === 0 || at - waited[i - 1] >= 2500).length;
        assert.ok(waves <= 1, `start-up waited for ${waves} lookups one after another: ${proxy.seen.map((r) => `${r.method} ${r.url} +${r.at - waited[0]} ms`).join(', ')}`);
        assert.ok(slow.first > 5000, 'start-up pays the lookup');
        assert.ok(slow.rest3 < plain.rest3 + 1000, 'calls after start-up are not slowed by the slow server');
        assert.ok(slow.res.exitDelayMs < plain.res.exitDelayMs + 2000, 'exit within 2 s of untraced');
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
      assert.doesNotMatch(traced.stderr, /gemini-trace:/);

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
        if (saw(label).code) assert.match(JSON.stringify(root.status), new RegExp(String(saw(label).code)), `${label}: the status code`);
      }
      const partial = attr((await spansOf(base, found.get('stream-reset').trace_id))[0], 'mlflow.spanOutputs');
      assert.match(JSON.stringify(partial), /echo: a strea/, 'the stream span keeps what arrived before the reset');
    });
  });
});
