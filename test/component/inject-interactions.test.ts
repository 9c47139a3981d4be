// The Node preload on the Interactions and Live APIs, end to end with real parts: the fixture apps
// (CommonJS, ESM, TypeScript via tsx) run as child processes with the injector's environment,
// call the real @google/genai against the Gemini stand-in, and their traces are read back from a
// real MLflow over REST. The span-by-span expectations live in test/helpers/interactionsAssertions.ts
// so the Python tracer's apps can be held to the same ones.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { TAG } from '../../src/shared/runTags';
import { interactionReply } from '../fixtures/gemini/interactionReplies';
import { assertContentKeptOut, assertInteractionsApp, assertLiveEdges, assertWatchedRun, assertUnfinishedRun, expectedUsage, SCENARIO_TRACES } from '../helpers/interactionsAssertions';
import { uniqueName } from '../helpers/mlflow';
import { plainEnv, preloadBed, run, tracedEnv } from '../helpers/runApp';
import { experimentId, markedLine, parsed, traces } from '../helpers/traceView';
import type { SpanView } from '../helpers/traceView';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON read back from MLflow */
type Any = any;

const root = resolve(__dirname, '../..');
const apps = join(root, 'test/fixtures/apps');
const tsxBin = join(root, 'node_modules/.bin/tsx');
const a = (s: SpanView, k: string): Any => parsed(s.attrs[k]);

describe('Node preload: the Interactions and Live APIs traced into MLflow', function () {
  this.timeout(240_000);
  const bed = preloadBed('gt-inject-interactions-');

  /** Runs an app traced with its own experiment and API key (its stand-in calls are told apart by the key). */
  async function runTraced(cmd: string, file: string, opts: { args?: string[]; capture?: boolean } = {}) {
    const experiment = uniqueName('inject-interactions');
    const runId = randomUUID();
    const key = `key-${runId}`;
    const env = await tracedEnv({ standinUrl: bed.standin.url, distDir: bed.distDir, experiment, runId, workspace: apps, capture: opts.capture, extra: { GEMINI_API_KEY: key } });
    const res = await run(cmd, [file, ...(opts.args ?? [])], env, join(file, '..'));
    return { res, experiment, runId, calls: () => bed.standin.calls.filter((c) => c.apiKey === key) };
  }

  const fixtures = [
    { label: 'CommonJS', file: join(apps, 'node-cjs/interactions.cjs'), cmd: process.execPath },
    { label: 'ESM', file: join(apps, 'node-esm/interactions.mjs'), cmd: process.execPath },
    { label: 'TypeScript', file: join(apps, 'ts-tsx/interactions.ts'), cmd: tsxBin },
  ];

  for (const app of fixtures) {
    it(`${app.label}: every call of the scenario is a trace with its steps, usage, status and code location`, async () => {
      const { res, experiment, runId, calls } = await runTraced(app.cmd, app.file);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '', 'the preload writes nothing when all is well');
      const untraced = await run(app.cmd, [app.file], plainEnv(bed.standin.url), join(app.file, '..'));
      assert.equal(res.stdout, untraced.stdout, 'the app prints the same traced and untraced');
      const all = await traces(await experimentId(experiment), SCENARIO_TRACES, 30_000, { settled: true });
      assertInteractionsApp({ traces: all, file: app.file, calls: calls(), label: app.label, tags: { [TAG.runId]: runId, [TAG.runtime]: 'node', [TAG.workspace]: apps } });
    });
  }

  it('captureContent false keeps inputs, outputs and tool arguments out but keeps ids, statuses and tokens', async () => {
    const file = join(apps, 'node-cjs/interactions.cjs');
    const { res, experiment, runId, calls } = await runTraced(process.execPath, file, { capture: false });
    assert.equal(res.code, 0, res.stderr);
    const all = await traces(await experimentId(experiment), SCENARIO_TRACES, 30_000, { settled: true });
    assertInteractionsApp({ traces: all, file, calls: calls(), label: 'CommonJS', tags: { [TAG.runId]: runId }, capture: false });
    assertContentKeptOut(all);
  });

  it('streams: the app gets every event untouched, however it reads; the span holds the assembled interaction', async () => {
    const file = join(apps, 'node-cjs/interactions-stream.cjs');
    const { res, experiment, calls } = await runTraced(process.execPath, file);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    const untraced = await run(process.execPath, [file], plainEnv(bed.standin.url), join(file, '..'));
    const typeLine = (out: string) => out.split('\n').find((l) => l.startsWith('type '));
    assert.equal(typeLine(res.stdout), 'type Stream true function');
    assert.equal(typeLine(res.stdout), typeLine(untraced.stdout), 'the same Stream class traced and untraced');
    const printed = (label: string) => res.stdout.split('\n').filter((l) => l.startsWith(`${label} `)).map((l) => l.slice(label.length + 1));
    const mine = calls();
    const createWith = (text: string) => mine.find((c) => c.method === 'interactions.create' && JSON.stringify(c.body).includes(text))!;
    // What the app printed is, byte for byte, what the stand-in sent.
    for (const [label, text] of [['forAwait', 'Stream with thoughts'], ['reader', 'Stream a function call'], ['streamError', 'Stream that breaks']] as const) {
      const call = createWith(text);
      assert.deepEqual(printed(label), call.response.map((e: unknown) => JSON.stringify(e)), `${label}: events as sent`);
    }
    const earlyCall = createWith('leaves early');
    assert.deepEqual(printed('early'), earlyCall.response.slice(0, 3).map((e: unknown) => JSON.stringify(e)));
    const hopCalls = mine.filter((c) => c.method === 'interactions.create' && Array.isArray(c.response) && (JSON.stringify(c.body).includes('[[continue:2]]') || c.body.continuation_token));
    assert.equal(hopCalls.length, 3, 'the SDK continued the decode over three requests');
    assert.deepEqual(printed('hops'), hopCalls.flatMap((c) => c.response.map((e: unknown) => JSON.stringify(e))));

    const all = await traces(await experimentId(experiment), 7, 30_000, { settled: true });
    const at = (name: string) => all.find((t) => Number(a(t.roots[0], 'code.lineno')) === markedLine(file, name))!;
    for (const [name, text] of [['forAwait', 'Stream with thoughts'], ['reader', 'Stream a function call']] as const) {
      const s = at(name).roots[0];
      const body = createWith(text).body;
      assert.deepEqual(a(s, 'mlflow.spanOutputs').steps, interactionReply(body).steps, `${name}: assembled like the non-streamed reply`);
      assert.deepEqual(a(s, 'mlflow.chat.tokenUsage'), expectedUsage(interactionReply(body).usage));
      assert.ok(a(s, 'gemini_trace.time_to_first_chunk_ms') > 0);
    }
    const call = a(at('reader').roots[0], 'mlflow.spanOutputs').steps.find((x: Any) => x.type === 'function_call');
    assert.deepEqual(call.arguments, { q: 'owls', n: 2 }, 'arguments joined from their JSON fragments');
    const early = at('early').roots[0];
    assert.equal(a(early, 'gemini_trace.stream_closed_early'), true);
    assert.equal(a(early, 'gemini_trace.stream_events'), 3);
    assert.equal(early.attrs['mlflow.chat.tokenUsage'], undefined, 'no final usage seen');
    const broken = at('streamError');
    assert.equal(broken.state, 'ERROR');
    assert.match(broken.roots[0].statusMessage, /stream broke off/);
    assert.equal(a(broken.roots[0], 'error.type'), 'INTERNAL');
    assert.equal(a(broken.roots[0], 'gemini.interaction.id'), createWith('Stream that breaks').id);
    const hops = at('hops').roots[0];
    const hopOut = a(hops, 'mlflow.spanOutputs');
    assert.deepEqual(hopOut.continuation_ids, hopCalls.map((c) => c.id));
    assert.equal(hopOut.output_text, 'echo: one two three four five six seven eight');
    assert.equal(a(hops, 'gemini.interaction.id'), hopCalls[2].id);
    assert.equal(a(hops, 'mlflow.chat.tokenUsage').output_tokens, 9, 'usage summed over the hops');
    const resumed = at('bgCreate');
    assert.equal(resumed.roots[0].name, 'Interactions.background');
    assert.equal(a(resumed.roots[0], 'mlflow.spanType'), 'CHAIN');
    assert.deepEqual(resumed.roots[0].children.map((s) => [s.name, Number(a(s, 'code.lineno'))]), [['Interactions.create', markedLine(file, 'bgCreate')], ['Interactions.get', markedLine(file, 'resume')]]);
    assert.equal(a(resumed.roots[0].children[1], 'gemini.interaction.status'), 'completed');
    const del = at('delete').roots[0];
    assert.deepEqual([del.name, a(del, 'mlflow.spanType'), del.status, a(del, 'gemini.interaction.id')], ['Interactions.delete', 'UNKNOWN', 'STATUS_CODE_OK', mine.find((c) => c.method === 'interactions.delete')!.id]);
    assert.deepEqual(a(del, 'mlflow.spanInputs'), { id: a(del, 'gemini.interaction.id') });
    const resumedGet = mine.find((c) => c.method === 'interactions.get' && c.query?.stream === 'true')!;
    assert.deepEqual(printed('resume'), resumedGet.response.map((e: unknown) => JSON.stringify(e)));
    assert.deepEqual(a(resumed.roots[0].children[1], 'mlflow.spanOutputs').steps, interactionReply(createWith('Think in the background').body).steps);
  });

  it('a running background agent is IN_PROGRESS in MLflow, tagged with its run, named, and OK once the app sees it complete', async () => {
    const file = join(apps, 'node-cjs/interactions-exit.cjs');
    const experiment = uniqueName('inject-inprogress');
    const runId = randomUUID();
    const env = await tracedEnv({ standinUrl: bed.standin.url, distDir: bed.distDir, experiment, runId, workspace: apps });
    const child = spawn(process.execPath, [file, 'watch'], { env, cwd: join(file, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    const done = await assertWatchedRun(child, experiment, runId, 'node');
    assert.equal(done.tags['mlflow.traceName'], 'Interactions.background');
  });

  it('Live sessions: audio as metadata, an interruption, goAway, an error close, and one open at exit', async () => {
    const file = join(apps, 'node-cjs/live-edges.cjs');
    const { res, experiment } = await runTraced(process.execPath, file);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'audio: message\ngoaway: closed 1000\nbroken: closed 1011\nleft: message\n');
    assertLiveEdges(await traces(await experimentId(experiment), 4, 20_000, { settled: true }), file);
  });

  for (const mode of ['leave', 'exit'] as const) {
    it(`an app that ${mode === 'exit' ? 'calls process.exit()' : 'returns'} while its background agent runs: the trace is exported, unfinished`, async () => {
      const file = join(apps, 'node-cjs/interactions-exit.cjs');
      const { res, experiment, calls } = await runTraced(process.execPath, file, { args: [mode] });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      assert.equal(res.stdout, 'status: in_progress\n');
      const [t] = await traces(await experimentId(experiment), 1, 20_000, { settled: true });
      assertUnfinishedRun(t, file, calls().find((c) => c.method === 'interactions.create')!.response.id);
    });
  }
});
