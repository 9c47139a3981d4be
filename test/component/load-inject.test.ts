// Load through the Node preload, with real parts: test/fixtures/apps/faults/load.cjs makes 1,000
// generateContent calls across 20 concurrent async tasks with the real @google/genai against the
// Gemini stand-in, traced into a real MLflow server. Every call must come back as its own trace:
// 1,000 distinct trace ids, each prompt marker in exactly one trace, each trace exactly one
// model-call span. Memory is reported here and measured properly in bench/load-calls.mjs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { App, reapSenders, faultApps, plainEnv, runToEnd, spansOf, tracedEnv, tracesByMarker, tracesOf } from '../fixtures/apps/faults/harness';
import type { Json } from '../fixtures/apps/faults/harness';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';

const CALLS = 1000;
const TASKS = 20;

describe('Node preload under load: 1,000 calls from 20 concurrent tasks', function () {
  this.timeout(360_000);
  let standin: Standin;
  let work: string;
  let distDir: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'gt-load-inject-'));
    distDir = join(work, 'dist');
    const { buildNodeInject } = await import('../../scripts/lib/node-inject.mjs');
    const [, s] = await Promise.all([buildNodeInject(distDir), startStandin(), mlflowUrl()]);
    standin = s;
    // One traced call first, so a freshly started server's slow first answers are not measured.
    const base = await mlflowUrl();
    const experiment = uniqueName('load-warmup');
    const app = new App(process.execPath, [join(faultApps, 'driven.cjs')], tracedEnv({ runtime: 'node', distDir, trackingUri: base, experiment, standinUrl: standin.url }));
    await app.call('warmup');
    await tracesByMarker(base, experiment, ['warmup'], (m) => `#${m}#`, 60_000);
    await app.end();
  });
  after(async () => {
    // Senders still resending what MLflow already has (or trying a server this file stopped).
    reapSenders();
    await standin?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every call arrives as its own trace with one model-call span; none lost, merged or doubled', async () => {
    const base = await mlflowUrl();
    const experiment = uniqueName('load-1000');
    const load = join(faultApps, 'load.cjs');
    const extra = { LOAD_CALLS: String(CALLS), LOAD_TASKS: String(TASKS) };
    standin.reset();
    const t0 = Date.now();
    const res = await runToEnd(process.execPath, [load], tracedEnv({ runtime: 'node', distDir, trackingUri: base, experiment, standinUrl: standin.url, extra }));
    const ranMs = Date.now() - t0;
    assert.equal(res.code, 0, res.stderr);
    // A busy MLflow may time a batch out: the preload then says it holds the spans and retries,
    // which is fine; a line saying spans were dropped is not.
    assert.doesNotMatch(res.stderr, /dropped|could not be handed/, 'nothing was dropped');
    const summary = JSON.parse(res.stdout) as { ok: number; failed: number; ms: number; peakRss: number };
    assert.equal(summary.ok, CALLS, 'every call answered with its own echo');
    assert.equal(summary.failed, 0);
    assert.equal(standin.calls.length, CALLS, 'the stand-in saw every call');

    // All 1,000 traces, each marker in exactly one (tracesByMarker fails on a marker seen twice).
    const markers = Array.from({ length: CALLS }, (_, i) => String(i));
    const byMarker = await tracesByMarker(base, experiment, markers, (m) => `#${m}#`, 180_000);
    const arrivedMs = Date.now() - t0;
    const all = await tracesOf(base, experiment);
    assert.equal(all.length, CALLS, 'exactly 1,000 traces: none merged, none doubled');
    assert.equal(new Set(all.map((t: Json) => t.trace_id)).size, CALLS, 'distinct trace ids');
    assert.equal(new Set([...byMarker.values()].map((t: Json) => t.trace_id)).size, CALLS, 'one trace per marker');
    for (const t of all) assert.equal(t.state, 'OK');

    // Each trace: exactly one span, the model call, whose input and output carry its own marker.
    const started = Date.now();
    const queue = [...byMarker.entries()];
    const check = async () => {
      for (let next = queue.pop(); next; next = queue.pop()) {
        const [m, t] = next;
        const spans = await spansOf(base, t.trace_id);
        assert.equal(spans.length, 1, `trace of #${m}# has ${spans.length} spans`);
        assert.equal(spans[0].name, 'Models.generateContent');
        assert.equal(JSON.parse(spans[0].attributes['mlflow.spanType']), 'LLM');
        assert.ok(spans[0].attributes['mlflow.spanInputs'].includes(`load call #${m}#`), `#${m}#: its own prompt`);
        assert.ok(spans[0].attributes['mlflow.spanOutputs'].includes(`echo: load call #${m}#`), `#${m}#: its own reply`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, check));
    console.log(`      ${CALLS} calls in ${summary.ms} ms (process ${ranMs} ms); all traces readable ${arrivedMs} ms after start; spans checked in ${Date.now() - started} ms; traced peak RSS ${(summary.peakRss / 2 ** 20).toFixed(1)} MiB`);
  });

  it("keeps the traced app's memory bounded: peak RSS against the untraced run", async () => {
    const load = join(faultApps, 'load.cjs');
    const extra = { LOAD_CALLS: String(CALLS), LOAD_TASKS: String(TASKS) };
    const plain = await runToEnd(process.execPath, [load], { ...plainEnv(standin.url), ...extra });
    const traced = await runToEnd(process.execPath, [load], tracedEnv({ runtime: 'node', distDir, trackingUri: await mlflowUrl(), experiment: uniqueName('load-rss'), standinUrl: standin.url, extra }));
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(traced.code, 0, traced.stderr);
    const p = JSON.parse(plain.stdout) as { peakRss: number };
    const t = JSON.parse(traced.stdout) as { peakRss: number };
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    console.log(`      peak RSS traced ${mib(t.peakRss)} MiB vs untraced ${mib(p.peakRss)} MiB (×${(t.peakRss / p.peakRss).toFixed(2)}); bench/load-calls.mjs measures it properly`);
    // 1,000 spans of a few KiB each, the OpenTelemetry SDK and the outbox: tens of MiB at most.
    assert.ok(t.peakRss < p.peakRss + 96 * 2 ** 20, `traced peak ${mib(t.peakRss)} MiB, untraced ${mib(p.peakRss)} MiB`);
  });
});
