// The Node preload, end to end with real parts: the fixture apps (CommonJS, ESM, TypeScript via tsx)
// run as child processes with the environment src/launch/env.ts builds, call the real @google/genai
// against the Gemini stand-in, and their traces are read back from a real MLflow server over REST.
// The preload is built privately (scripts/lib/node-inject.mjs) so a concurrent `npm run build`
// cannot pull it away mid-test.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { captureCallSite } from '../../src/inject/node/callsite';
import { readConfig, tracingDisabled } from '../../src/inject/node/config';
import { MIN_GAP_MS, signaller } from '../../src/inject/node/signal';
import { injectionFiles, injectionVariables } from '../../src/launch/env';
import { ENV, TAG } from '../../src/shared/runTags';
import { assertGenaiTraces, assertNoContent } from '../helpers/genaiAssertions';
import { mlflowRest, mlflowUrl, uniqueName } from '../helpers/mlflow';
import { plainEnv as plainAppEnv, preloadBed, run, tracedEnv as tracedAppEnv } from '../helpers/runApp';
import { experimentId, markedLine, parsed, traces } from '../helpers/traceView';
import type { Json } from '../helpers/traceView';

const root = resolve(__dirname, '../..');
const apps = join(root, 'test/fixtures/apps');
const tsxBin = join(root, 'node_modules/.bin/tsx');

describe('Node preload: @google/genai traced into MLflow', function () {
  this.timeout(240_000);
  const bed = preloadBed('gt-inject-node-');

  /** The app's environment: the injector's variables on a clean base (no inherited tracing). */
  const tracedEnv = (opts: { experiment: string; runId: string; trackingUri?: string; capture?: boolean; dist?: string; extra?: NodeJS.ProcessEnv }) =>
    tracedAppEnv({ ...opts, standinUrl: bed.standin.url, distDir: opts.dist ?? bed.distDir, workspace: apps });
  const plainEnv = () => plainAppEnv(bed.standin.url);

  const fixtures = [
    { label: 'CommonJS', file: join(apps, 'node-cjs/app.cjs'), cmd: process.execPath, extra: [] as string[] },
    { label: 'ESM', file: join(apps, 'node-esm/app.mjs'), cmd: process.execPath, extra: ['chatStream', 'count'], signal: true },
    { label: 'TypeScript via tsx', file: join(apps, 'ts-tsx/app.ts'), cmd: tsxBin, extra: [] as string[] },
  ];

  for (const app of fixtures) {
    it(`${app.label}: traces generate, stream, chat with tools, embedding and a 429 at their lines`, async () => {
      const experiment = uniqueName(`inject-${app.label.split(' ')[0].toLowerCase()}`);
      const runId = randomUUID();
      bed.standin.reset();
      // The file the extension watches to know MLflow took an upload (src/inject/node/signal.ts).
      // Only the exporter in the app signals, not the exit sender that takes a fast app's last
      // spans; so the stream call (the second) answers late and the first trace's upload is
      // accepted while the app runs. Checked on the second app: a fresh MLflow can take seconds
      // over its first span ingest.
      const signal = app.signal ? join(bed.work, `signal-${runId}`) : undefined;
      if (signal) bed.standin.enqueue('streamGenerateContent', { delayMs: 1500 });
      const startedAt = Date.now();
      const res = await run(app.cmd, [app.file], await tracedEnv({ experiment, runId, extra: signal ? { [ENV.signal]: signal } : {} }), join(app.file, '..'));
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '', 'the preload writes nothing when all is well');
      assert.match(res.stdout, /^generate: echo: Say hello/m);
      const calls = [...bed.standin.calls];
      const all = await traces(await experimentId(experiment), 5 + app.extra.length);
      if (signal) {
        assert.ok(existsSync(signal), 'the signal file was written after an accepted upload');
        // The exit-time sender may be rewriting it (truncate, then write) as the test reads: r30
        // read "" once. A moment later it holds a time again.
        let text = readFileSync(signal, 'utf8');
        for (let i = 0; i < 20 && !text; i++) text = await new Promise<string>((r) => setTimeout(() => r(readFileSync(signal, 'utf8')), 100));
        const signalled = Number(text);
        assert.ok(Number.isInteger(signalled) && signalled >= startedAt && signalled <= Date.now(), `signal holds a time in ms within the run, got "${text}"`);
      }
      assertGenaiTraces(
        { file: app.file, run: { id: runId, name: 'inject-node test', startedAt: '2026-01-02T03:04:05.000Z', workspace: apps }, runtime: 'node', extra: app.extra as ('chatStream' | 'count')[], exceptionType: 'ApiError', standinUrl: bed.standin.url },
        all,
        calls,
      );
      assert.match(res.stdout, /^fail: 429$/m, 'the app saw the same error');
    });
  }

  it('maps call sites through a .js.map on disk (tsc/esbuild output run by plain node)', async () => {
    // Compile the TypeScript fixture the way a build would: CommonJS + a linked source map, no tsx.
    const out = join(bed.work, 'compiled', 'app.cjs');
    await esbuild.build({ entryPoints: [join(apps, 'ts-tsx/app.ts')], outfile: out, format: 'cjs', platform: 'node', sourcemap: 'linked', bundle: false, logLevel: 'silent' });
    const experiment = uniqueName('inject-compiled');
    const env = await tracedEnv({ experiment, runId: randomUUID(), extra: { NODE_PATH: join(root, 'node_modules') } });
    const res = await run(process.execPath, [out], env, join(out, '..'));
    assert.equal(res.code, 0, res.stderr);
    const source = join(apps, 'ts-tsx/app.ts');
    const all = await traces(await experimentId(experiment), 5);
    const lines = all.map((t) => t.roots[0].attrs['code.lineno']).sort((a, b) => Number(a) - Number(b));
    assert.deepEqual(lines, ['generate', 'stream', 'chat', 'embed', 'fail'].map((n) => markedLine(source, n)));
    for (const t of all) assert.equal(t.roots[0].attrs['code.filepath'], source);
  });

  it('captureContent false keeps prompts and replies out but keeps model and tokens', async () => {
    const experiment = uniqueName('inject-nocapture');
    const file = join(apps, 'node-cjs/app.cjs');
    // Also: a signal file the preload cannot write (no such folder) changes nothing for the app.
    const badSignal = join(bed.work, 'no-such-dir', 'signal');
    const res = await run(process.execPath, [file], await tracedEnv({ experiment, runId: randomUUID(), capture: false, extra: { [ENV.signal]: badSignal } }), join(file, '..'));
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '', 'an unwritable signal file is not reported');
    assert.equal(res.stdout, (await run(process.execPath, [file], plainEnv(), join(file, '..'))).stdout, 'stdout as without tracing');
    const all = await traces(await experimentId(experiment), 5);
    assertNoContent(all, ['Say hello', 'echo:', 'Stream a short', 'weather in Paris', 'sunny', 'embed this']);
    const gen = all.find((t) => t.roots[0].attrs['code.lineno'] === markedLine(file, 'generate'))!.roots[0];
    assert.equal(gen.attrs['mlflow.llm.model'], 'gemini-2.5-flash');
    assert.ok((parsed(gen.attrs['mlflow.chat.tokenUsage']) as Json).total_tokens as number > 0);
    assert.ok(!existsSync(join(bed.work, 'no-such-dir')), 'no folder made for the signal');
  });

  it('traces the parent, a worker thread and a child process once each; a second preload copy adds nothing', async () => {
    const experiment = uniqueName('inject-family');
    const second = join(bed.work, 'dist-copy');
    cpSync(bed.distDir, second, { recursive: true });
    const env = await tracedEnv({ experiment, runId: randomUUID() });
    // Two installs injected into one process (e.g. a terminal and a launch config both did it).
    env.NODE_OPTIONS = `${env.NODE_OPTIONS} ${injectionVariables({ settings: { trackingUri: await mlflowUrl(), captureContent: true, run: { id: 'x', name: 'x', startedAt: new Date() } }, files: injectionFiles(second), runtimes: ['node'] }).NODE_OPTIONS}`;
    const file = join(apps, 'node-cjs/family.cjs');
    const res = await run(process.execPath, [file], env, join(file, '..'));
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n').sort(), ['child: echo: hello from the child', 'parent: echo: hello from the parent', 'worker: echo: hello from the worker']);
    const all = await traces(await experimentId(experiment), 3);
    await new Promise((d) => setTimeout(d, 1500)); // a duplicate would have arrived by now
    assert.equal((await traces(await experimentId(experiment), 3)).length, 3);
    for (const t of all) assert.equal(t.roots[0].attrs['code.lineno'], markedLine(file, 'family'));
  });

  it('delivers the last trace when the app calls process.exit() right after it', async () => {
    const experiment = uniqueName('inject-exit');
    const file = join(apps, 'node-cjs/exit-now.cjs');
    const res = await run(process.execPath, [file], await tracedEnv({ experiment, runId: randomUUID() }), join(file, '..'));
    assert.equal(res.code, 0, res.stderr);
    const [t] = await traces(await experimentId(experiment), 1, 5000);
    assert.equal(t.roots[0].attrs['code.lineno'], markedLine(file, 'exit'));
  });

  it('with MLflow stopped: same stdout, one warning, exit within 2 s of the untraced run', async () => {
    // A port nobody listens on: what a stopped local server looks like.
    const { freePort } = await import('../../scripts/lib/mlflow.mjs');
    const down = `http://127.0.0.1:${await freePort()}`;
    for (const app of fixtures) {
      const cwd = join(app.file, '..');
      const plain = await run(app.cmd, [app.file], plainEnv(), cwd);
      const traced = await run(app.cmd, [app.file], await tracedEnv({ experiment: 'never-created', runId: randomUUID(), trackingUri: down }), cwd);
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(traced.code, 0, traced.stderr);
      assert.equal(traced.stdout, plain.stdout, `${app.label}: stdout unchanged`);
      const warnings = traced.stderr.split('\n').filter((l) => l.includes('[gemini-trace]'));
      assert.equal(warnings.length, 1, `${app.label}: exactly one warning, got:\n${traced.stderr}`);
      assert.match(warnings[0], /refused the connection — start it with `mlflow server/);
      // The exit bound: on a loaded machine one run's start-up alone can swing by seconds (tsx),
      // so a miss is measured once more and the faster run of each kind counts. A preload that
      // really held the exit would miss both times.
      let [tracedMs, plainMs] = [traced.ms, plain.ms];
      if (tracedMs >= plainMs + 2000) {
        plainMs = Math.min(plainMs, (await run(app.cmd, [app.file], plainEnv(), cwd)).ms);
        tracedMs = Math.min(tracedMs, (await run(app.cmd, [app.file], await tracedEnv({ experiment: 'never-created', runId: randomUUID(), trackingUri: down }), cwd)).ms);
      }
      assert.ok(tracedMs < plainMs + 2000, `${app.label}: traced run took ${Math.round(tracedMs)} ms, untraced ${Math.round(plainMs)} ms (best of two when the first missed)`);
    }
  });

  it("the built preload carries package.json's version (an esbuild define, not a literal in the source)", async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const show = "console.log(process[Symbol.for('gemini-trace.node.preload')]?.version)";
    const res = await run(process.execPath, ['-e', show], await tracedEnv({ experiment: uniqueName('inject-version'), runId: randomUUID() }), apps);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), version);
  });

  it('starts its tracing machinery only when the app reaches a traced package or uses a client (CommonJS and ESM)', async () => {
    // What every traced process pays at start is the small preload.cjs: tracing.cjs (with
    // OpenTelemetry) loads on the first require or import of a package it traces, before the app
    // sees that package's exports, and for @google/genai on a client's first use (lazyGenAI.ts).
    const experiment = uniqueName('inject-boot');
    const env = await tracedEnv({ experiment, runId: randomUUID() });
    const probe = `const has = (re) => Object.keys(req.cache).some((f) => re.test(f));
const seen = () => has(/tracing\\.cjs$/);
const out = { start: seen() };
await import('node:http');
out.other = seen();
const sdk = LOAD_SDK;
out.sdk = seen();
const ai = new sdk.GoogleGenAI({ apiKey: 'k' });
out.client = seen() || typeof ai.models.generateContent !== 'function';
out.text = (await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'boot' })).text;
out.call = seen();
console.log(JSON.stringify(out));`;
    const cjs = await run(process.execPath, ['-e', `const req = require; (async () => { ${probe.replace('LOAD_SDK', "req('@google/genai')")} })();`], env, root);
    const esm = await run(process.execPath, ['--input-type=module', '-e', `import { createRequire } from 'node:module'; const req = createRequire(import.meta.url);\n${probe.replace('LOAD_SDK', "await import('@google/genai')")}`], env, root);
    for (const [label, res] of [['CommonJS', cjs], ['ESM', esm]] as const) {
      assert.equal(res.code, 0, `${label}: ${res.stderr}`);
      const out = JSON.parse(res.stdout.trim()) as Record<string, unknown>;
      assert.equal(out.start, false, `${label}: tracing.cjs is not loaded at start`);
      assert.equal(out.other, false, `${label}: nor after loading a module it does not trace`);
      assert.equal(out.sdk, false, `${label}: nor with @google/genai`);
      assert.equal(out.client, false, `${label}: nor for a client made and looked at`);
      assert.equal(out.text, 'echo: boot');
      assert.equal(out.call, true, `${label}: tracing.cjs loaded for the client's first call`);
    }
    const all = await traces(await experimentId(experiment), 2);
    assert.equal(all.length, 2, 'both first calls traced');
  });

  it('a CommonJS app starts the ES module loader on Node 20 only when it may import; a late import and a detected ES module are still traced', async () => {
    // Node 20's loader runs in a thread of its own, ~50 ms of every start: a CommonJS program puts
    // it off until a module it is about to run holds an import() or ES module syntax (esmHooks.ts).
    const node20 = process.versions.node.startsWith('20.');
    const experiment = uniqueName('inject-esm-later');
    const env = await tracedEnv({ experiment, runId: randomUUID() });
    const dir = join(apps, 'node-cjs');
    const late = await run(process.execPath, [join(dir, 'esm-later.cjs')], env, dir);
    assert.equal(late.code, 0, late.stderr);
    const lateOut = JSON.parse(late.stdout.trim()) as { before: string; after: string; text: string };
    assert.deepEqual([lateOut.before, lateOut.after], node20 ? ['deferred', 'off-thread'] : [lateOut.after, lateOut.after]);
    const detected = await run(process.execPath, [join(dir, 'detected.js')], env, dir);
    assert.equal(detected.code, 0, detected.stderr);
    const detectedOut = JSON.parse(detected.stdout.trim()) as { hooks: string };
    if (node20) assert.equal(detectedOut.hooks, 'off-thread');
    const all = await traces(await experimentId(experiment), 2);
    const lines = all.map((t) => `${t.roots[0].attrs['code.filepath']}:${t.roots[0].attrs['code.lineno']}`).sort();
    assert.deepEqual(lines, [`${join(dir, 'detected.js')}:${markedLine(join(dir, 'detected.js'), 'detected')}`, `${join(dir, 'esm-later-part.cjs')}:${markedLine(join(dir, 'esm-later-part.cjs'), 'late')}`]);
  });

  it('compiles its tracing machinery from a code cache it writes once, and recovers from a bad one', async () => {
    // A copy of the build of its own: the cache is written beside the bundles (codeCache.ts).
    const dist = join(bed.work, 'dist-code-cache');
    cpSync(bed.distDir, dist, { recursive: true });
    const cacheDir = join(dist, 'inject/node/.v8-cache');
    rmSync(cacheDir, { recursive: true, force: true });
    const experiment = uniqueName('inject-code-cache');
    const env = await tracedEnv({ experiment, runId: randomUUID(), dist });
    const app = `const { GoogleGenAI } = require('@google/genai');
(async () => {
  const r = await new GoogleGenAI({ apiKey: 'k' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'cache' });
  console.log(process[Symbol.for('gemini-trace.node.preload')].codeCache, r.text);
})();`;
    const once = async () => {
      const res = await run(process.execPath, ['-e', app], env, root);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      return res.stdout.trim();
    };
    assert.equal(await once(), 'none echo: cache', 'the first start compiles, and writes the cache as it ends');
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1, files.join());
    assert.match(files[0], new RegExp(`^tracing\\.cjs-${process.version.replace(/\./g, '\\.')}-${process.arch}-`));
    assert.equal(await once(), 'hit echo: cache', 'the next start compiles from it');
    const damaged = randomBytes(4096);
    writeFileSync(join(cacheDir, files[0]), damaged);
    assert.equal(await once(), 'rejected echo: cache', 'V8 refuses a damaged cache: compiled again');
    assert.notDeepEqual(readFileSync(join(cacheDir, files[0])).subarray(0, 4096), damaged, 'and rewritten');
    assert.equal(await once(), 'hit echo: cache');
    await traces(await experimentId(experiment), 4);
  });

  it("an app run with DEBUG=* prints nothing of the preload's on stderr", async () => {
    // require-in-the-middle logs through `debug`, which the app's own DEBUG switches on: the
    // bundle silences it (src/inject/node/debugOff.cjs), so stderr is the untraced one.
    const app = "const { GoogleGenAI } = require('@google/genai'); new GoogleGenAI({ apiKey: 'k' }); require('node:path'); console.log('ok');";
    const extra = { DEBUG: '*', DEBUG_COLORS: '0' };
    const traced = await run(process.execPath, ['-e', app], await tracedEnv({ experiment: uniqueName('inject-debug'), runId: randomUUID(), extra }), root);
    const plain = await run(process.execPath, ['-e', app], { ...plainEnv(), ...extra }, root);
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stdout, plain.stdout);
    assert.equal(traced.stderr, plain.stderr, 'the same stderr as untraced');
  });

  it("an ESM app's @google/genai is the SDK's own namespace, every export the same but GoogleGenAI", async () => {
    const env = await tracedEnv({ experiment: uniqueName('inject-esm-ns'), runId: randomUUID() });
    const probe = `import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const seen = await import('@google/genai');
const file = createRequire(import.meta.url).resolve('@google/genai').replace(/index\\.cjs$/, 'index.mjs');
const own = await import(pathToFileURL(file).href);
const keys = (ns) => Object.keys(ns).sort();
const differ = keys(own).filter((k) => seen[k] !== own[k]);
const client = new seen.GoogleGenAI({ apiKey: 'k' });
console.log(JSON.stringify({ same: JSON.stringify(keys(seen)) === JSON.stringify(keys(own)), n: keys(own).length, differ, name: seen.GoogleGenAI.name, instance: client instanceof own.GoogleGenAI && client instanceof seen.GoogleGenAI }));`;
    const res = await run(process.execPath, ['--input-type=module', '-e', probe], env, root);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout.trim()) as { same: boolean; n: number; differ: string[]; name: string; instance: boolean };
    assert.ok(out.same && out.n > 100, `the same export names (${out.n})`);
    assert.deepEqual(out.differ, ['GoogleGenAI'], 'only GoogleGenAI is ours');
    assert.equal(out.name, 'GoogleGenAI');
    assert.equal(out.instance, true, 'a client is an instance of both classes');
  });

  it('GEMINI_TRACE_ACTIVE=0 turns the preload off with NODE_OPTIONS still set', async () => {
    const experiment = uniqueName('inject-off');
    const file = join(apps, 'node-cjs/app.cjs');
    const res = await run(process.execPath, [file], await tracedEnv({ experiment, runId: randomUUID(), extra: { GEMINI_TRACE_ACTIVE: '0' } }), join(file, '..'));
    assert.equal(res.code, 0, res.stderr);
    await new Promise((d) => setTimeout(d, 1000));
    const found = await mlflowRest<{ experiment?: unknown }>(`/api/2.0/mlflow/experiments/search`, { filter: `name = '${experiment}'`, max_results: 1 });
    assert.deepEqual((found as { experiments?: unknown[] }).experiments ?? [], [], 'nothing was written');
  });
});

describe('Node preload: configuration from the environment', () => {
  it('turns MLflow credentials into headers and keeps them out of the URL', () => {
    const basic = readConfig({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000/', MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 'pw' });
    assert.equal(basic.baseUrl, 'http://127.0.0.1:5000');
    assert.equal(basic.headers.authorization, `Basic ${Buffer.from('ann:pw').toString('base64')}`);
    const bearer = readConfig({ MLFLOW_TRACKING_URI: 'https://mlflow.example.test/prefix', MLFLOW_TRACKING_TOKEN: 'tok' });
    assert.equal(bearer.baseUrl, 'https://mlflow.example.test/prefix');
    assert.equal(bearer.headers.authorization, 'Bearer tok');
    const inUrl = readConfig({ MLFLOW_TRACKING_URI: 'http://bob:s%40cret@127.0.0.1:5000' });
    assert.equal(inUrl.baseUrl, 'http://127.0.0.1:5000');
    assert.equal(inUrl.headers.authorization, `Basic ${Buffer.from('bob:s@cret').toString('base64')}`);
    const dbx = readConfig({ MLFLOW_TRACKING_URI: 'databricks', DATABRICKS_HOST: 'adb-1.azuredatabricks.net', DATABRICKS_TOKEN: 'dapi1' });
    assert.equal(dbx.baseUrl, 'https://adb-1.azuredatabricks.net');
    assert.equal(dbx.headers.authorization, 'Bearer dapi1');
    assert.equal(dbx.unusable, undefined);
    assert.match(readConfig({ MLFLOW_TRACKING_URI: 'databricks' }).unusable ?? '', /DATABRICKS_HOST and DATABRICKS_TOKEN/);
    assert.match(readConfig({ MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' }).unusable ?? '', /not an http\(s\) server/);
  });

  it('reads the run tags and the content switch', () => {
    const cfg = readConfig({ GEMINI_TRACE_RUN_ID: 'r1', GEMINI_TRACE_RUN_NAME: 'Launch app', GEMINI_TRACE_RUN_STARTED: '2026-01-01T00:00:00.000Z', GEMINI_TRACE_WORKSPACE: '/w', GEMINI_TRACE_CAPTURE_CONTENT: 'false', MLFLOW_EXPERIMENT_NAME: 'exp' });
    assert.deepEqual(cfg.runTags, { [TAG.runtime]: 'node', [TAG.runId]: 'r1', [TAG.runName]: 'Launch app', [TAG.runStarted]: '2026-01-01T00:00:00.000Z', [TAG.workspace]: '/w' });
    assert.equal(cfg.captureContent, false);
    assert.equal(cfg.experimentName, 'exp');
    assert.equal(cfg.baseUrl, 'http://127.0.0.1:5000', 'MLflow on its default port when nothing is set');
    assert.equal(readConfig({}).captureContent, true);
    assert.equal(readConfig({ GEMINI_TRACE_SIGNAL: ' /tmp/sig ' }).signalFile, '/tmp/sig');
    assert.equal(readConfig({ GEMINI_TRACE_SIGNAL: '  ' }).signalFile, undefined);
    assert.equal(tracingDisabled({ GEMINI_TRACE_ACTIVE: '0' }), true);
    assert.equal(tracingDisabled({ GEMINI_TRACE_ACTIVE: '1' }), false);
  });
});

describe('Node preload: the upload signal file', () => {
  const until = async (cond: () => boolean, ms = 2000) => {
    for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await new Promise((d) => setTimeout(d, 10));
    return cond();
  };

  it('writes the time in ms at most once per gap, and shrugs off a path it cannot write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-signal-'));
    try {
      const file = join(dir, 'signal');
      const signal = signaller(file);
      const before = Date.now();
      // Wait for the text, not the file: writeFile creates it empty, then writes.
      const written = () => existsSync(file) && readFileSync(file, 'utf8') !== '';
      signal();
      assert.ok(await until(written), 'first signal written');
      const t = Number(readFileSync(file, 'utf8'));
      assert.ok(t >= before && t <= Date.now(), `time in ms, got ${t}`);
      rmSync(file);
      signal(); // within the gap: skipped
      await new Promise((d) => setTimeout(d, 100));
      assert.ok(!existsSync(file), `a second signal within ${MIN_GAP_MS} ms writes nothing`);
      await new Promise((d) => setTimeout(d, MIN_GAP_MS));
      signal();
      assert.ok(await until(written), 'written again after the gap');
      // No folder, a path that is a folder, an empty setting: nothing thrown, nothing made.
      assert.doesNotThrow(() => signaller(join(dir, 'missing', 'signal'))());
      assert.doesNotThrow(() => signaller(dir)());
      assert.doesNotThrow(() => signaller('bad\0path')());
      assert.doesNotThrow(() => signaller(undefined)());
      await new Promise((d) => setTimeout(d, 100));
      assert.ok(!existsSync(join(dir, 'missing')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Node preload: call sites', () => {
  it('names the first frame outside node_modules and the preload, mapped to the .ts line', () => {
    const site = (function caller() {
      return captureCallSite(); // @call:here
    })();
    assert.equal(site?.filepath, __filename);
    assert.equal(site?.lineno, markedLine(__filename, 'here'));
    assert.equal(site?.function, 'caller');
  });

  it("uses a stack formatter the app installed (ts-node's source-map-support) when it moves the frame", () => {
    const saved = Error.prepareStackTrace;
    Error.prepareStackTrace = () => 'Error\n    at compiled (/virtual/src/app.ts:4242:7)';
    try {
      const site = captureCallSite();
      assert.deepEqual(site, { filepath: '/virtual/src/app.ts', lineno: 4242, function: '<anonymous>' });
    } finally {
      Error.prepareStackTrace = saved;
    }
  });
});
