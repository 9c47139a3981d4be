// Auto-trace inside a real VS Code against a real MLflow: the workspace's own "Node app (traced)"
// launch configuration is started as F5 starts it (built-in js-debug runs it), "Run Without
// Debugging" too, and a program typed into a new integrated terminal; each one's Gemini calls
// (answered by the loopback stand-in) must arrive in MLflow tagged with its run. Also: what the
// resolvers make of every supported config type, launch.json IntelliSense for "geminiTrace", and
// the add-to-launch.json command.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TraceDebugConfigurationProvider } from '../../src/launch/debugConfig';
import { DebugRunTracker, RUN_ID_KEY } from '../../src/launch/debugRuns';
import { injectionFiles, preloadNodeOptions } from '../../src/launch/env';
import { ENV, TAG } from '../../src/shared/runTags';
import type { Services, TracedRun } from '../../src/core/services';
import type { Standin } from '../fixtures/gemini/standin';
import { closeAllEditors, hostStandin, getExtension, getServices, mlflowUrl, waitFor, withSetting, workspaceDir } from '../helpers/vscode';

type TraceRow = { trace_id: string; request_preview?: string; tags?: Record<string, string> };

const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;

async function rest<T>(p: string, body?: unknown): Promise<T> {
  const r = await fetch(`${mlflowUrl()}${p}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (!r.ok) throw new Error(`${p} -> ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Traces of an experiment (by name) once at least `atLeast` are there. */
function tracesOf(experiment: string, atLeast: number, timeoutMs = 45_000): Promise<TraceRow[]> {
  return waitFor(async () => {
    const exp = await rest<{ experiment?: { experiment_id: string } }>(`/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`).catch(() => undefined);
    if (!exp?.experiment) return undefined;
    const r = await rest<{ traces?: TraceRow[] }>('/api/3.0/mlflow/traces/search', {
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp.experiment.experiment_id } }],
      max_results: 100,
    });
    return (r.traces?.length ?? 0) >= atLeast ? r.traces : undefined;
  }, timeoutMs, `${atLeast} trace(s) in MLflow experiment "${experiment}"`);
}

function assertRunTags(t: TraceRow, run: TracedRun, workspace: string, runtime = 'node'): void {
  assert.equal(t.tags?.[TAG.runId], run.id, `trace ${t.trace_id}: run id`);
  assert.equal(t.tags?.[TAG.runName], run.name);
  assert.equal(t.tags?.[TAG.runStarted], run.startedAt.toISOString());
  assert.equal(t.tags?.[TAG.workspace], workspace);
  assert.equal(t.tags?.[TAG.runtime], runtime);
}

/** What the debuggee printed in every debug session so far (js-debug's output events): a failing
 *  launch test quotes it, so a program that never got to its Gemini calls says why. */
const debugOutput: string[] = [];
function debuggeeOutput(): string {
  const text = debugOutput.join('');
  return text ? `\nwhat the debug sessions printed:\n${text.slice(-4000)}` : '\n(the debug sessions printed nothing)';
}

/** Starts a debug session and resolves with its configuration once it has terminated. */
async function runToEnd(start: () => Thenable<boolean>, timeoutMs = 150_000): Promise<vscode.DebugConfiguration> {
  let sessionId: string | undefined;
  let config: vscode.DebugConfiguration | undefined;
  debugOutput.length = 0;
  const subs = [
    vscode.debug.onDidStartDebugSession((s) => { if (!sessionId && s.configuration[RUN_ID_KEY]) { sessionId = s.id; config = s.configuration; } }),
    vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { output?: string } }) => {
          if (m.type === 'event' && m.event === 'output' && typeof m.body?.output === 'string') debugOutput.push(m.body.output);
        },
      }),
    }),
  ];
  const ended = new Promise<void>((resolve) => subs.push(vscode.debug.onDidTerminateDebugSession((s) => { if (s.id === sessionId) resolve(); })));
  try {
    assert.equal(await start(), true, 'startDebugging refused the configuration');
    await Promise.race([ended, new Promise((_, rej) => setTimeout(() => rej(new Error(`the debug session did not end within ${timeoutMs} ms`)), timeoutMs))]);
    assert.ok(config);
    return config;
  } finally {
    for (const s of subs) s.dispose();
  }
}

describe('launch: auto-trace in a real VS Code', function () {
  // Generous (on a loaded CI machine one launch alone has taken 90 s), but bounded: a stuck
  // launch must fail its test, not use up the whole suite's time.
  this.timeout(200_000);
  let services: Services;
  let standin: Standin;
  let folder: vscode.WorkspaceFolder;
  let repo: string;
  const restore: (() => Promise<void> | void)[] = [];

  before(async () => {
    services = await getServices();
    repo = getExtension().extensionPath;
    folder = vscode.workspace.workspaceFolders![0];
    standin = await hostStandin();
    standin.reset();
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
    await closeAllEditors();
  });

  it('F5 on the workspace\'s "Node app (traced)" writes its Gemini calls to MLflow, tagged with the run', async () => {
    const experiment = unique('launch-f5');
    restore.push(await withSetting('geminiTrace', 'experiment', experiment));
    standin.reset();
    const started = Date.now();
    const config = await runToEnd(() => vscode.debug.startDebugging(folder, 'Node app (traced)'));

    const run = services.runs.all.find((r) => r.id === config[RUN_ID_KEY]);
    assert.ok(run, 'no TracedRun registered for the session');
    assert.equal(run.kind, 'debug');
    assert.equal(run.name, 'Node app (traced)');
    assert.ok(run.debugSessionId && run.endedAt, 'the run is tied to its session and ended with it');
    assert.equal(run.experimentName, experiment);
    // The env VS Code handed js-debug: our preload first, then the run's variables.
    const files = injectionFiles(path.join(repo, 'dist'));
    assert.ok(String(config.env.NODE_OPTIONS).startsWith(preloadNodeOptions(files)), config.env.NODE_OPTIONS);
    assert.equal(config.env[ENV.runId], run.id);
    assert.equal(config.env[ENV.trackingUri], mlflowUrl());
    assert.deepEqual(config.geminiTrace, { captureContent: true, experiment });

    assert.ok(standin.calls.length >= 4, `the app made ${standin.calls.length} Gemini calls${debuggeeOutput()}`); // plain, stream, chat ×2
    const traces = await tracesOf(experiment, 3);
    for (const t of traces) assertRunTags(t, run, folder.uri.fsPath);
    // The real preload tells this window's Traces view of its uploads (from the app, or from its
    // exit sender when the app ended first), through the file the view reads each tick.
    assert.ok(services.activitySignal, 'the window has an activity signal file');
    assert.equal(config.env[ENV.signal], services.activitySignal);
    const signalled = await waitFor(() => {
      const ms = existsSync(services.activitySignal!) ? Number(readFileSync(services.activitySignal!, 'utf8')) : NaN;
      return ms >= started && ms <= Date.now() ? ms : undefined;
    }, 30_000, 'the app to signal an accepted upload');
    assert.ok(signalled >= started);
  });

  it('"Run Without Debugging" is traced the same way, honouring captureContent: false', async () => {
    const experiment = unique('launch-nodebug');
    const prompt = 'a secret prompt that must stay out of the trace';
    const config = await runToEnd(() =>
      vscode.debug.startDebugging(folder, {
        type: 'pwa-node', request: 'launch', name: 'hello without debugging',
        program: path.join(repo, 'test', 'fixtures', 'launch', 'hello.cjs'), args: [prompt],
        env: { NODE_OPTIONS: '--max-old-space-size=512' },
        geminiTrace: { experiment, captureContent: false },
      }, { noDebug: true }));
    assert.equal(config.noDebug, true);
    assert.ok(String(config.env.NODE_OPTIONS).endsWith(' --max-old-space-size=512'), 'the user\'s NODE_OPTIONS are kept, after ours');
    assert.equal(config.env[ENV.captureContent], 'false');
    const run = services.runs.all.find((r) => r.id === config[RUN_ID_KEY])!;
    const [trace] = await tracesOf(experiment, 1);
    assertRunTags(trace, run, folder.uri.fsPath);
    assert.ok(!JSON.stringify(trace).includes('secret prompt'), 'the prompt reached the trace although captureContent is false');
  });

  it('traces a node-terminal launch: the env goes into the debug terminal js-debug opens', async () => {
    const experiment = unique('launch-node-terminal');
    const app = path.join(repo, 'test', 'fixtures', 'launch', 'hello.cjs');
    let session: vscode.DebugSession | undefined;
    const sub = vscode.debug.onDidStartDebugSession((s) => { if (!session && s.configuration[RUN_ID_KEY]) session = s; });
    try {
      const ok = await vscode.debug.startDebugging(folder, {
        type: 'node-terminal', request: 'launch', name: 'hello in a debug terminal',
        command: `"${process.execPath}" "${app}" "from a debug terminal"`, cwd: workspaceDir(),
        // Debug terminals get the pty host's environment, not this extension host's.
        env: { GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' },
        geminiTrace: { experiment },
      });
      assert.equal(ok, true);
      const s = await waitFor(() => session, 30_000, 'the node-terminal session');
      const run = services.runs.all.find((r) => r.id === s.configuration[RUN_ID_KEY]);
      assert.ok(run, 'no TracedRun for the node-terminal session');
      const [trace] = await tracesOf(experiment, 1, 60_000);
      assertRunTags(trace, run, folder.uri.fsPath);
      await vscode.debug.stopDebugging(s);
      await waitFor(() => run.endedAt, 30_000, 'the run to end with its session');
    } finally {
      sub.dispose();
      for (const t of vscode.window.terminals) if (/debug|hello/i.test(t.name)) t.dispose();
    }
  });

  it('leaves a launch alone when geminiTrace is false, or autoTrace is "off"; traces all with autoTrace "all"', async () => {
    const seen: vscode.DebugConfiguration[] = [];
    // A provider registered after ours sees what ours made of the config, in VS Code's own
    // resolution pipeline; returning undefined then cancels the launch.
    const spy = vscode.debug.registerDebugConfigurationProvider('pwa-node', {
      resolveDebugConfigurationWithSubstitutedVariables: (_f, c) => { seen.push(c); return undefined; },
    });
    try {
      const base = { type: 'pwa-node', request: 'launch', program: path.join(repo, 'test', 'fixtures', 'launch', 'hello.cjs') };
      const resolve = async (c: object) => { await vscode.debug.startDebugging(folder, { name: 'spy', ...base, ...c } as vscode.DebugConfiguration); return seen[seen.length - 1]; };
      assert.equal((await resolve({ geminiTrace: false }))[RUN_ID_KEY], undefined);
      assert.equal((await resolve({}))[RUN_ID_KEY], undefined, 'launchConfigs mode traces only configs that ask');
      const restoreMode = await withSetting('geminiTrace', 'autoTrace', 'all');
      try {
        const all = await resolve({});
        assert.ok(all[RUN_ID_KEY] && String(all.env.NODE_OPTIONS).includes('preload.cjs'), 'autoTrace "all" traces a config without geminiTrace');
        assert.equal((await resolve({ geminiTrace: false }))[RUN_ID_KEY], undefined, 'false opts out even with "all"');
        assert.equal((await resolve({ request: 'attach', port: 9229 }))[RUN_ID_KEY], undefined, 'attach requests are never touched');
      } finally {
        await restoreMode();
      }
      const restoreOff = await withSetting('geminiTrace', 'autoTrace', 'off');
      try {
        assert.equal((await resolve({ geminiTrace: true }))[RUN_ID_KEY], undefined, 'autoTrace "off" turns tracing off');
      } finally {
        await restoreOff();
      }
    } finally {
      spy.dispose();
    }
  });

  it('runs its resolver for debugpy without the Python extension; the env it makes traces a venv with only google-genai', async () => {
    const experiment = unique('launch-debugpy');
    restore.push(await withSetting('geminiTrace', 'experiment', experiment));
    let seen: vscode.DebugConfiguration | undefined;
    const spy = vscode.debug.registerDebugConfigurationProvider('debugpy', {
      resolveDebugConfigurationWithSubstitutedVariables: (_f, c) => { seen = c; return undefined; },
    });
    try {
      await vscode.debug.startDebugging(folder, 'Python app (traced)');
    } finally {
      spy.dispose();
    }
    assert.ok(seen?.[RUN_ID_KEY], 'our resolver did not run for debugpy');
    assert.equal(String(seen.env.PYTHONPATH).split(path.delimiter)[0], path.join(repo, 'dist', 'inject', 'python'));
    assert.equal(seen.env.NODE_OPTIONS, undefined, 'a Python launch gets no NODE_OPTIONS');
    // What debugpy does with the resolved config (the Python debugger extension cannot be installed
    // here): run its program with its env, in a venv that holds google-genai and no mlflow.
    const python = path.join(repo, '.venvs', 'genai', 'bin', 'python');
    assert.notEqual(spawnSync(python, ['-c', 'import mlflow']).status, 0, 'the app venv has no mlflow');
    standin.reset();
    // Asynchronously: the stand-in answering it runs on this extension host's event loop.
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(python, [seen!.program], { cwd: path.dirname(seen!.program), env: { ...process.env, ...seen!.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stderr }));
    });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /gemini-trace/, 'the tracer has nothing to say');
    // The run as the resolver put it in the env (the spy cancelled the launch, so no session holds it).
    const run = { id: seen.env[ENV.runId], name: seen.env[ENV.runName], startedAt: new Date(seen.env[ENV.runStarted]) } as TracedRun;
    assert.equal(run.id, seen[RUN_ID_KEY]);
    const traces = await tracesOf(experiment, standin.calls.length);
    assert.ok(traces.length >= 3, `one trace per top-level call, got ${traces.length}`);
    for (const t of traces) assertRunTags(t, run, folder.uri.fsPath, 'python');
  });

  it('stops a launch whose geminiTrace is invalid, saying how to fix it', async () => {
    const ok = await vscode.debug.startDebugging(folder, {
      type: 'node', request: 'launch', name: 'bad attribute', program: path.join(repo, 'test', 'fixtures', 'launch', 'hello.cjs'),
      geminiTrace: { experimnet: 'typo' },
    });
    assert.equal(ok, false);
    await closeAllEditors();
  });

  it('resolves every supported config type (defaults first, env after substitution)', async () => {
    const tracker = new DebugRunTracker(services.runs);
    const provider = new TraceDebugConfigurationProvider(services, injectionFiles(path.join(repo, 'dist')), tracker);
    const envFile = path.join(workspaceDir(), 'launch-test.env');
    writeFileSync(envFile, 'NODE_OPTIONS=--from-env-file\nPYTHONPATH=/from/env/file\n');
    try {
      const resolve = async (c: vscode.DebugConfiguration) => {
        const first = await provider.resolveDebugConfiguration(folder, { ...c });
        return provider.resolveDebugConfigurationWithSubstitutedVariables(folder, first);
      };
      for (const type of ['node', 'pwa-node', 'node-terminal']) {
        const r = (await resolve({ type, request: 'launch', name: type, geminiTrace: { experiment: 'e1' }, env: { NODE_OPTIONS: '--mine' } }))!;
        assert.deepEqual(r.geminiTrace, { experiment: 'e1', captureContent: true }, type);
        assert.equal(r.env.NODE_OPTIONS, `${preloadNodeOptions(injectionFiles(path.join(repo, 'dist')))} --mine`, type);
        assert.equal(r.env.PYTHONPATH, undefined, type);
        assert.equal(r.env[ENV.experimentName], 'e1');
        assert.equal(r.env[ENV.workspace], folder.uri.fsPath);
        assert.equal(r.env[ENV.runName], type);
        assert.ok(r[RUN_ID_KEY] && r.env[ENV.runId] === r[RUN_ID_KEY]);
        const again = (await provider.resolveDebugConfigurationWithSubstitutedVariables(folder, r))!;
        assert.equal(again.env.NODE_OPTIONS, r.env.NODE_OPTIONS, 'resolving twice (node → pwa-node) injects once');
      }
      for (const type of ['debugpy', 'python']) {
        const r = (await resolve({ type, request: 'launch', name: type, geminiTrace: true, envFile }))!;
        assert.equal(r.env.PYTHONPATH, `${path.join(repo, 'dist', 'inject', 'python')}${path.delimiter}/from/env/file`, type);
        assert.equal(r.env.NODE_OPTIONS, undefined, type);
        assert.equal(r.env[ENV.captureContent], 'true');
      }
      const fromFile = (await resolve({ type: 'node', request: 'launch', name: 'f', geminiTrace: true, envFile }))!;
      assert.ok(fromFile.env.NODE_OPTIONS.endsWith(' --from-env-file'), 'NODE_OPTIONS from envFile is kept');
      const deleted = (await resolve({ type: 'node', request: 'launch', name: 'd', geminiTrace: true, envFile, env: { NODE_OPTIONS: null } }))!;
      assert.equal(deleted.env.NODE_OPTIONS, preloadNodeOptions(injectionFiles(path.join(repo, 'dist'))), 'env NODE_OPTIONS: null hides the envFile\'s');
      assert.equal(await resolve({ type: 'node', request: 'launch', name: 'bad', geminiTrace: { trackingUri: 'file:///tmp/x' } }), null);
    } finally {
      rmSync(envFile, { force: true });
      tracker.dispose();
    }
  });

  it('traces programs typed into a new integrated terminal once turned on, and stops when turned off', async () => {
    const experiment = unique('launch-terminal');
    restore.push(await withSetting('geminiTrace', 'experiment', experiment));
    assert.equal(await vscode.commands.executeCommand('geminiTrace.enableTerminalTracing'), true);
    const c = services.context.environmentVariableCollection;
    const run = services.runs.latest!;
    assert.equal(run.kind, 'terminal');
    assert.equal(c.get(ENV.runId)?.value, run.id);
    assert.equal(c.get(ENV.experimentName)?.value, experiment);
    assert.equal(c.get(ENV.trackingUri)?.value, mlflowUrl());
    assert.equal(c.get('NODE_OPTIONS')?.type, vscode.EnvironmentVariableMutatorType.Prepend);
    assert.ok(c.get('NODE_OPTIONS')?.value.startsWith('--require '));
    assert.ok(c.get('PYTHONPATH')?.value.startsWith(path.join(repo, 'dist', 'inject', 'python')));
    assert.ok(c.persistent, 'no credentials in the env: the collection survives a reload');
    const description = c.description instanceof vscode.MarkdownString ? c.description.value : String(c.description);
    assert.match(description, /Gemini Trace: Node and Python programs started here are traced into MLflow/);

    // A real terminal: its shell runs the app with the env the collection gave it.
    const out = path.join(workspaceDir(), 'terminal-out.txt');
    const app = path.join(repo, 'test', 'fixtures', 'launch', 'hello.cjs');
    // And a Python program, in a venv with only google-genai.
    const pyApp = [path.join(repo, '.venvs', 'genai', 'bin', 'python'), path.join(repo, 'test', 'fixtures', 'launch', 'hello.py')];
    const terminal = vscode.window.createTerminal({
      name: 'gt launch test', shellPath: '/bin/sh', cwd: folder.uri,
      // Terminals get the env of VS Code's pty host, not of this extension host: pass the stand-in's.
      env: { GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' },
      shellArgs: ['-c', `"${process.execPath}" "${app}" "typed in a terminal" > "${out}" 2>&1; "${pyApp[0]}" "${pyApp[1]}" "python typed in a terminal" >> "${out}" 2>&1; echo "NODE_OPTIONS=$NODE_OPTIONS" >> "${out}"`],
    });
    try {
      const text = await waitFor(() => {
        const t = existsSync(out) ? readFileSync(out, 'utf8') : '';
        return t.includes('NODE_OPTIONS=') ? t : undefined;
      }, 60_000, 'the terminal program to finish');
      assert.match(text, /reply: echo: typed in a terminal/);
      assert.match(text, /reply: echo: python typed in a terminal/);
      assert.doesNotMatch(text, /gemini-trace/);
      const both = await tracesOf(experiment, 2);
      assert.equal(both.length, 2);
      const runtimes = both.map((t) => t.tags?.[TAG.runtime]).sort();
      assert.deepEqual(runtimes, ['node', 'python']);
      for (const t of both) assertRunTags(t, run, folder.uri.fsPath, t.tags?.[TAG.runtime]);
    } finally {
      terminal.dispose();
      rmSync(out, { force: true });
    }

    await vscode.commands.executeCommand('geminiTrace.disableTerminalTracing');
    assert.equal(c.get(ENV.runId), undefined);
    assert.equal(c.get('NODE_OPTIONS'), undefined);
    assert.ok(run.endedAt, 'turning it off ends the terminal run');
  });

  it('adds geminiTrace to a launch configuration, or creates one, in launch.json', async () => {
    const file = path.join(workspaceDir(), '.vscode', 'launch.json');
    const original = readFileSync(file, 'utf8');
    try {
      const configs = () => vscode.workspace.getConfiguration('launch', folder.uri).get<{ name: string; geminiTrace?: unknown }[]>('configurations') ?? [];
      const created = await vscode.commands.executeCommand<string>('geminiTrace.addToLaunchConfig', { create: 'node' });
      assert.equal(created, 'Node: Current File (Gemini Trace)');
      await waitFor(() => configs().find((c) => c.name === created && c.geminiTrace === true), 10_000, 'the new configuration in launch.json');
      const launch = vscode.workspace.getConfiguration('launch', folder.uri);
      await launch.update('configurations', [...configs(), { type: 'node', request: 'launch', name: 'plain', program: '${file}' }], vscode.ConfigurationTarget.WorkspaceFolder);
      await vscode.commands.executeCommand('geminiTrace.addToLaunchConfig', { name: 'plain' });
      await waitFor(() => configs().find((c) => c.name === 'plain' && c.geminiTrace === true), 10_000, '"plain" to get geminiTrace');
      assert.deepEqual(configs().find((c) => c.name === 'Node app (traced, experiment "examples")')?.geminiTrace, { experiment: 'examples' }, 'other configurations are untouched');
      assert.match(readFileSync(file, 'utf8'), /"geminiTrace": true/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('offers "geminiTrace" in launch.json IntelliSense and flags a wrong value', async () => {
    const uri = vscode.Uri.file(path.join(workspaceDir(), '.vscode', 'launch.json'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // A new node configuration (one that has no geminiTrace yet: JSON completion leaves out the
    // properties an object already has), the cursor after its last property.
    const line = doc.getText().split('\n').findIndex((l) => l.includes('"name": "Node app (traced)"')) - 1;
    assert.ok(line > 0);
    const probe = '    { "type": "node", "request": "launch", "name": "probe", ';
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(line, 0), `${probe}},\n`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const at = new vscode.Position(line, probe.length);
      let labels: string[] = [];
      await waitFor(async () => {
        const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, at);
        labels = l.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        return labels.includes('geminiTrace');
      }, 30_000, 'a "geminiTrace" completion in launch.json').catch((e: Error) => {
        throw new Error(`${e.message}; offered: ${labels.slice(0, 60).join(', ')}`);
      });
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    const bad = new vscode.WorkspaceEdit();
    const text = doc.getText();
    const at = text.indexOf('"geminiTrace": true', text.indexOf('"name": "Node app (traced)"'));
    bad.replace(uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + '"geminiTrace": true'.length)), '"geminiTrace": "yes"');
    assert.ok(await vscode.workspace.applyEdit(bad));
    try {
      const line = doc.positionAt(at).line;
      await waitFor(() => vscode.languages.getDiagnostics(uri).some((d) => d.range.start.line === line && /type/i.test(d.message)), 30_000, 'a diagnostic on "geminiTrace": "yes"').catch((e: Error) => {
        const all = vscode.languages.getDiagnostics().map(([u, ds]) => `${u.toString()}: ${ds.map((d) => `${d.range.start.line}:${d.message}`).join(' | ')}`);
        throw new Error(`${e.message} (line ${line}; doc dirty ${doc.isDirty}; text there: ${doc.lineAt(line).text}); diagnostics: ${all.join('\n')}`);
      });
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await closeAllEditors();
    }
  });
});
