// Faults inside a process traced by the Node preload (injected as src/launch/env.ts does), real
// @google/genai against the Gemini stand-in, and a real MLflow of this file's own that the tests
// kill and restart on the same port (at the network: a relay in front of it stops and starts
// listening), or put behind a proxy that answers 5 s late (the bed: test/fixtures/faults/
// injectBed.ts; the Python shim's side is faults-inject-python.test.ts).
//   - MLflow down at start, and killed mid-run: the app's stdout and exit code are unchanged, exit
//     is within 2 s of the untraced run, and spans held while MLflow was away arrive once after it
//     is back (the preload's bounded outbox), also those still held when the app ended (the
//     sender process it leaves at exit).
//   - The outbox is bounded: past 2,048 held spans the oldest go, with one note.
//   - MLflow slow: the app is not slowed.
//   - Gemini failing (429, 500, a reset mid-stream): ERROR spans with the status, and the app sees
//     exactly the error it sees untraced.
//   - fork with the preload inherited and passed again: each process and thread traced once.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startDelayProxy } from '../fixtures/faults/servers';
import { assertOneModelSpanEach, driven, drivenStdout, exceptionType, marker, useFaultsBed, warnings } from '../fixtures/faults/injectBed';
import { App, attr, faultApps, plainEnv, runToEnd, spansOf, tracesByMarker, tracesOf, waitFor } from '../fixtures/apps/faults/harness';
import type { Finished, Json } from '../fixtures/apps/faults/harness';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';

describe('Injection under faults: MLflow down, killed, slow; Gemini failing; forks', function () {
  this.timeout(600_000);
  const bed = useFaultsBed();

  describe('Node preload', () => {
    it('MLflow down at start: stdout unchanged, one warning, and the held traces arrive once it is up', async () => {
      const experiment = uniqueName('faults-down-at-start');
      await bed.killable.kill();
      const app = new App(process.execPath, [driven], bed.nodeEnv(bed.killable.url, experiment));
      const early = ['down1', 'down2', 'down3'];
      for (const l of early) {
        await app.call(l);
        await new Promise((r) => setTimeout(r, 300));
      }
      // Past the export delay: these spans have been tried and are held.
      await waitFor('the warning', async () => (app.stderr.includes('[gemini-trace]') ? true : undefined), 10_000);
      await bed.killable.restart();
      const t0 = Date.now();
      const held = await tracesByMarker(bed.killable.url, experiment, early, marker, 30_000);
      const arrivedIn = Date.now() - t0;
      await app.call('up1');
      const all = await tracesByMarker(bed.killable.url, experiment, [...early, 'up1'], marker, 15_000);
      const res = await app.end();
      const plain = await bed.untraced(process.execPath, driven, [...early, 'up1']);

      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
      assert.equal(res.stdout, drivenStdout([...early, 'up1']));
      const w = warnings(res.stderr, '[gemini-trace]');
      assert.equal(w.length, 1, res.stderr);
      assert.match(w[0], /refused the connection — start it with .* held in memory \(at most 2048 spans\) and sent when it answers while this process runs\.$/);
      assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
      assert.equal(held.size, 3);
      await assertOneModelSpanEach(bed.killable.url, all, driven, '@call:driven', 'Models.generateContent');
      await new Promise((r) => setTimeout(r, 1500)); // a duplicate would have arrived by now
      assert.equal((await tracesOf(bed.killable.url, experiment)).length, 4, 'no trace twice');
      console.log(`      the 3 held traces were readable ${arrivedIn} ms after MLflow was back`);
    });

    it('MLflow killed mid-run and restarted: held traces arrive once; killed again, exit within 2 s of untraced', async () => {
      const experiment = uniqueName('faults-killed');
      const app = new App(process.execPath, [driven], bed.nodeEnv(bed.killable.url, experiment));
      const before = ['before1', 'before2'];
      for (const l of before) await app.call(l);
      await tracesByMarker(bed.killable.url, experiment, before, marker, 20_000);

      await bed.killable.kill();
      const during = ['during1', 'during2', 'during3', 'during4', 'during5'];
      for (const l of during) {
        await app.call(l);
        await new Promise((r) => setTimeout(r, 400));
      }
      await waitFor('the warning', async () => (app.stderr.includes('refused the connection') ? true : undefined), 10_000);
      await bed.killable.restart();
      await tracesByMarker(bed.killable.url, experiment, [...before, ...during], marker, 30_000);
      await app.call('after1');
      const all = await tracesByMarker(bed.killable.url, experiment, [...before, ...during, 'after1'], marker, 15_000);

      // Down again as the app ends: the exit must not wait on it.
      await bed.killable.kill();
      await app.call('last1');
      await new Promise((r) => setTimeout(r, 500));
      const res = await app.end();
      const lines = [...before, ...during, 'after1', 'last1'];
      const plain = await bed.untraced(process.execPath, driven, lines);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
      const w = warnings(res.stderr, '[gemini-trace]');
      assert.equal(w.length, 1, res.stderr);
      assert.match(w[0], /sent when it answers, also for 2 minutes after this process ends\.$/);
      assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
      console.log(`      exit with MLflow down: ${Math.round(res.exitDelayMs)} ms after stdin closed (untraced ${Math.round(plain.exitDelayMs)} ms)`);

      // What the process still held as it ended went to the sender it left behind, which keeps
      // trying: the restarted server gets it too.
      await bed.killable.restart();
      const withLast = await tracesByMarker(bed.killable.url, experiment, lines, marker, 60_000);
      await assertOneModelSpanEach(bed.killable.url, withLast, driven, '@call:driven', 'Models.generateContent');
      await new Promise((r) => setTimeout(r, 1500));
      const final = await tracesOf(bed.killable.url, experiment);
      assert.equal(final.length, lines.length, `each trace once: ${final.map((t: Json) => t.request_preview).join(' | ')}`);
      assert.equal(all.size, lines.length - 1);
    });

    it('the outbox is bounded: past 2,048 held spans the oldest go, with one note; the rest arrive after a restart', async () => {
      const experiment = uniqueName('faults-overflow');
      const calls = 2300;
      const app = new App(process.execPath, [join(faultApps, 'load.cjs')], { ...bed.nodeEnv(bed.killable.url, experiment), LOAD_WAIT: '1', LOAD_CALLS: String(calls) });
      await app.waitOutput(/^ready$/m, 60_000);
      await tracesByMarker(bed.killable.url, experiment, ['warm'], marker, 30_000); // MLflow has answered this process
      await bed.killable.kill();
      app.send('go');
      const res = await app.end();
      assert.equal(res.code, 0, res.stderr);
      assert.equal(JSON.parse(res.stdout.split('\n')[1]).ok, calls);
      const w = warnings(res.stderr, '[gemini-trace]');
      assert.equal(w.length, 2, res.stderr);
      assert.match(w[0], /refused the connection/);
      assert.match(w[1], /the oldest spans held in memory are being dropped \(at most 2048 are kept\)/);
      assert.ok(res.ms - res.lastOutputMs < 2000, `exit took ${Math.round(res.ms - res.lastOutputMs)} ms after the app's last line`);

      // The sender the app left keeps trying; after the restart it delivers what was held.
      await bed.killable.restart();
      const index = (t: Json) => Number(/#(\d+)#/.exec(String(t.request_preview))?.[1] ?? -1);
      let count = 0;
      const all = await waitFor(() => `the held traces (${count} so far)`, async () => {
        const found = (await tracesOf(bed.killable.url, experiment)).filter((t: Json) => index(t) >= 0);
        count = found.length;
        return found.length >= 2048 ? found : undefined;
      }, 240_000, 2000);
      await new Promise((r) => setTimeout(r, 3000));
      const final = (await tracesOf(bed.killable.url, experiment)).filter((t: Json) => index(t) >= 0);
      const got = new Set(final.map(index));
      assert.equal(got.size, final.length, 'no call twice');
      const missing = Array.from({ length: calls }, (_, i) => i).filter((i) => !got.has(i));
      console.log(`      ${final.length} of ${calls} traces arrived (first pass ${all.length}); the ${missing.length} dropped are calls ${missing[0]}…${missing.at(-1)}`);
      // At most the outbox's 2,048 plus what the batch processor had not handed over yet at exit.
      assert.ok(final.length >= 2048 && final.length < calls, `${final.length} arrived`);
      // The oldest went: every dropped call started before every kept one, give or take the 20
      // calls in flight at a time.
      assert.ok(Math.max(...missing) < Math.min(...final.map(index)) + 20, `dropped ${missing.join(',')}`);
    });

    it('MLflow answering 5 s late: the app is not slowed and exits within the budget', async () => {
      const proxy = await startDelayProxy(await mlflowUrl(), 5000);
      try {
        const app = join(faultApps, '../node-cjs/app.cjs');
        const cwd = join(app, '..');
        // Untraced; traced against the slow server; traced against MLflow itself, which answers at
        // once. What a slow server could cost the app's calls is the second against the third: the
        // preload's own start-up is in both. Against untraced alone, CI's load turned that start-up
        // (on Node 20, loading the tracer while a framework file ran beside it) into a miss:
        // 1,082 against 409 ms, best of six each, with the traced runs' exit still in bounds.
        const runs: { plain: Finished[]; traced: Finished[]; prompt: Finished[] } = { plain: [], traced: [], prompt: [] };
        const experiments: string[] = [];
        const base = await mlflowUrl();
        // Interleaved, so machine load hits all alike; the best of each is compared.
        const pairs = async (n: number): Promise<void> => {
          for (let i = 0; i < n; i++) {
            runs.plain.push(await runToEnd(process.execPath, [app], plainEnv(bed.standin.url), cwd));
            experiments.push(uniqueName('faults-slow'));
            runs.traced.push(await runToEnd(process.execPath, [app], bed.nodeEnv(proxy.url, experiments.at(-1)!), cwd));
            runs.prompt.push(await runToEnd(process.execPath, [app], bed.nodeEnv(base, uniqueName('faults-prompt')), cwd));
          }
        };
        const best = (xs: Finished[], k: 'lastOutputMs' | 'ms') => Math.min(...xs.map((x) => x[k]));
        const slowed = () => best(runs.traced, 'lastOutputMs') > best(runs.prompt, 'lastOutputMs') * 1.25 + 300;
        await pairs(3);
        // A miss is measured three rounds more and the best of all counts; a slowing the slow
        // server causes misses again.
        if (slowed()) {
          console.log(`      calls done after ${Math.round(best(runs.traced, 'lastOutputMs'))} ms against the slow server vs ${Math.round(best(runs.prompt, 'lastOutputMs'))} ms against MLflow itself: measured again`);
          await pairs(3);
        }
        for (const r of [...runs.plain, ...runs.traced, ...runs.prompt]) assert.equal(r.code, 0, r.stderr);
        for (const r of [...runs.traced, ...runs.prompt]) {
          assert.equal(r.stdout, runs.plain[0].stdout, 'stdout unchanged');
          assert.equal(r.stderr, '', 'a slow server is not an error');
        }
        assert.ok(proxy.seen.length > 0, 'the preload did talk to the slow server');
        const work = { plain: best(runs.plain, 'lastOutputMs'), traced: best(runs.traced, 'lastOutputMs'), prompt: best(runs.prompt, 'lastOutputMs') };
        const total = { plain: best(runs.plain, 'ms'), traced: best(runs.traced, 'ms') };
        console.log(`      app's calls done after ${Math.round(work.traced)} ms against the slow server, ${Math.round(work.prompt)} ms against MLflow itself, ${Math.round(work.plain)} ms untraced; exit at ${Math.round(total.traced)} vs ${Math.round(total.plain)} ms untraced`);
        assert.ok(work.traced <= work.prompt * 1.25 + 300, `calls took ${Math.round(work.traced)} ms against the slow server, ${Math.round(work.prompt)} ms against MLflow itself`);
        assert.ok(total.traced <= total.plain + 2000, `exit at ${Math.round(total.traced)} ms traced, ${Math.round(total.plain)} ms untraced`);
        // The apps are gone; the senders they left deliver through the slow server.
        const t0 = Date.now();
        for (const e of experiments) await waitFor(`5 traces in ${e}`, async () => ((await tracesOf(base, e)).length === 5 ? true : undefined), 90_000, 1000);
        console.log(`      all ${5 * experiments.length} traces of the ${experiments.length} traced runs readable ${Date.now() - t0} ms after the last run ended`);
      } finally {
        await proxy.close();
      }
    });

    it('Gemini 429, 500 and resets: the app sees exactly the untraced error; ERROR spans carry the status', async () => {
      const file = join(faultApps, 'errors.cjs');
      const experiment = uniqueName('faults-gemini-node');
      const plain = await runToEnd(process.execPath, [file], plainEnv(bed.standin.url));
      const traced = await runToEnd(process.execPath, [file], bed.nodeEnv(await mlflowUrl(), experiment));
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(traced.code, 0, traced.stderr);
      assert.equal(traced.stdout, plain.stdout, 'the same errors, messages, statuses and points of failure');
      assert.match(plain.stdout, /^stream-reset: after \["echo: a strea"\] .*"message":"terminated"/m, 'the stream broke after its first chunk');
      assert.equal(traced.stderr, '');

      const base = await mlflowUrl();
      const byLabel: Record<string, string> = {
        '429': 'rate limited call', '500': 'server error call', 'stream-429': 'rate limited stream', 'stream-reset': 'breaks off mid-way', 'unary-reset': 'connection is reset',
      };
      const found = await tracesByMarker(base, experiment, Object.keys(byLabel), (k) => byLabel[k], 20_000);
      const span = async (label: string) => {
        const t = found.get(label);
        assert.equal(t.state, 'ERROR', `${label}: an ERROR trace`);
        const spans = await spansOf(base, t.trace_id);
        assert.equal(spans.length, 1, label);
        assert.equal(spans[0].status.code, 'STATUS_CODE_ERROR', label);
        return spans[0];
      };
      const saw = (label: string) => JSON.parse(new RegExp(`^${label}: (?:after \\[.*?\\] )?(\\{.*\\})$`, 'm').exec(plain.stdout)![1]) as Json;
      for (const [label, status] of [['429', 429], ['500', 500], ['stream-429', 429]] as const) {
        const s = await span(label);
        assert.equal(attr(s, 'http.response.status_code'), status, `${label}: status`);
        assert.equal(s.status.message, saw(label).message, `${label}: the SDK's message`);
        assert.equal(exceptionType(s), 'ApiError');
      }
      for (const label of ['stream-reset', 'unary-reset']) {
        const s = await span(label);
        assert.equal(s.status.message, saw(label).message, `${label}: the error's message`);
        assert.equal(exceptionType(s), 'TypeError');
      }
      // The stream span keeps what arrived before the reset.
      const partial = attr(await span('stream-reset'), 'mlflow.spanOutputs');
      assert.equal(partial.candidates[0].content.parts[0].text, 'echo: a strea');
    });

    it('fork with the preload inherited and passed again, and a worker in the child: each traced once', async () => {
      const experiment = uniqueName('faults-fork');
      const copy = join(bed.work, 'dist-copy');
      cpSync(bed.distDir, copy, { recursive: true });
      const env = { ...bed.nodeEnv(await mlflowUrl(), experiment), GT_EXPLICIT_PRELOAD: join(copy, 'inject/node/preload.cjs') };
      const file = join(faultApps, 'fork.cjs');
      const res = await runToEnd(process.execPath, [file], env);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      assert.deepEqual(res.stdout.trim().split('\n').sort(), [
        'forked child: echo: fork test from the forked child (guarded)',
        'parent: echo: fork test from the parent (guarded)',
        'worker in child: echo: fork test from the worker in child (guarded)',
      ]);
      const base = await mlflowUrl();
      const who = ['parent', 'forked child', 'worker in child'];
      const found = await tracesByMarker(base, experiment, who, (w) => `from the ${w}"`, 20_000);
      await assertOneModelSpanEach(base, found, file, '@call:fork', 'Models.generateContent');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await tracesOf(base, experiment)).length, 3, 'three traces, none twice');
    });
  });
});
