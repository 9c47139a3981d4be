// The Python tracer on Gemini's Interactions and Live APIs, end to end with real parts: the fixture
// apps (test/fixtures/apps/python/interactions*.py) run in venvs that hold only google-genai (no
// mlflow), with the injector's environment, against the Gemini stand-in (TLS on, for google-genai's
// wss:// Live client) and a real MLflow; their traces are read back over REST and held to the very
// expectations the Node apps meet (test/helpers/interactionsAssertions.ts).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { injectionFiles, injectionVariables } from '../../src/launch/env';
import { TAG } from '../../src/shared/runTags';
import { shimDir } from '../fixtures/apps/faults/harness';
import { interactionReply } from '../fixtures/gemini/interactionReplies';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { selfSignedCert } from '../fixtures/gemini/tls';
import { assertContentKeptOut, assertInteractionsApp, assertLiveEdges, assertWatchedRun, assertSignatureReplay, assertUnfinishedRun, expectedUsage, SCENARIO_TRACES } from '../helpers/interactionsAssertions';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';
import { run } from '../helpers/runApp';
import { experimentId, markedLine, parsed, traces } from '../helpers/traceView';
import type { SpanView } from '../helpers/traceView';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON read back from MLflow */
type Any = any;

const root = join(__dirname, '..', '..');
const apps = join(root, 'test/fixtures/apps');
const a = (s: SpanView, k: string): Any => parsed(s.attrs[k]);

describe('Python tracer: the Interactions and Live APIs traced into MLflow', function () {
  this.timeout(300_000);
  let standin: Standin;
  const pythons: Record<string, string> = {};

  before(async () => {
    const { ensureAppVenv } = await import('../../scripts/lib/python.mjs');
    for (const name of ['genai', 'genai-2']) pythons[name] = ensureAppVenv(name);
    standin = await startStandin({ tls: selfSignedCert() });
    await mlflowUrl();
  });
  after(() => standin?.close());

  /** The app's environment untraced: this process's minus any tracing, pointed at the stand-in. */
  function plainEnv(key: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(GEMINI_TRACE_|MLFLOW_|OTEL_|PYTHONPATH$|NODE_OPTIONS$|GOOGLE_GEMINI_BASE_URL$|GEMINI_API_KEY$|GOOGLE_API_KEY$)/.test(k)) env[k] = v;
    return { ...env, GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: key, SSL_CERT_FILE: standin.caFile, PYTHONUNBUFFERED: '1' };
  }

  /** Runs an app traced, with its own experiment and API key (its stand-in calls are told apart by the key). */
  async function runTraced(venv: string, file: string, opts: { args?: string[]; capture?: boolean } = {}) {
    const experiment = uniqueName('py-interactions');
    const runId = randomUUID();
    const key = `key-${runId}`;
    const vars = injectionVariables({
      settings: { trackingUri: await mlflowUrl(), experimentName: experiment, captureContent: opts.capture ?? true, workspace: apps, run: { id: runId, name: 'Python interactions (test)', startedAt: new Date('2026-01-02T03:04:05Z') } },
      files: { ...injectionFiles(join(root, 'dist')), pythonDir: shimDir() },
      runtimes: ['python'],
    });
    const res = await run(pythons[venv], [file, ...(opts.args ?? [])], { ...plainEnv(key), ...vars }, join(file, '..'));
    return { res, experiment, runId, calls: () => standin.calls.filter((c) => c.apiKey === key) };
  }

  const cases = [
    { label: 'Python sync', file: 'python/interactions_app.py', venv: 'genai' },
    { label: 'Python asyncio', file: 'python/interactions_async_app.py', venv: 'genai' },
    { label: 'Python sync', file: 'python/interactions_app.py', venv: 'genai-2', note: ' (google-genai 2.x, what Google\'s ADK installs)' },
  ];
  for (const app of cases) {
    it(`${app.label}${app.note ?? ''}: every call of the scenario is a trace with the Node apps' steps, usage, status and code location`, async () => {
      const file = join(apps, app.file);
      const { res, experiment, runId, calls } = await runTraced(app.venv, file);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '', 'the tracer writes nothing when all is well');
      assert.equal(spawnSync(pythons[app.venv], ['-c', 'import mlflow']).status, 1, 'the app venv has no mlflow');
      const untraced = await run(pythons[app.venv], [file], plainEnv('untraced'), join(file, '..'));
      assert.equal(res.stdout, untraced.stdout, 'the app prints the same traced and untraced');
      const all = await traces(await experimentId(experiment), SCENARIO_TRACES, 30_000, { settled: true });
      assertInteractionsApp({ traces: all, file, calls: calls(), label: app.label, tags: { [TAG.runId]: runId, [TAG.runtime]: 'python', [TAG.workspace]: apps } });
    });
  }

  for (const venv of ['genai', 'genai-2']) {
    it(`records google-genai's Interactions models (${venv}) as their own model_dump gives them (nulls aside), replies and stream events`, async () => {
      // The tracer walks the models by hand (their serializer costs ~1 ms a reply): the result must not differ.
      const code = `
import json
from google import genai
from _gemini_trace.interaction_shape import as_json
c = genai.Client()
objs = [c.interactions.create(model="m", input=t, tools=tools) for t, tools in (
    ("hello [[think]]", [{"type": "google_search"}, {"type": "code_execution"}]),
    ('weather [[call:get_weather {"city":"Paris"}]]', [{"type": "function", "name": "get_weather"}]),
    ("Check https://docs.test/owls and count", [{"type": "url_context"}, {"type": "file_search", "file_search_store_names": ["s"]}, {"type": "mcp_server", "name": "w", "url": "https://m.test"}]),
    ("Name a city as JSON", None),
)]
objs += list(c.interactions.create(model="m", input="stream [[think]] [[call:f {\\"a\\":1}]]", stream=True))
bg = c.interactions.create(agent="a", input="x [[run:200]]", background=True)
objs += [bg] + list(c.interactions.get(bg.id, stream=True))
def bare(v):  # the generated serializer keeps a nullable field set to None as null, exclude_none or not
    if isinstance(v, dict):
        return {k: bare(x) for k, x in v.items() if x is not None}
    return [bare(x) for x in v] if isinstance(v, list) else v
diff = [type(o).__name__ for o in objs if as_json(o) != bare(o.model_dump(mode="json", by_alias=True, exclude_none=True))]
print(json.dumps({"n": len(objs), "diff": diff}))`;
      // Not spawnSync: the stand-in answers from this very process.
      const r = await run(pythons[venv], ['-c', code], { ...plainEnv('as-json'), PYTHONPATH: shimDir() }, root);
      assert.equal(r.code, 0, r.stderr);
      const { n, diff } = JSON.parse(r.stdout) as { n: number; diff: string[] };
      assert.ok(n > 30, `objects compared: ${n}`);
      assert.deepEqual(diff, []);
    });
  }

  it('captureContent false keeps inputs, outputs and tool arguments out but keeps ids, statuses and tokens', async () => {
    const file = join(apps, 'python/interactions_app.py');
    const { res, experiment, runId, calls } = await runTraced('genai', file, { capture: false });
    assert.equal(res.code, 0, res.stderr);
    const all = await traces(await experimentId(experiment), SCENARIO_TRACES, 30_000, { settled: true });
    assertInteractionsApp({ traces: all, file, calls: calls(), label: 'Python sync', tags: { [TAG.runId]: runId }, capture: false });
    assertContentKeptOut(all);
  });

  it('streams: the app gets the SDK\'s own Stream and every event untouched; the span holds the assembled interaction', async () => {
    const file = join(apps, 'python/interactions_stream.py');
    const { res, experiment, calls } = await runTraced('genai', file);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    assert.match(res.stdout, /^type Stream google\.genai\._gaos\.utils\.eventstreaming$/m, 'the SDK\'s own Stream class');
    // The app read the same events traced and untraced (ids and times aside: the stand-in counts
    // interactions), one per event the stand-in sent.
    const untraced = await run(pythons.genai, [file], plainEnv('untraced'), join(file, '..'));
    const same = (out: string) => out.replace(/interaction-\d+/g, 'ID').replace(/"(created|updated)": "[^"]*"/g, '"$1": "T"');
    assert.equal(same(res.stdout), same(untraced.stdout), 'every event the same, traced or not');
    const printed = (label: string) => res.stdout.split('\n').filter((l) => l.startsWith(`${label} `)).map((l) => JSON.parse(l.slice(label.length + 1)));
    const mine = calls();
    const createWith = (text: string) => mine.find((c) => c.method === 'interactions.create' && JSON.stringify(c.body).includes(text))!;
    const kinds = (events: Any[]) => events.map((e) => `${e.event_id} ${e.event_type}`);
    for (const [label, text] of [['forLoop', 'Stream with thoughts'], ['streamError', 'Stream that breaks']] as const) {
      assert.deepEqual(kinds(printed(label)), kinds(createWith(text).response), `${label}: every event as sent`);
    }
    assert.deepEqual(kinds(printed('early')), kinds(createWith('leaves early').response.slice(0, 3)));

    const all = await traces(await experimentId(experiment), 6, 30_000, { settled: true });
    const at = (name: string) => all.find((t) => Number(a(t.roots[0], 'code.lineno')) === markedLine(file, name))!;
    const one = at('forLoop').roots[0];
    const body = createWith('Stream with thoughts').body;
    assert.deepEqual(a(one, 'mlflow.spanOutputs').steps, interactionReply(body).steps, 'assembled like the non-streamed reply');
    assert.deepEqual(a(one, 'mlflow.chat.tokenUsage'), expectedUsage(interactionReply(body).usage));
    assert.ok(a(one, 'gemini_trace.time_to_first_chunk_ms') > 0);
    const early = at('early').roots[0];
    assert.equal(a(early, 'gemini_trace.stream_closed_early'), true);
    assert.equal(a(early, 'gemini_trace.stream_events'), 3);
    assert.equal(early.attrs['mlflow.chat.tokenUsage'], undefined, 'no final usage seen');
    const broken = at('streamError');
    assert.equal(broken.state, 'ERROR');
    assert.match(broken.roots[0].statusMessage, /stream broke off/);
    assert.equal(a(broken.roots[0], 'error.type'), 'INTERNAL');
    const hopCalls = mine.filter((c) => c.method === 'interactions.create' && Array.isArray(c.response) && (JSON.stringify(c.body).includes('[[continue:2]]') || c.body.continuation_token));
    assert.equal(hopCalls.length, 3, 'the SDK continued the decode over three requests');
    assert.deepEqual(kinds(printed('hops')), kinds(hopCalls.flatMap((c) => c.response)));
    const hops = at('hops').roots[0];
    assert.deepEqual(a(hops, 'mlflow.spanOutputs').continuation_ids, hopCalls.map((c) => c.id));
    assert.equal(a(hops, 'mlflow.spanOutputs').output_text, 'echo: one two three four five six seven eight');
    assert.equal(a(hops, 'mlflow.chat.tokenUsage').output_tokens, 9, 'usage summed over the hops');
    const resumed = at('bgCreate');
    assert.equal(resumed.roots[0].name, 'Interactions.background');
    assert.deepEqual(resumed.roots[0].children.map((s) => [s.name, Number(a(s, 'code.lineno'))]), [['Interactions.create', markedLine(file, 'bgCreate')], ['Interactions.get', markedLine(file, 'resume')]]);
    assert.deepEqual(a(resumed.roots[0].children[1], 'mlflow.spanOutputs').steps, interactionReply(createWith('Think in the background').body).steps);
    const del = at('delete').roots[0];
    assert.deepEqual([del.name, a(del, 'mlflow.spanType'), del.status], ['Interactions.delete', 'UNKNOWN', 'STATUS_CODE_OK']);
    assert.deepEqual(a(del, 'mlflow.spanInputs'), { id: a(del, 'gemini.interaction.id') });
  });

  it('a running background agent is IN_PROGRESS in MLflow, tagged with its run, named, and OK once the app sees it complete', async () => {
    const file = join(apps, 'python/interactions_exit.py');
    const experiment = uniqueName('py-inprogress');
    const runId = randomUUID();
    const vars = injectionVariables({
      settings: { trackingUri: await mlflowUrl(), experimentName: experiment, captureContent: true, workspace: apps, run: { id: runId, name: 'watch', startedAt: new Date() } },
      files: { ...injectionFiles(join(root, 'dist')), pythonDir: shimDir() },
      runtimes: ['python'],
    });
    const child = spawn(pythons.genai, [file, 'watch'], { env: { ...plainEnv('watch'), ...vars }, cwd: join(file, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    await assertWatchedRun(child, experiment, runId, 'python');
  });

  it('a history kept by hand (store=False) that drops a thought signature is marked on its create, one that keeps it is not', async () => {
    const file = join(apps, 'python/interactions_replay.py');
    const { res, experiment } = await runTraced('genai', file);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    assertSignatureReplay(await traces(await experimentId(experiment), 3, 20_000, { settled: true }), file);
  });

  it('Live sessions: audio as metadata, an interruption, goAway, an error close, and one open at exit', async () => {
    const file = join(apps, 'python/live_edges.py');
    const { res, experiment } = await runTraced('genai', file);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'audio: message\ngoaway: closed 1000\nbroken: closed 1011\nleft: message\n');
    assert.ok(!res.stderr.includes('[gemini-trace]'), res.stderr);
    assertLiveEdges(await traces(await experimentId(experiment), 4, 20_000, { settled: true }), file);
  });

  for (const mode of ['leave', 'exit'] as const) {
    it(`an app that ${mode === 'exit' ? 'calls sys.exit()' : 'returns'} while its background agent runs: the trace is exported, unfinished`, async () => {
      const file = join(apps, 'python/interactions_exit.py');
      const { res, experiment, calls } = await runTraced('genai', file, { args: [mode] });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      assert.equal(res.stdout, 'status: in_progress\n');
      const [t] = await traces(await experimentId(experiment), 1, 20_000, { settled: true });
      assertUnfinishedRun(t, file, calls().find((c) => c.method === 'interactions.create')!.response.id);
    });
  }
});
