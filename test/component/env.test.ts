// The env module shared by debug configs, terminals and the CLI. Where the result is a
// NODE_OPTIONS value, the checks run a real `node` with it, so "Node parses it as we meant" is
// measured, not assumed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildTracedEnv, hasNodePreload, hasPythonShim, injectionFiles, injectionVariables, parseNodeOptions, preloadNodeOptions,
  quoteNodeOption, redactedSummary, traceVariables, withNodePreload, withPythonShim,
} from '../../src/launch/env';
import type { TraceSettings } from '../../src/launch/env';
import { parseEnvFile } from '../../src/launch/envFile';
import { EnvVars } from '../../src/launch/envVars';
import { checkTrackingUri, parseTraceAttribute } from '../../src/launch/traceOptions';
import { ENV } from '../../src/shared/runTags';

const settings: TraceSettings = {
  trackingUri: 'http://127.0.0.1:5000',
  experimentName: 'exp one',
  captureContent: false,
  workspace: '/ws/app',
  run: { id: 'run-1', name: 'Launch Program', startedAt: new Date('2026-01-02T03:04:05.000Z') },
};

describe('env: EnvVars', () => {
  afterEach(() => { EnvVars.platform = process.platform; });

  it('is immutable: merge and update return new sets', () => {
    const a = new EnvVars({ A: '1' });
    const b = a.update('B', '2');
    assert.deepEqual(a.value, { A: '1' });
    assert.deepEqual(b.value, { A: '1', B: '2' });
    assert.throws(() => { (a.value as Record<string, string>).C = '3'; });
  });

  it('deletes a variable with null and ignores undefined', () => {
    const e = new EnvVars({ A: '1', B: '2' }).merge({ A: null, B: undefined, C: '3' });
    assert.deepEqual(e.value, { B: '2', C: '3' });
  });

  it('matches names case-insensitively on Windows and keeps the first spelling', () => {
    EnvVars.platform = 'win32';
    const e = new EnvVars({ Path: 'C:\\bin' }).merge({ PATH: 'C:\\other' });
    assert.deepEqual(e.value, { Path: 'C:\\other' });
    assert.equal(e.lookup('path'), 'C:\\other');
    assert.deepEqual(e.merge({ pATH: null }).value, {});
  });

  it('keeps names distinct on POSIX', () => {
    EnvVars.platform = 'linux';
    const e = new EnvVars({ Path: 'a' }).merge({ PATH: 'b' });
    assert.deepEqual(e.value, { Path: 'a', PATH: 'b' });
    assert.equal(e.lookup('path'), undefined);
  });
});

describe('env: NODE_OPTIONS', () => {
  const files = injectionFiles('/opt/ext/dist');

  it('parses like Node: quotes group, backslash escapes only inside quotes', () => {
    assert.deepEqual(parseNodeOptions(' --a  "b c" d\\e "f\\"g" '), ['--a', 'b c', 'd\\e', 'f"g']);
    assert.deepEqual(parseNodeOptions('--x=""'), ['--x=']);
    assert.throws(() => parseNodeOptions('--require "oops'), /unterminated/);
  });

  it('quotes only what Node would split, escaping backslashes and quotes inside', () => {
    assert.equal(quoteNodeOption('/a/b.cjs'), '/a/b.cjs');
    assert.equal(quoteNodeOption('C:\\Program Files\\x.cjs'), '"C:\\\\Program Files\\\\x.cjs"');
    for (const w of ['/a b/c.cjs', 'C:\\Program Files\\x.cjs', 'say "hi"', '']) assert.deepEqual(parseNodeOptions(quoteNodeOption(w)), [w]);
  });

  it('puts our preload before the user\'s options and keeps theirs verbatim', () => {
    const user = '--max-old-space-size=4096  --require "./my hooks.js"';
    const v = withNodePreload(user, files);
    assert.ok(v.startsWith('--require /opt/ext/dist/inject/node/preload.cjs '), v);
    assert.ok(v.endsWith(user), v);
    assert.deepEqual(parseNodeOptions(v).slice(2), ['--max-old-space-size=4096', '--require', './my hooks.js']);
    assert.equal(withNodePreload(undefined, files), preloadNodeOptions(files));
    assert.equal(withNodePreload('   ', files), preloadNodeOptions(files));
  });

  it('never injects twice, and replaces a stale copy from another install', () => {
    const once = withNodePreload('--trace-warnings', files);
    assert.equal(withNodePreload(once, files), once);
    const stale = '--require "/old ext/dist/inject/node/preload.cjs" --import=file:///old%20ext/dist/inject/node/esm-hook.mjs --trace-warnings';
    assert.ok(hasNodePreload(stale));
    assert.equal(withNodePreload(stale, files), `${preloadNodeOptions(files)} --trace-warnings`);
    assert.equal(hasNodePreload('--require ./preload.cjs'), false);
    assert.equal(hasNodePreload(undefined), false);
  });

  it('quotes an install path with spaces so a real node loads the preload first', function () {
    this.timeout(20000);
    const dir = mkdtempSync(join(tmpdir(), 'gt env '));
    try {
      const f = injectionFiles(join(dir, 'my "ext"', 'dist'));
      mkdirSync(join(f.distDir, 'inject', 'node'), { recursive: true });
      writeFileSync(f.nodePreload, 'globalThis.__gtOrder = ["preload"];');
      const userHook = join(dir, 'user hook.cjs');
      writeFileSync(userHook, 'globalThis.__gtOrder.push("user");');
      const nodeOptions = withNodePreload(`--require ${quoteNodeOption(userHook)}`, f);
      const out = execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify(globalThis.__gtOrder))'], {
        env: { ...process.env, NODE_OPTIONS: nodeOptions },
        encoding: 'utf8',
      });
      assert.deepEqual(JSON.parse(out), ['preload', 'user']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('env: PYTHONPATH', () => {
  const files = injectionFiles('/opt/ext/dist');

  it('prepends our dir with the delimiter and keeps the user\'s entries in order', () => {
    assert.equal(withPythonShim('/a:/b', files, ':'), '/opt/ext/dist/inject/python:/a:/b');
    assert.equal(withPythonShim('C:\\a;D:\\b', files, ';'), '/opt/ext/dist/inject/python;C:\\a;D:\\b');
  });

  it('adds no empty entry (which would put the cwd on sys.path) when PYTHONPATH is unset or empty', () => {
    assert.equal(withPythonShim(undefined, files, ':'), '/opt/ext/dist/inject/python');
    assert.equal(withPythonShim('', files, ':'), '/opt/ext/dist/inject/python');
  });

  it('never injects twice, and replaces a stale copy', () => {
    const once = withPythonShim('/a', files, ':');
    assert.equal(withPythonShim(once, files, ':'), once);
    assert.equal(withPythonShim('/old/dist/inject/python:/a', files, ':'), '/opt/ext/dist/inject/python:/a');
    assert.ok(hasPythonShim(once, files, ':'));
    assert.ok(!hasPythonShim('/a:/b', files, ':'));
  });

  it('keeps the user\'s own empty entries', () => {
    assert.equal(withPythonShim('/a::/b', files, ':'), '/opt/ext/dist/inject/python:/a::/b');
  });
});

describe('env: the injection', () => {
  const files = injectionFiles('/opt/ext/dist');

  it('sets every ENV name of runTags.ts', () => {
    const v = traceVariables(settings);
    assert.equal(v[ENV.trackingUri], 'http://127.0.0.1:5000');
    assert.equal(v[ENV.experimentName], 'exp one');
    assert.equal(v[ENV.runId], 'run-1');
    assert.equal(v[ENV.runName], 'Launch Program');
    assert.equal(v[ENV.runStarted], '2026-01-02T03:04:05.000Z');
    assert.equal(v[ENV.workspace], '/ws/app');
    assert.equal(v[ENV.captureContent], 'false');
    assert.equal(v[ENV.active], '1');
    assert.equal(ENV.experimentName in traceVariables({ ...settings, experimentName: undefined }) ? 'set' : 'unset', 'unset');
  });

  it('touches only the runtimes asked for', () => {
    const node = injectionVariables({ settings, files, runtimes: ['node'] });
    assert.ok(node.NODE_OPTIONS && !('PYTHONPATH' in node));
    const py = injectionVariables({ settings, files, runtimes: ['python'], pythonPath: '/mine', delimiter: ':' });
    assert.ok(!('NODE_OPTIONS' in py));
    assert.equal(py.PYTHONPATH, '/opt/ext/dist/inject/python:/mine');
  });

  it('passes the connection\'s credentials only to the same server', () => {
    const connectionEnv = { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000/', MLFLOW_TRACKING_TOKEN: 's3cret' };
    const same = injectionVariables({ settings, files, runtimes: [], connectionEnv });
    assert.equal(same.MLFLOW_TRACKING_TOKEN, 's3cret');
    const other = injectionVariables({ settings: { ...settings, trackingUri: 'https://elsewhere.example' }, files, runtimes: [], connectionEnv });
    assert.equal(other.MLFLOW_TRACKING_TOKEN, undefined);
    assert.equal(other.MLFLOW_TRACKING_URI, 'https://elsewhere.example');
  });

  it('builds a full env on a base, keeping the base\'s NODE_OPTIONS and PYTHONPATH', () => {
    const base = new EnvVars({ HOME: '/h', NODE_OPTIONS: '--inspect', PYTHONPATH: '/p', MLFLOW_EXPERIMENT_NAME: 'old' });
    const env = buildTracedEnv(base, { settings, files, runtimes: ['node', 'python'], delimiter: ':' }).value;
    assert.equal(env.HOME, '/h');
    assert.equal(env.NODE_OPTIONS, `${preloadNodeOptions(files)} --inspect`);
    assert.equal(env.PYTHONPATH, '/opt/ext/dist/inject/python:/p');
    assert.equal(env.MLFLOW_EXPERIMENT_NAME, 'exp one');
    const again = buildTracedEnv(new EnvVars(env), { settings, files, runtimes: ['node', 'python'], delimiter: ':' }).value;
    assert.equal(again.NODE_OPTIONS, env.NODE_OPTIONS);
    assert.equal(again.PYTHONPATH, env.PYTHONPATH);
  });

  it('logs a summary with no secret in it', () => {
    const s = redactedSummary({ MLFLOW_TRACKING_URI: 'https://bob:pw@mlflow.example/', MLFLOW_TRACKING_PASSWORD: 'pw', DATABRICKS_TOKEN: 'dapi123', [ENV.runId]: 'r' });
    assert.ok(!s.includes('pw@') && !s.includes('=pw') && !s.includes('dapi123'), s);
    assert.match(s, /MLFLOW_TRACKING_PASSWORD=<redacted>/);
    assert.match(s, /GEMINI_TRACE_RUN_ID=r/);
  });
});

describe('env: geminiTrace attribute, tracking URI and envFile', () => {
  it('accepts true, false and an object; rejects anything else with the fix in the message', () => {
    assert.deepEqual(parseTraceAttribute(true), { kind: 'on', options: {} });
    assert.deepEqual(parseTraceAttribute(false), { kind: 'off' });
    assert.deepEqual(parseTraceAttribute(undefined), { kind: 'absent' });
    assert.deepEqual(parseTraceAttribute({ experiment: ' e ', captureContent: false }), { kind: 'on', options: { experiment: 'e', captureContent: false } });
    const bad = parseTraceAttribute({ experimnet: 'x' });
    assert.equal(bad.kind, 'invalid');
    assert.match((bad as { error: string }).error, /unknown key "experimnet"; allowed: experiment/);
    assert.equal(parseTraceAttribute('yes').kind, 'invalid');
    assert.equal(parseTraceAttribute({ captureContent: 'no' }).kind, 'invalid');
    assert.equal(parseTraceAttribute({ trackingUri: 'localhost:5000' }).kind, 'invalid');
    assert.equal(parseTraceAttribute({ trackingUri: '${env:URI}' }, { checkUri: false }).kind, 'on');
  });

  it('accepts http(s) and Databricks tracking URIs only', () => {
    for (const ok of ['http://127.0.0.1:5000', 'https://mlflow.example/prefix', 'databricks', 'databricks://profile']) assert.equal(checkTrackingUri(ok), undefined, ok);
    assert.match(checkTrackingUri('file:///tmp/mlruns') ?? '', /uses file:/);
    assert.match(checkTrackingUri('not a uri') ?? '', /not a URL/);
  });

  it('reads dotenv files as the debuggers do', () => {
    const vars = parseEnvFile('# c\nexport NODE_OPTIONS="--a \\"b\\""\nPYTHONPATH=/x:/y # comment\nEMPTY=\nQ=\'lit $x\'\r\n');
    assert.deepEqual(vars, { NODE_OPTIONS: '--a \\"b\\"', PYTHONPATH: '/x:/y', EMPTY: '', Q: 'lit $x' });
  });
});
