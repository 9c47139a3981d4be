// The Python shim for real: test/fixtures/apps/python/app.py run by the project venv's Python with
// the environment src/launch/env.ts builds, against the Gemini stand-in and a real MLflow server;
// the traces are read back through MLflow's REST API.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { injectionFiles, injectionVariables } from '../../src/launch/env';
import { ENV } from '../../src/model/runTags';
import { mlflowRest, mlflowUrl, uniqueName } from '../helpers/mlflow';
import { startStandin } from '../fixtures/gemini/standin';
import { appTmp, reapSenders } from '../fixtures/apps/faults/harness';
import type { RecordedCall, Standin } from '../fixtures/gemini/standin';

const root = join(__dirname, '..', '..');
const python = join(root, '.venv', 'bin', 'python');
const appDir = join(root, 'test/fixtures/apps/python');
const appPath = join(appDir, 'app.py');
const appLines = readFileSync(appPath, 'utf8').split('\n');
const lineOf = (marker: string) => appLines.findIndex((l) => l.includes(marker)) + 1;

/** dist/inject/python as `node scripts/build.mjs` copies it; src/inject/python when the build is
 *  missing or older than the sources (the copy is byte for byte, so both test the same code). */
function shimDir(): string {
  const dist = join(root, 'dist/inject/python');
  const files = ['sitecustomize.py', '_gemini_trace_shim.py', '_gemini_trace_spans.py', '_gemini_trace_export.py'];
  const same = files.every((f) => existsSync(join(dist, f)) && readFileSync(join(dist, f), 'utf8') === readFileSync(join(root, 'src/inject/python', f), 'utf8'));
  return same ? dist : join(root, 'src/inject/python');
}

interface Run { status: number | null; stdout: string; stderr: string; ms: number; exitDelayMs: number }

/** Runs app.py; exitDelayMs is the time from its last stdout line ("done") to its exit. */
function runApp(env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let doneAt = 0;
    const child = spawn(python, [appPath], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!doneAt && stdout.includes('done\n')) doneAt = Date.now();
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const end = Date.now();
      resolve({ status, stdout, stderr, ms: end - t0, exitDelayMs: doneAt ? end - doneAt : Number.NaN });
    });
  });
}

interface Span { name: string; span_id: string; parent_span_id: string | null; status: { code: string }; events: { name: string }[]; attributes: Record<string, string> }
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- MLflow's JSON
type Json = any;
const attr = (s: Span, key: string): Json => (s.attributes[key] === undefined ? undefined : JSON.parse(s.attributes[key]));

async function searchTraces(experimentId: string): Promise<Json[]> {
  const r = await mlflowRest<{ traces?: Json[] }>('/api/3.0/mlflow/traces/search', {
    locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }], max_results: 100,
  });
  return r.traces ?? [];
}

async function spansOf(traceId: string): Promise<Span[]> {
  const r = await mlflowRest<{ spans?: Span[] }>(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`);
  return r.spans ?? [];
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The five traces app.py makes, each with all its spans, keyed by call. */
async function appTraces(experimentName: string): Promise<Record<string, { info: Json; spans: Span[] }>> {
  const exp = await mlflowRest<{ experiment: { experiment_id: string } }>(`/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experimentName)}`);
  const want: Record<string, number> = { generate: 2, stream: 1, chat: 6, embed: 1, fail: 2 };
  return waitFor('the five traces of app.py with all their spans', async () => {
    const traces = await searchTraces(exp.experiment.experiment_id);
    if (traces.length < 5) return undefined;
    assert.equal(traces.length, 5, 'one trace per top-level call, none twice');
    const out: Record<string, { info: Json; spans: Span[] }> = {};
    for (const info of traces) {
      // MLflow writes a trace's spans and its record (state, tags) in separate requests; on a
      // loaded machine the spans can be readable first.
      if (info.tags?.['gemini_trace.runtime'] !== 'python') return undefined;
      const spans = await spansOf(info.trace_id);
      const rootSpan = spans.find((s) => !s.parent_span_id);
      if (!rootSpan) return undefined;
      const key = { 'Models.generate_content_stream': 'stream', 'Chat.send_message': 'chat', 'Models.embed_content': 'embed' }[rootSpan.name]
        ?? (info.state === 'ERROR' ? 'fail' : 'generate');
      out[key] = { info, spans };
    }
    return Object.entries(want).every(([k, n]) => out[k]?.spans.length === n) ? out : undefined;
  });
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(GEMINI_TRACE_|MLFLOW_|PYTHONPATH$|GOOGLE_GEMINI_BASE_URL$|GEMINI_API_KEY$|GOOGLE_API_KEY$)/.test(k)) env[k] = v;
  }
  return env;
}

describe('Python shim (sitecustomize) with a real MLflow and the Gemini stand-in', function () {
  this.timeout(300_000);
  let standin: Standin;
  let baseline: Run;
  const dir = shimDir();
  const run = { id: `run-${Date.now()}`, name: 'Python app (test)', startedAt: new Date('2026-02-03T04:05:06.000Z') };

  const appEnv = () => ({ ...cleanEnv(), GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key', PYTHONUNBUFFERED: '1' });
  function tracedEnv(trackingUri: string, experimentName: string, extra: { captureContent?: boolean; pythonPath?: string } = {}): NodeJS.ProcessEnv {
    const vars = injectionVariables({
      settings: { trackingUri, experimentName, captureContent: extra.captureContent ?? true, workspace: root, run },
      files: { ...injectionFiles(join(root, 'dist')), pythonDir: dir },
      runtimes: ['python'],
      pythonPath: extra.pythonPath,
    });
    return { ...appEnv(), ...vars };
  }

  before(async () => {
    standin = await startStandin();
    await mlflowUrl();
    baseline = await runApp(appEnv());
    assert.equal(baseline.status, 0, baseline.stderr);
    assert.match(baseline.stdout, /^generate: echo: hello from python\n/);
  });
  after(() => standin?.close());
  beforeEach(() => standin.reset());

  it('traces every call with run tags, code locations, tokens, streaming, tools and the 429', async () => {
    const experiment = uniqueName('py-shim');
    // Also: a signal file the shim cannot write (no such folder) changes nothing for the app.
    const missing = join(tmpdir(), `gt-no-such-dir-${Date.now()}`);
    const r = await runApp({ ...tracedEnv(await mlflowUrl(), experiment), [ENV.signal]: join(missing, 'signal') });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, baseline.stdout, 'tracing leaves stdout unchanged');
    assert.doesNotMatch(r.stderr, /gemini-trace:/, 'no warning when MLflow is up');
    assert.doesNotMatch(r.stderr, /signal|Traceback/i, 'an unwritable signal file is not reported');
    assert.ok(!existsSync(missing), 'no folder made for the signal');
    assert.ok(r.exitDelayMs <= baseline.exitDelayMs + 2000, `exit took ${r.exitDelayMs} ms after the last line (untraced ${baseline.exitDelayMs} ms)`);

    const calls: RecordedCall[] = [...standin.calls];
    assert.deepEqual(calls.map((c) => c.method), ['generateContent', 'streamGenerateContent', 'generateContent', 'generateContent', 'batchEmbedContents', 'generateContent']);
    const usage = (u: Json) => ({ input_tokens: u.promptTokenCount, output_tokens: u.candidatesTokenCount, total_tokens: u.totalTokenCount });
    const t = await appTraces(experiment);

    for (const { info } of Object.values(t)) {
      assert.equal(info.tags['gemini_trace.run_id'], run.id);
      assert.equal(info.tags['gemini_trace.run_name'], run.name);
      assert.equal(info.tags['gemini_trace.run_started'], run.startedAt.toISOString());
      assert.equal(info.tags['gemini_trace.workspace'], root);
      assert.equal(info.tags['gemini_trace.runtime'], 'python');
    }
    const at = (spans: Span[], marker: string, fn: string) => {
      for (const s of spans.filter((x) => attr(x, 'mlflow.message.format') === 'gemini')) {
        assert.equal(attr(s, 'code.filepath'), appPath, s.name);
        assert.equal(attr(s, 'code.lineno'), lineOf(`# call:${marker}`), `${s.name} line`);
        assert.equal(attr(s, 'code.function'), fn, s.name);
      }
    };

    // Plain generation: autolog's span and its inner call, inputs and outputs, tokens.
    const gen = t.generate.spans;
    const genRoot = gen.find((s) => !s.parent_span_id)!;
    assert.equal(genRoot.name, 'Models.generate_content');
    assert.equal(attr(genRoot, 'mlflow.spanType'), 'LLM');
    const inner = gen.find((s) => s.parent_span_id === genRoot.span_id)!;
    assert.equal(inner.name, 'Models._generate_content');
    assert.equal(attr(genRoot, 'mlflow.spanInputs').contents, 'hello from python');
    assert.equal(attr(genRoot, 'mlflow.spanInputs').config.temperature, 0.3);
    assert.equal(attr(genRoot, 'mlflow.spanOutputs').candidates[0].content.parts[0].text, 'echo: hello from python');
    assert.deepEqual(attr(inner, 'mlflow.chat.tokenUsage'), usage(calls[0].response.usageMetadata));
    at(gen, 'generate', 'ask');

    // Streaming: one LLM span, the assembled response, usage of the final chunk.
    const [st] = t.stream.spans;
    assert.equal(st.name, 'Models.generate_content_stream');
    assert.equal(attr(st, 'mlflow.spanType'), 'LLM');
    assert.equal(attr(st, 'mlflow.spanInputs').contents, 'stream from python');
    assert.deepEqual(attr(st, 'mlflow.spanOutputs').candidates[0].content.parts.map((p: Json) => p.text), ['echo: stream from python']);
    assert.equal(attr(st, 'mlflow.spanOutputs').candidates[0].finish_reason, 'STOP');
    assert.deepEqual(attr(st, 'mlflow.chat.tokenUsage'), usage(calls[1].response.at(-1).usageMetadata));
    assert.equal(typeof attr(st, 'gemini_trace.time_to_first_chunk_ms'), 'number');
    assert.equal(attr(st, 'mlflow.llm.model'), 'gemini-2.5-flash');
    at(t.stream.spans, 'stream', 'stream');

    // Chat with automatic function calling: chat › model calls, and the tool's own span.
    const chat = t.chat.spans;
    const chatRoot = chat.find((s) => !s.parent_span_id)!;
    assert.equal(chatRoot.name, 'Chat.send_message');
    assert.equal(attr(chatRoot, 'mlflow.spanType'), 'CHAT_MODEL');
    const modelCalls = chat.filter((s) => s.name === 'Models._generate_content');
    assert.equal(modelCalls.length, 2);
    assert.deepEqual(modelCalls.map((s) => attr(s, 'mlflow.chat.tokenUsage')), [usage(calls[2].response.usageMetadata), usage(calls[3].response.usageMetadata)]);
    assert.equal(attr(modelCalls[0], 'mlflow.spanOutputs').candidates[0].content.parts[0].function_call.name, 'get_weather');
    const tool = chat.find((s) => attr(s, 'mlflow.spanType') === 'TOOL')!;
    assert.equal(tool.name, 'get_weather');
    assert.deepEqual(attr(tool, 'mlflow.spanInputs'), { city: 'test' });
    assert.deepEqual(attr(tool, 'mlflow.spanOutputs'), { city: 'test', temp_c: 21 });
    assert.equal(attr(tool, 'code.filepath'), appPath);
    assert.equal(attr(tool, 'code.lineno'), lineOf('def get_weather'));
    assert.ok(chat.some((s) => s.span_id === tool.parent_span_id), 'the tool span hangs under the chat');
    assert.equal(attr(chatRoot, 'mlflow.spanOutputs').candidates[0].content.parts[0].text, 'get_weather returned {"result":{"city":"test","temp_c":21}}');
    at(chat, 'chat', 'chat_with_tools');

    // Embedding.
    const [emb] = t.embed.spans;
    assert.equal(attr(emb, 'mlflow.spanType'), 'EMBEDDING');
    at(t.embed.spans, 'embed', 'embed');

    // The 429: an ERROR trace whose spans carry the exception.
    const fail = t.fail.spans;
    assert.equal(t.fail.info.state, 'ERROR');
    for (const s of fail) {
      assert.equal(s.status.code, 'STATUS_CODE_ERROR');
      assert.ok(s.events.some((e) => e.name === 'exception'), `${s.name} records the exception`);
    }
    assert.match(JSON.stringify(fail[0].status), /RESOURCE_EXHAUSTED/);
    at(fail, 'fail', 'fail');
  });

  it('keeps prompts and responses out with captureContent false, tokens and code locations in', async () => {
    const experiment = uniqueName('py-shim-nocontent');
    // The file the extension watches to know MLflow took an upload (_gemini_trace_export._signal);
    // checked on this second traced run: a fresh MLflow can take seconds over its first uploads.
    const signal = join(mkdtempSync(join(tmpdir(), 'gt-py-signal-')), 'signal');
    const startedAt = Date.now();
    const r = await runApp({ ...tracedEnv(await mlflowUrl(), experiment, { captureContent: false }), [ENV.signal]: signal });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, baseline.stdout);
    const t = await appTraces(experiment);
    try {
      assert.ok(existsSync(signal), 'the signal file was written after an upload');
      const signalled = Number(readFileSync(signal, 'utf8'));
      assert.ok(Number.isInteger(signalled) && signalled >= startedAt && signalled <= Date.now(), `signal holds a time in ms within the run, got "${readFileSync(signal, 'utf8')}"`);
    } finally {
      rmSync(dirname(signal), { recursive: true, force: true });
    }
    for (const { info, spans } of Object.values(t)) {
      assert.equal(info.request_preview ?? '', '', 'no prompt in the trace preview');
      for (const s of spans) {
        assert.equal(s.attributes['mlflow.spanInputs'], undefined, `${s.name} has no inputs`);
        assert.equal(s.attributes['mlflow.spanOutputs'], undefined, `${s.name} has no outputs`);
      }
    }
    assert.deepEqual(Object.keys(attr(t.stream.spans[0], 'mlflow.chat.tokenUsage')).sort(), ['input_tokens', 'output_tokens', 'total_tokens']);
    assert.equal(attr(t.generate.spans[0], 'code.lineno'), lineOf('# call:generate'));
    assert.equal(t.generate.info.tags['gemini_trace.run_id'], run.id);
  });

  it('with MLflow stopped: same stdout and exit code, one warning, no extra run time', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
    });
    const env = tracedEnv(`http://127.0.0.1:${closed}`, uniqueName('py-down'));
    // Interleaved and twice each, so machine load hits both sides alike.
    const down = [await runApp(env), await runApp(appEnv())];
    down.push(await runApp(env), await runApp(appEnv()));
    const [d1, b1, d2, b2] = down;
    for (const d of [d1, d2]) {
      assert.equal(d.status, 0, d.stderr);
      assert.equal(d.stdout, baseline.stdout);
      const warnings = d.stderr.split('\n').filter((l) => l.startsWith('gemini-trace:'));
      assert.equal(warnings.length, 1, d.stderr);
      assert.match(warnings[0], /cannot be reached .*start it/);
    }
    const best = (a: Run, b: Run) => Math.min(a.ms, b.ms);
    assert.ok(best(d1, d2) <= best(b1, b2) + 2000, `traced-but-down ${best(d1, d2)} ms vs untraced ${best(b1, b2)} ms`);
  });

  it('when MLflow stops answering mid-run, exit waits at most the budget and hands the pending uploads on', async () => {
    // A proxy to the real server that answers experiment lookups, then never answers uploads.
    const upstream = new URL(await mlflowUrl());
    const held: ServerResponse[] = [];
    const proxy: Server = createServer((req, res) => {
      if (!req.url?.includes('/experiments/')) { held.push(res); req.resume(); return; }
      const fwd = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(fwd);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (proxy.address() as AddressInfo).port;
      // The uploads still pending at exit go to a sender process (named under this TMPDIR, so it can be stopped here).
      const r = await runApp({ ...tracedEnv(`http://127.0.0.1:${port}`, uniqueName('py-hung')), TMPDIR: appTmp() });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, baseline.stdout);
      assert.ok(held.length > 0, 'uploads reached the proxy');
      assert.doesNotMatch(r.stderr, /gemini-trace:/, 'nothing dropped: the pending uploads were handed on');
      assert.ok(r.exitDelayMs <= baseline.exitDelayMs + 2000, `exit took ${r.exitDelayMs} ms after the last line (untraced ${baseline.exitDelayMs} ms)`);
    } finally {
      reapSenders();
      for (const res of held) res.destroy();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('without mlflow installed: one line saying how to install it, the app untouched', async () => {
    // Shadow the venv's mlflow with a module that fails as a missing one does.
    const shadow = mkdtempSync(join(tmpdir(), 'gt-nomlflow-'));
    writeFileSync(join(shadow, 'mlflow.py'), 'raise ModuleNotFoundError("No module named \'mlflow\'", name="mlflow")\n');
    const r = await runApp(tracedEnv(await mlflowUrl(), uniqueName('py-nomlflow'), { pythonPath: shadow }));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, baseline.stdout);
    const warnings = r.stderr.split('\n').filter((l) => l.trim());
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /^gemini-trace: mlflow is not installed .* -m pip install mlflow$/);
  });

  it("chains to the user's own sitecustomize exactly once, even with our dir listed twice", async () => {
    const user = mkdtempSync(join(tmpdir(), 'gt-usersite-'));
    mkdirSync(user, { recursive: true });
    writeFileSync(join(user, 'sitecustomize.py'), 'import sys\nsys.stderr.write("user sitecustomize ran as %s\\n" % __name__)\n');
    const env = { ...tracedEnv('http://127.0.0.1:9', uniqueName('py-chain')), PYTHONPATH: `${dir}:${dir}:${user}` };
    const r = await runApp(env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, baseline.stdout);
    assert.equal(r.stderr.split('\n').filter((l) => l === 'user sitecustomize ran as sitecustomize').length, 1, r.stderr);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('gemini-trace:')).length, 1, r.stderr);
    // Not active: the user's sitecustomize still runs, ours does nothing else.
    const off = await runApp({ ...env, GEMINI_TRACE_ACTIVE: '0' });
    assert.equal(off.stdout, baseline.stdout);
    assert.equal(off.stderr.trim(), 'user sitecustomize ran as sitecustomize');
  });
});
