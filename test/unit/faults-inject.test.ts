// Faults inside the traced process, with real parts: the Node preload and the Python shim injected
// as src/launch/env.ts does, real @google/genai and google-genai against the Gemini stand-in, and
// a real MLflow server of this file's own that the tests kill and restart on the same port (its
// sqlite store survives), or put behind a proxy that answers 5 s late.
//   - MLflow down at start, and killed mid-run: the app's stdout and exit code are unchanged, exit
//     is within 2 s of the untraced run, and spans held while MLflow was away arrive once after it
//     is back (Node: the preload's bounded outbox; Python: what MLflow's own client does), also
//     those still held when the app ended (the sender process each side leaves at exit).
//   - The Node outbox is bounded: past 2,048 held spans the oldest go, with one note.
//   - MLflow slow: the app is not slowed (Python: after its start-up experiment lookup).
//   - Gemini failing (429, 500, a reset mid-stream): ERROR spans with the status, and the app sees
//     exactly the error it sees untraced.
//   - fork with the preload inherited and passed again: each process and thread traced once.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { startDelayProxy } from '../fixtures/faults/servers';
import { App, attr, faultApps, plainEnv, python, reapSenders, rest, runToEnd, spansOf, tracedEnv, tracesByMarker, tracesOf, waitFor } from '../fixtures/apps/faults/harness';
import type { Finished, Json, SpanRow } from '../fixtures/apps/faults/harness';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';

interface Killable { url: string; port: number; kill(): Promise<void>; restart(): Promise<void>; stop(): Promise<void> }

const driven = join(faultApps, 'driven.cjs');
const drivenPy = join(faultApps, 'driven.py');
const marker = (m: string) => `#${m}#`;
const lineOf = (file: string, tag: string) => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(tag)) + 1;
const warnings = (stderr: string, prefix: string) => stderr.split('\n').filter((l) => l.includes(prefix));

/** What the driven app prints for these lines. */
const drivenStdout = (lines: string[]) => `${lines.map((l) => `${l}: echo: driven call ${marker(l)}`).join('\n')}\ndone\n`;

/** The type on a span's exception event (a JSON string in Python's traces, plain in Node's). */
function exceptionType(span: SpanRow): unknown {
  const v = span.events.find((e) => e.name === 'exception')?.attributes?.['exception.type'];
  try {
    return typeof v === 'string' ? JSON.parse(v) : v;
  } catch {
    return v;
  }
}

/** Each trace holds exactly one span, the model call, at the app's call line. */
async function assertOneModelSpanEach(base: string, traces: Map<string, Json>, file: string, tag: string, name: string): Promise<void> {
  const ids = new Set<string>();
  for (const [m, t] of traces) {
    ids.add(t.trace_id);
    const spans = await spansOf(base, t.trace_id);
    assert.equal(spans.length, 1, `${m}: one span, got ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(spans[0].name, name);
    assert.equal(attr(spans[0], 'code.lineno'), lineOf(file, tag), `${m}: code.lineno`);
  }
  assert.equal(ids.size, traces.size, 'distinct trace ids');
}

describe('Injection under faults: MLflow down, killed, slow; Gemini failing; forks', function () {
  this.timeout(600_000);
  let standin: Standin;
  let work: string;
  let distDir: string;
  let killable: Killable;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'gt-faults-inject-'));
    distDir = join(work, 'dist');
    // eslint-disable-next-line @typescript-eslint/ban-ts-comment
    // @ts-ignore -- plain .mjs module shared with the build script
    const { buildNodeInject } = await import('../../scripts/lib/node-inject.mjs');
    // eslint-disable-next-line @typescript-eslint/ban-ts-comment
    // @ts-ignore -- plain .mjs module shared with the scripts
    const { startMlflow } = await import('../../scripts/lib/mlflow.mjs');
    const [, s, k] = await Promise.all([buildNodeInject(distDir), startStandin(), startMlflow({ unref: true }), mlflowUrl()]);
    standin = s;
    killable = k as Killable;
    // A fresh server answers its first requests slowly (seconds on a busy machine, long enough for
    // a short app to exit before its experiment exists): one traced call through each server first,
    // so the timings below measure the injection, not MLflow's start-up.
    for (const base of [killable.url, await mlflowUrl()]) {
      const experiment = uniqueName('faults-warmup');
      const app = new App(process.execPath, [driven], nodeEnv(base, experiment));
      await app.call('warmup');
      await tracesByMarker(base, experiment, ['warmup'], marker, 60_000);
      await app.end();
    }
  });
  after(async () => {
    // Senders still resending what MLflow already has (or trying a server this file stopped).
    reapSenders();
    await standin?.close();
    await killable?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  // A test that failed half-way may have left the killable server down.
  beforeEach(async () => {
    const up = await fetch(`${killable.url}/health`).then((r) => r.ok, () => false);
    if (!up) await killable.restart();
  });

  const nodeEnv = (trackingUri: string, experiment: string) => tracedEnv({ runtime: 'node', distDir, trackingUri, experiment, standinUrl: standin.url });
  const pyEnv = (trackingUri: string, experiment: string) => tracedEnv({ runtime: 'python', distDir, trackingUri, experiment, standinUrl: standin.url });

  /** The same lines through the untraced app: its stdout and exit delay are the yardstick. */
  async function untraced(cmd: string, file: string, lines: string[]): Promise<Finished> {
    const app = new App(cmd, [file], plainEnv(standin.url));
    for (const l of lines) await app.call(l);
    return app.end();
  }

  describe('Node preload', () => {
    it('MLflow down at start: stdout unchanged, one warning, and the held traces arrive once it is up', async () => {
      const experiment = uniqueName('faults-down-at-start');
      await killable.kill();
      const app = new App(process.execPath, [driven], nodeEnv(killable.url, experiment));
      const early = ['down1', 'down2', 'down3'];
      for (const l of early) {
        await app.call(l);
        await new Promise((r) => setTimeout(r, 300));
      }
      // Past the export delay: these spans have been tried and are held.
      await waitFor('the warning', async () => (app.stderr.includes('[gemini-trace]') ? true : undefined), 10_000);
      const t0 = Date.now();
      await killable.restart();
      const restartedIn = Date.now() - t0;
      const held = await tracesByMarker(killable.url, experiment, early, marker, 30_000);
      const arrivedIn = Date.now() - t0 - restartedIn;
      await app.call('up1');
      const all = await tracesByMarker(killable.url, experiment, [...early, 'up1'], marker, 15_000);
      const res = await app.end();
      const plain = await untraced(process.execPath, driven, [...early, 'up1']);

      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
      assert.equal(res.stdout, drivenStdout([...early, 'up1']));
      const w = warnings(res.stderr, '[gemini-trace]');
      assert.equal(w.length, 1, res.stderr);
      assert.match(w[0], /refused the connection — start it with .* held in memory \(at most 2048 spans\) and sent when it answers while this process runs\.$/);
      assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
      assert.equal(held.size, 3);
      await assertOneModelSpanEach(killable.url, all, driven, '@call:driven', 'Models.generateContent');
      await new Promise((r) => setTimeout(r, 1500)); // a duplicate would have arrived by now
      assert.equal((await tracesOf(killable.url, experiment)).length, 4, 'no trace twice');
      console.log(`      MLflow restarted in ${restartedIn} ms; the 3 held traces were readable ${arrivedIn} ms after that`);
    });

    it('MLflow killed mid-run and restarted: held traces arrive once; killed again, exit within 2 s of untraced', async () => {
      const experiment = uniqueName('faults-killed');
      const app = new App(process.execPath, [driven], nodeEnv(killable.url, experiment));
      const before = ['before1', 'before2'];
      for (const l of before) await app.call(l);
      await tracesByMarker(killable.url, experiment, before, marker, 20_000);

      await killable.kill();
      const during = ['during1', 'during2', 'during3', 'during4', 'during5'];
      for (const l of during) {
        await app.call(l);
        await new Promise((r) => setTimeout(r, 400));
      }
      await waitFor('the warning', async () => (app.stderr.includes('refused the connection') ? true : undefined), 10_000);
      await killable.restart();
      await tracesByMarker(killable.url, experiment, [...before, ...during], marker, 30_000);
      await app.call('after1');
      const all = await tracesByMarker(killable.url, experiment, [...before, ...during, 'after1'], marker, 15_000);

      // Down again as the app ends: the exit must not wait on it.
      await killable.kill();
      await app.call('last1');
      await new Promise((r) => setTimeout(r, 500));
      const res = await app.end();
      const lines = [...before, ...during, 'after1', 'last1'];
      const plain = await untraced(process.execPath, driven, lines);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
      const w = warnings(res.stderr, '[gemini-trace]');
      assert.equal(w.length, 1, res.stderr);
      assert.match(w[0], /sent when it answers, also for 2 minutes after this process ends\.$/);
      assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
      console.log(`      exit with MLflow down: ${Math.round(res.exitDelayMs)} ms after stdin closed (untraced ${Math.round(plain.exitDelayMs)} ms)`);

      // What the process still held as it ended went to the sender it left behind, which keeps
      // trying: the restarted server gets it too.
      await killable.restart();
      const withLast = await tracesByMarker(killable.url, experiment, lines, marker, 60_000);
      await assertOneModelSpanEach(killable.url, withLast, driven, '@call:driven', 'Models.generateContent');
      await new Promise((r) => setTimeout(r, 1500));
      const final = await tracesOf(killable.url, experiment);
      assert.equal(final.length, lines.length, `each trace once: ${final.map((t: Json) => t.request_preview).join(' | ')}`);
      assert.equal(all.size, lines.length - 1);
    });

    it('the outbox is bounded: past 2,048 held spans the oldest go, with one note; the rest arrive after a restart', async () => {
      const experiment = uniqueName('faults-overflow');
      const calls = 2300;
      const app = new App(process.execPath, [join(faultApps, 'load.cjs')], { ...nodeEnv(killable.url, experiment), LOAD_WAIT: '1', LOAD_CALLS: String(calls) });
      await app.waitOutput(/^ready$/m, 60_000);
      await tracesByMarker(killable.url, experiment, ['warm'], marker, 30_000); // MLflow has answered this process
      await killable.kill();
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
      await killable.restart();
      const index = (t: Json) => Number(/#(\d+)#/.exec(String(t.request_preview))?.[1] ?? -1);
      let count = 0;
      const all = await waitFor(() => `the held traces (${count} so far)`, async () => {
        const found = (await tracesOf(killable.url, experiment)).filter((t: Json) => index(t) >= 0);
        count = found.length;
        return found.length >= 2048 ? found : undefined;
      }, 240_000, 2000);
      await new Promise((r) => setTimeout(r, 3000));
      const final = (await tracesOf(killable.url, experiment)).filter((t: Json) => index(t) >= 0);
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
        const runs: { plain: Finished[]; traced: Finished[] } = { plain: [], traced: [] };
        const experiments: string[] = [];
        // Interleaved, so machine load hits both alike; the best of each is compared.
        for (let i = 0; i < 3; i++) {
          runs.plain.push(await runToEnd(process.execPath, [app], plainEnv(standin.url), cwd));
          experiments.push(uniqueName('faults-slow'));
          runs.traced.push(await runToEnd(process.execPath, [app], nodeEnv(proxy.url, experiments[i]), cwd));
        }
        for (const r of [...runs.plain, ...runs.traced]) assert.equal(r.code, 0, r.stderr);
        for (const r of runs.traced) {
          assert.equal(r.stdout, runs.plain[0].stdout, 'stdout unchanged');
          assert.equal(r.stderr, '', 'a slow server is not an error');
        }
        assert.ok(proxy.seen.length > 0, 'the preload did talk to the slow server');
        const best = (xs: Finished[], k: 'lastOutputMs' | 'ms') => Math.min(...xs.map((x) => x[k]));
        const work = { plain: best(runs.plain, 'lastOutputMs'), traced: best(runs.traced, 'lastOutputMs') };
        const total = { plain: best(runs.plain, 'ms'), traced: best(runs.traced, 'ms') };
        console.log(`      app's calls done after ${Math.round(work.traced)} ms traced vs ${Math.round(work.plain)} ms untraced; exit at ${Math.round(total.traced)} vs ${Math.round(total.plain)} ms`);
        assert.ok(work.traced <= work.plain * 1.25 + 300, `calls took ${Math.round(work.traced)} ms traced, ${Math.round(work.plain)} ms untraced`);
        assert.ok(total.traced <= total.plain + 2000, `exit at ${Math.round(total.traced)} ms traced, ${Math.round(total.plain)} ms untraced`);
        // The apps are gone; the senders they left deliver through the slow server.
        const t0 = Date.now();
        const base = await mlflowUrl();
        for (const e of experiments) await waitFor(`5 traces in ${e}`, async () => ((await tracesOf(base, e)).length === 5 ? true : undefined), 90_000, 1000);
        console.log(`      all 15 traces of the 3 traced runs readable ${Date.now() - t0} ms after the last run ended`);
      } finally {
        await proxy.close();
      }
    });

    it('Gemini 429, 500 and resets: the app sees exactly the untraced error; ERROR spans carry the status', async () => {
      const file = join(faultApps, 'errors.cjs');
      const experiment = uniqueName('faults-gemini-node');
      const plain = await runToEnd(process.execPath, [file], plainEnv(standin.url));
      const traced = await runToEnd(process.execPath, [file], nodeEnv(await mlflowUrl(), experiment));
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
      const copy = join(work, 'dist-copy');
      cpSync(distDir, copy, { recursive: true });
      const env = { ...nodeEnv(await mlflowUrl(), experiment), GT_EXPLICIT_PRELOAD: join(copy, 'inject/node/preload.cjs') };
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

  describe('Python shim (MLflow\'s own export queue)', () => {
    it('MLflow killed mid-run and restarted: what MLflow\'s client held arrives once; killed again, exit within 2 s and the last trace arrives later', async () => {
      const experiment = uniqueName('faults-py-killed');
      const app = new App(python, [drivenPy], pyEnv(killable.url, experiment));
      const before = ['pybefore1', 'pybefore2'];
      for (const l of before) await app.call(l, 120_000);
      await tracesByMarker(killable.url, experiment, before, marker, 30_000);

      await killable.kill();
      const during = ['pyduring1', 'pyduring2', 'pyduring3'];
      const callMs: number[] = [];
      for (const l of during) {
        const t = performance.now();
        await app.call(l);
        callMs.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 400));
      }
      const t0 = Date.now();
      await killable.restart();
      const restartedIn = Date.now() - t0;
      // MLflow's REST client retries a refused upload with exponential back-off (urllib3: 2, 4,
      // 8, 16, 32, 64 s…, MLFLOW_HTTP_REQUEST_MAX_RETRIES=7 by default) on the shim's upload threads.
      await tracesByMarker(killable.url, experiment, [...before, ...during], marker, 90_000);
      const arrivedIn = Date.now() - t0 - restartedIn;
      await app.call('pyafter1');
      const all = await tracesByMarker(killable.url, experiment, [...before, ...during, 'pyafter1'], marker, 30_000);

      await killable.kill();
      await app.call('pylast1');
      await new Promise((r) => setTimeout(r, 500));
      const res = await app.end();
      const lines = [...before, ...during, 'pyafter1', 'pylast1'];
      const plain = await untraced(python, drivenPy, lines);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, plain.stdout, 'stdout unchanged');
      assert.ok(callMs.every((ms) => ms < 5000), `calls while MLflow was down took ${callMs.map(Math.round).join(', ')} ms`);
      assert.ok(res.exitDelayMs < plain.exitDelayMs + 2000, `exit took ${Math.round(res.exitDelayMs)} ms after stdin closed, untraced ${Math.round(plain.exitDelayMs)} ms`);
      assert.doesNotMatch(res.stderr, /gemini-trace:/, 'the pending uploads were handed on, not dropped');
      console.log(`      MLflow restarted in ${restartedIn} ms; the held Python traces were readable ${arrivedIn} ms after that; calls while down took ${callMs.map(Math.round).join(', ')} ms; exit while down ${Math.round(res.exitDelayMs)} ms after stdin closed (untraced ${Math.round(plain.exitDelayMs)} ms)`);

      // The upload pending at exit went to a sender process, which MLflow's client retries for.
      await killable.restart();
      const withLast = await tracesByMarker(killable.url, experiment, lines, marker, 150_000);
      for (const [m, t] of withLast) {
        const spans = await spansOf(killable.url, t.trace_id);
        assert.ok(spans.some((s) => s.name === 'Models.generate_content'), `${m}: the model call`);
      }
      const final = await tracesOf(killable.url, experiment);
      assert.equal(final.filter((t: Json) => /#py(before|during|after|last)\d#/.test(t.request_preview)).length, lines.length, 'each trace once');
      assert.equal(all.size, lines.length - 1);
    });

    it('MLflow down at start: the app runs untouched, and the shim says this process is not traced', async () => {
      // The shim checks the server before paying for `import mlflow`; when nothing listens it
      // leaves the process untraced for good (a server started later does not get its calls).
      const experiment = uniqueName('faults-py-down');
      await killable.kill();
      try {
        const app = new App(python, [drivenPy], pyEnv(killable.url, experiment));
        await app.call('pydown1', 60_000);
        const res = await app.end();
        const plain = await untraced(python, drivenPy, ['pydown1']);
        assert.equal(res.code, 0, res.stderr);
        assert.equal(res.stdout, plain.stdout);
        const w = warnings(res.stderr, 'gemini-trace:');
        assert.equal(w.length, 1, res.stderr);
        assert.match(w[0], /cannot be reached .* Gemini calls in this process are not traced/);
      } finally {
        await killable.restart();
      }
      assert.equal((await tracesOf(killable.url, experiment)).length, 0);
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
          const t2 = performance.now();
          for (const l of lines.slice(1)) await app.call(l);
          const rest3 = performance.now() - t2;
          return { first, rest3, res: await app.end() };
        };
        const fast = await measure(pyEnv(base, experiment));
        const slow = await measure(pyEnv(proxy.url, experiment));
        const plain = await measure(plainEnv(standin.url));
        for (const r of [fast, slow, plain]) assert.equal(r.res.code, 0, r.res.stderr);
        assert.equal(slow.res.stdout, plain.res.stdout);
        console.log(`      first call answered after ${Math.round(slow.first)} ms (5 s MLflow) / ${Math.round(fast.first)} ms (fast MLflow) / ${Math.round(plain.first)} ms untraced; next 3 calls ${Math.round(slow.rest3)} / ${Math.round(fast.rest3)} / ${Math.round(plain.rest3)} ms; exit ${Math.round(slow.res.exitDelayMs)} / ${Math.round(fast.res.exitDelayMs)} / ${Math.round(plain.res.exitDelayMs)} ms after stdin closed`);
        // Start-up: one synchronous experiment lookup (the shim's set_experiment) at 5 s, no more.
        assert.ok(slow.first < fast.first + 5000 + 2500, 'start-up waits for one lookup, not more');
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
      const plain = await runToEnd(python, [file], plainEnv(standin.url));
      const traced = await runToEnd(python, [file], pyEnv(base, experiment));
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
