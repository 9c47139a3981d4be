// The `gemini-trace` bin, run for real from the build (dist/cli.js): the env it gives a child,
// stdio, exit codes and signals passed through, clear errors; and end to end, a Node app traced
// through it into a real MLflow server, its Gemini calls answered by the loopback stand-in.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandin } from '../fixtures/gemini/standin';
import type { Standin } from '../fixtures/gemini/standin';
import { assertGenaiTraces } from '../helpers/genaiAssertions';
import { experimentId, traces } from '../helpers/traceView';
import { mlflowRest, mlflowUrl, uniqueName } from '../helpers/mlflow';
import { ENV, TAG } from '../../src/shared/runTags';

const root = join(__dirname, '..', '..');
const built = join(root, 'dist');
// The tests run a snapshot of the build in a folder whose path has a space (as under
// "Program Files" or a user name with one), so quoting is exercised for real, and a rebuild of
// dist/ by someone else mid-run cannot pull the files from under a test.
let dist = '';
let cli = '';
// A port nothing listens on: these tests make no Gemini call, so nothing is exported anyway.
const DEAD_URI = 'http://127.0.0.1:9';
const PRINT_ENV = 'process.stdout.write(JSON.stringify(process.env))';

function runCli(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd ?? root,
    env: { ...process.env, NODE_OPTIONS: undefined, PYTHONPATH: undefined, MLFLOW_EXPERIMENT_NAME: undefined, ...opts.env },
    timeout: 30000,
  });
}

function childEnv(args: string[], env?: Record<string, string | undefined>): Record<string, string> {
  const r = runCli(['run', '-q', '--tracking-uri', DEAD_URI, ...args, '--', process.execPath, '-e', PRINT_ENV], { env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('cli: gemini-trace', function () {
  this.timeout(60000);

  before(function () {
    for (const f of ['cli.js', 'inject/node/preload.cjs', 'inject/python/sitecustomize.py']) {
      if (!existsSync(join(built, f))) throw new Error(`${join(built, f)} is missing: build first with \`node scripts/build.mjs\``);
    }
    dist = join(mkdtempSync(join(tmpdir(), 'gt cli ')), 'dist');
    cpSync(join(built, 'cli.js'), join(dist, 'cli.js'));
    cpSync(join(built, 'inject'), join(dist, 'inject'), { recursive: true });
    cli = join(dist, 'cli.js');
  });
  after(() => { if (dist) rmSync(join(dist, '..'), { recursive: true, force: true }); });

  it('prints help with exit 0, and usage with exit 2 on bad input', () => {
    const help = runCli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: gemini-trace run \[options\] \[--\] <command>/);
    for (const [args, message] of [
      [[], /missing a subcommand/],
      [['frobnicate'], /unknown subcommand "frobnicate"/],
      [['run'], /missing the command to run/],
      [['run', '--bogus', '--', 'node'], /unknown option --bogus/],
      [['run', '--experiment'], /--experiment needs a value/],
    ] as const) {
      const r = runCli([...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage:/);
    }
  });

  it('rejects a tracking URI a traced app cannot write to, saying what to use', () => {
    const r = runCli(['run', '--tracking-uri', 'localhost:5000', '--', 'node', '-e', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--tracking-uri: .*http\(s\):\/\/host:port/);
  });

  it('gives the child exactly the injection env, keeping the user\'s NODE_OPTIONS', () => {
    const env = childEnv(['--experiment', 'cli exp', '--no-capture-content', '--run-name', 'nightly'], { NODE_OPTIONS: '--max-old-space-size=300', PYTHONPATH: '/mine' });
    const preload = join(dist, 'inject', 'node', 'preload.cjs');
    assert.equal(env.NODE_OPTIONS, `--require "${preload}" --max-old-space-size=300`);
    assert.equal(env.PYTHONPATH, `${join(dist, 'inject', 'python')}:/mine`);
    assert.equal(env[ENV.trackingUri], DEAD_URI);
    assert.equal(env[ENV.experimentName], 'cli exp');
    assert.equal(env[ENV.captureContent], 'false');
    assert.equal(env[ENV.runName], 'nightly');
    assert.equal(env[ENV.workspace], root);
    assert.match(env[ENV.runId], /^[0-9a-f-]{36}$/);
    assert.ok(Math.abs(Date.parse(env[ENV.runStarted]) - Date.now()) < 30000);
  });

  it('starts a fresh run each time, and never injects the preload twice when nested', () => {
    const outer = childEnv([]);
    const nested = runCli(['run', '-q', '--tracking-uri', DEAD_URI, '--', process.execPath, cli, 'run', '-q', '--', process.execPath, '-e', PRINT_ENV]);
    assert.equal(nested.status, 0, nested.stderr);
    const inner = JSON.parse(nested.stdout) as Record<string, string>;
    assert.equal(inner.NODE_OPTIONS.split('preload.cjs').length, 2, inner.NODE_OPTIONS);
    assert.notEqual(inner[ENV.runId], outer[ENV.runId]);
    assert.equal(inner[ENV.trackingUri], DEAD_URI); // the outer run's settings carry over
  });

  it('takes the tracking URI and experiment from the environment, as MLflow does', () => {
    const env = childEnv([], { MLFLOW_EXPERIMENT_NAME: 'from-env' });
    assert.equal(env[ENV.experimentName], 'from-env');
    const r = runCli(['run', '--', process.execPath, '-e', PRINT_ENV], { env: { MLFLOW_TRACKING_URI: 'http://bob:pw@127.0.0.1:9' } });
    assert.equal(JSON.parse(r.stdout)[ENV.trackingUri], 'http://bob:pw@127.0.0.1:9');
    assert.match(r.stderr, /tracing Gemini calls to http:\/\/\*\*\*@127\.0\.0\.1:9/);
    assert.ok(!r.stderr.includes('pw'), r.stderr);
  });

  it('passes stdin, stdout and stderr through', () => {
    const r = runCli(['run', '-q', '--tracking-uri', DEAD_URI, '--', process.execPath, '-e',
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stdout.write(s.toUpperCase());process.stderr.write("err-line")})'], { input: 'piped text' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'PIPED TEXT');
    assert.match(r.stderr, /err-line/);
  });

  it('exits with the child\'s exit code', () => {
    for (const code of [0, 3, 42]) {
      const r = runCli(['run', '-q', '--tracking-uri', DEAD_URI, '--', process.execPath, '-e', `process.exit(${code})`]);
      assert.equal(r.status, code);
    }
  });

  it('dies by the signal that killed the child', () => {
    const r = runCli(['run', '-q', '--tracking-uri', DEAD_URI, '--', process.execPath, '-e', 'process.kill(process.pid, "SIGKILL")']);
    assert.equal(r.signal, 'SIGKILL');
  });

  it('forwards SIGTERM and SIGINT to the child and exits as it does', async () => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      const p = spawn(process.execPath, [cli, 'run', '-q', '--tracking-uri', DEAD_URI, '--', process.execPath, '-e',
        `process.on("${sig}", () => { console.log("child got ${sig}"); process.exit(7); }); console.log("ready"); setInterval(() => {}, 1000);`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout.on('data', (d) => {
        out += d;
        if (out.includes('ready') && !p.killed) p.kill(sig); // signal the CLI only, not its child
      });
      const [code] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => p.on('exit', (c, s) => res([c, s])));
      assert.match(out, new RegExp(`child got ${sig}`));
      assert.equal(code, 7);
    }
  });

  it('says clearly when the command does not exist (exit 127)', () => {
    const r = runCli(['run', '-q', '--', 'no-such-command-gt']);
    assert.equal(r.status, 127);
    assert.match(r.stderr, /command not found: no-such-command-gt/);
  });

  it('prints the env for CI with "env"', () => {
    const r = runCli(['env', '--tracking-uri', DEAD_URI, '--experiment', 'ci']);
    assert.equal(r.status, 0, r.stderr);
    const lines = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(lines[ENV.experimentName], 'ci');
    assert.ok(lines.NODE_OPTIONS.startsWith('--require '));
  });

  describe('end to end: apps traced through the CLI into a real MLflow', () => {
    let standin: Standin;
    before(async () => { standin = await startStandin(); });
    after(async () => { await standin?.close(); });

    async function tracedRun(experiment: string, command: string[]): Promise<{ stdout: string; stderr: string; runId: string }> {
      const mlflow = await mlflowUrl();
      const p = spawn(process.execPath, [cli, 'run', '--tracking-uri', mlflow, '--experiment', experiment, '--run-name', 'cli e2e', '--', ...command], {
        cwd: root,
        env: { ...process.env, NODE_OPTIONS: '', PYTHONPATH: '', GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((res) => p.on('exit', (c) => res(c)));
      assert.equal(code, 0, stderr);
      const runId = /run ([0-9a-f-]{36})/.exec(stderr)?.[1];
      assert.ok(runId, stderr);
      return { stdout, stderr, runId };
    }

    async function tracesOf(experiment: string, atLeast: number, why: string): Promise<{ trace_id: string; tags?: Record<string, string> }[]> {
      const deadline = Date.now() + 30000;
      let traces: { trace_id: string; tags?: Record<string, string> }[] = [];
      // A trace can be readable before its run tags are (the Python shim's tags come in a later
      // upload), so wait for tagged traces, not just traces.
      const ready = () => traces.length >= atLeast && traces.every((t) => t.tags?.[TAG.runId]);
      while (!ready() && Date.now() < deadline) {
        const exp = await mlflowRest<{ experiment?: { experiment_id: string } }>(`/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`).catch(() => undefined);
        if (exp?.experiment) {
          const r = await mlflowRest<{ traces?: { trace_id: string; tags?: Record<string, string> }[] }>('/api/3.0/mlflow/traces/search', {
            locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp.experiment.experiment_id } }],
            max_results: 100,
          });
          traces = r.traces ?? [];
        }
        if (!ready()) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(traces.length >= atLeast, `${traces.length} of ${atLeast} traces reached experiment ${experiment} within 30 s; app stderr:\n${why}`);
      return traces;
    }

    function assertRunTags(tags: Record<string, string> | undefined, runId: string, runtime: string): void {
      assert.equal(tags?.[TAG.runId], runId);
      assert.equal(tags?.[TAG.runName], 'cli e2e');
      assert.equal(tags?.[TAG.workspace], root);
      assert.equal(tags?.[TAG.runtime], runtime);
      assert.ok(Math.abs(Date.parse(tags?.[TAG.runStarted] ?? '') - Date.now()) < 120000, `run_started ${tags?.[TAG.runStarted]}`);
    }

    it('a Node app: its Gemini call becomes a trace tagged with the run', async function () {
      this.timeout(120000);
      standin.reset();
      const experiment = uniqueName('cli-e2e-node');
      const { stdout, stderr, runId } = await tracedRun(experiment, [process.execPath, join(root, 'test', 'fixtures', 'launch', 'hello.cjs'), 'traced via the cli']);
      assert.equal(stdout, 'reply: echo: traced via the cli\n'); // the app's stdout is untouched
      assert.equal(standin.calls.length, 1);
      const [trace] = await tracesOf(experiment, 1, stderr);
      assertRunTags(trace.tags, runId, 'node');
    });

    it('a Python app in a venv without mlflow: its Gemini calls become the traces the Node apps make, tagged with the run', async function () {
      this.timeout(180000);
      const { ensureAppVenv } = await import('../../scripts/lib/python.mjs');
      const python = ensureAppVenv('genai');
      standin.reset();
      const experiment = uniqueName('cli-e2e-python');
      const app = join(root, 'test', 'fixtures', 'apps', 'python', 'app.py');
      const { stdout, stderr, runId } = await tracedRun(experiment, [python, app]);
      assert.match(stdout, /^generate: echo: Say hello to Python\n[\s\S]*done\n$/);
      assert.doesNotMatch(stderr, /gemini-trace\]/, 'no warning from the tracer');
      const tagged = await tracesOf(experiment, 7, stderr); // generate, stream, chat, chatStream, embed, count, the 429
      for (const t of tagged) assertRunTags(t.tags, runId, 'python');
      const all = await traces(await experimentId(experiment), 7);
      const startedAt = all[0].tags[TAG.runStarted];
      assertGenaiTraces({ file: app, run: { id: runId, name: 'cli e2e', startedAt, workspace: root }, runtime: 'python', extra: ['chatStream', 'count'], exceptionType: 'ClientError', standinUrl: standin.url }, all, [...standin.calls]);
    });
  });
});
