// Finding a Python that can run `mlflow server`, and making one when there is none: a venv in
// the extension's global storage with `pip install mlflow`, behind a cancellable progress bar.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { setting } from '../contributions/settings';
import { errorMessage } from '../shared/errors';

const IS_WIN = process.platform === 'win32';
const venvPython = (dir: string) => join(dir, IS_WIN ? 'Scripts' : 'bin', IS_WIN ? 'python.exe' : 'python');

export interface PythonWithMlflow {
  python: string;
  mlflowVersion: string;
  /** Where we found it, for the log. */
  source: string;
}

/** The venv "Start Local MLflow Server" creates when no Python has mlflow. */
export function managedVenvDir(context: vscode.ExtensionContext): string {
  return join(context.globalStorageUri.fsPath, 'mlflow-venv');
}

/** Candidates in order of preference; each is checked by importing mlflow. */
async function candidates(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<{ python: string; source: string }[]> {
  const out: { python: string; source: string }[] = [];
  const configured = setting('localServer.python').trim();
  if (configured) out.push({ python: configured, source: 'setting geminiTrace.localServer.python' });
  const fromExt = await pythonExtensionInterpreter(log);
  if (fromExt) out.push({ python: fromExt, source: 'Python extension interpreter' });
  out.push({ python: venvPython(managedVenvDir(context)), source: 'Gemini Trace venv' });
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    for (const d of ['.venv', 'venv']) out.push({ python: venvPython(join(f.uri.fsPath, d)), source: `workspace ${d}` });
  }
  for (const p of IS_WIN ? ['python', 'py'] : ['python3', 'python']) out.push({ python: p, source: 'PATH' });
  // Bare names are resolved on PATH by the OS; paths must exist. A configured one that does not
  // is the user's mistake to hear about, not to skip in silence.
  if (configured && /[\\/]/.test(configured) && !existsSync(configured)) log.warn(`local server: geminiTrace.localServer.python is ${configured}, which does not exist; looking for another Python with mlflow`);
  return out.filter((c) => !/[\\/]/.test(c.python) || existsSync(c.python));
}

/** The interpreter the Python extension has selected for the workspace, if it is installed. */
async function pythonExtensionInterpreter(log: vscode.LogOutputChannel): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) return undefined;
  try {
    // Typed loosely on purpose: the Python extension's API changed shape across releases.
    const api = (ext.isActive ? ext.exports : await ext.activate()) as {
      environments?: { getActiveEnvironmentPath(r?: vscode.Uri): { path: string }; resolveEnvironment(p: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined> };
      settings?: { getExecutionDetails(r?: vscode.Uri): { execCommand?: string[] } };
    };
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (api.environments) {
      const active = api.environments.getActiveEnvironmentPath(folder);
      const env = await api.environments.resolveEnvironment(active);
      return env?.executable?.uri?.fsPath ?? active.path;
    }
    return api.settings?.getExecutionDetails(folder).execCommand?.[0];
  } catch (e) {
    log.warn(`local server: could not ask the Python extension for its interpreter: ${errorMessage(e)}`);
    return undefined;
  }
}

function mlflowVersion(python: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // Importing mlflow takes a few seconds on a cold disk.
    execFile(python, ['-c', 'import mlflow, sys; sys.stdout.write(mlflow.__version__)'], { timeout: 60_000 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim() || undefined),
    );
  });
}

export async function findPythonWithMlflow(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<PythonWithMlflow | undefined> {
  const seen = new Set<string>();
  for (const c of await candidates(context, log)) {
    if (seen.has(c.python)) continue;
    seen.add(c.python);
    const v = await mlflowVersion(c.python);
    log.debug(`local server: ${c.python} (${c.source}) ${v ? `has mlflow ${v}` : 'has no mlflow'}`);
    if (v) return { python: c.python, mlflowVersion: v, source: c.source };
    if (c.source.startsWith('setting')) log.warn(`local server: ${c.python} (geminiTrace.localServer.python) cannot import mlflow — install it there (${c.python} -m pip install mlflow) or clear the setting; looking elsewhere`);
  }
  log.info(`local server: no Python with mlflow among ${[...seen].join(', ') || 'no candidates'}`);
  return undefined;
}

/** A base Python ≥ 3.10 that can create venvs. */
async function basePython(): Promise<string | undefined> {
  for (const p of IS_WIN ? ['python', 'py'] : ['python3', 'python']) {
    const ok = await new Promise<boolean>((resolve) =>
      execFile(p, ['-c', 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)'], { timeout: 20_000 }, (err) => resolve(!err)),
    );
    if (ok) return p;
  }
  return undefined;
}

/** Runs a process with its output in the log; rejects with the exit code and last output. */
function run(cmd: string, args: string[], log: vscode.LogOutputChannel, token: vscode.CancellationToken, onLine?: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    log.info(`$ ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split(/\r?\n/).filter((l) => l.trim())) {
        log.info(`  ${line}`);
        onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const sub = token.onCancellationRequested(() => child.kill());
    child.on('error', (e) => {
      sub.dispose();
      reject(e);
    });
    child.on('close', (code) => {
      sub.dispose();
      if (token.isCancellationRequested) reject(new vscode.CancellationError());
      else if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args[0]} ${args[1] ?? ''} exited with ${code}: ${tail.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

/** Creates the managed venv and installs mlflow into it, with a cancellable notification. */
export async function installMlflow(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<PythonWithMlflow | undefined> {
  const base = await basePython();
  if (!base) {
    void vscode.window.showErrorMessage('Gemini Trace: no Python 3.10 or newer with the venv module was found on PATH. Install Python (and python3-venv on Debian/Ubuntu), or set geminiTrace.localServer.python to a Python that has mlflow.');
    return undefined;
  }
  const dir = managedVenvDir(context);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Gemini Trace: installing MLflow', cancellable: true },
      async (progress, token) => {
        if (!existsSync(venvPython(dir))) {
          progress.report({ message: `creating a virtual environment in ${dir}` });
          await run(base, ['-m', 'venv', dir], log, token);
        }
        progress.report({ message: 'pip install mlflow (a minute or two)' });
        await run(venvPython(dir), ['-m', 'pip', 'install', '--disable-pip-version-check', 'mlflow'], log, token, (line) => {
          const m = /^(Collecting|Downloading|Installing|Successfully)\s+(.{0,60})/.exec(line.trim());
          if (m) progress.report({ message: `${m[1].toLowerCase()} ${m[2]}` });
        });
      },
    );
  } catch (e) {
    if (e instanceof vscode.CancellationError) {
      log.info('local server: MLflow installation cancelled');
      return undefined;
    }
    log.error(`local server: installing MLflow failed: ${errorMessage(e)}`);
    // Not awaited, so the start that asked for the install ends now, not when the notification closes.
    void vscode.window.showErrorMessage(`Gemini Trace: installing MLflow failed: ${errorMessage(e)}`, 'Show Log').then((pick) => pick && log.show());
    return undefined;
  }
  const v = await mlflowVersion(venvPython(dir));
  return v ? { python: venvPython(dir), mlflowVersion: v, source: 'Gemini Trace venv (just installed)' } : undefined;
}
