// "Start Local MLflow Server": the embedded default for someone without a server. Runs
// `mlflow server` on 127.0.0.1 with a sqlite store in the workspace's .mlflow/ folder, streams its
// output to the log, points the connection at it, and stops it with the window.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionControl } from './control';
import { SECTION } from '../contributions/ids';
import { findPythonWithMlflow, installMlflow } from './python';
import { warmUpMlflow } from './warmUp';

const PREFERRED_PORT = 5000;
const START_TIMEOUT_MS = 120_000;

export class LocalServer implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private serverUrl: string | undefined;
  private starting: Promise<string | undefined> | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly killOnExit = () => this.kill('SIGKILL');

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly connection: ConnectionControl,
  ) {}

  /** URL of the server this window runs, while it runs. */
  get url(): string | undefined {
    return this.serverUrl;
  }

  start(): Promise<string | undefined> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<string | undefined> {
    if (this.serverUrl) {
      void vscode.window.showInformationMessage(`Gemini Trace: the local MLflow server is already running at ${this.serverUrl}.`);
      return this.serverUrl;
    }
    // Something may already answer where we are pointed: then there is nothing to start.
    const current = this.connection.trackingUri;
    if (isLoopback(current) && (await healthy(current, 1500))) {
      this.connection.report(true);
      void vscode.window.showInformationMessage(`Gemini Trace: an MLflow server already answers at ${current}.`);
      return current;
    }

    let py = await findPythonWithMlflow(this.context, this.log);
    if (!py) {
      const install = 'Install MLflow';
      const choose = 'Set Python Path…';
      const pick = await vscode.window.showInformationMessage(
        'Gemini Trace: no Python with MLflow was found. Create a virtual environment in VS Code\'s extension storage and install MLflow into it (a minute or two, about 300 MB)?',
        { modal: false },
        install,
        choose,
      );
      if (pick === choose) {
        this.log.info('local server: not started — set geminiTrace.localServer.python to a Python that has mlflow, then start it again');
        await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.localServer.python`);
        return undefined;
      }
      if (pick !== install) {
        // The offer was dismissed: say in the log what to do, since the notification is gone.
        this.log.info('local server: not started — no Python with mlflow was found and installing it was declined. Set geminiTrace.localServer.python to a Python that has mlflow, or run "Start Local MLflow Server" again and choose Install MLflow.');
        return undefined;
      }
      py = await installMlflow(this.context, this.log);
      if (!py) return undefined;
    }
    this.log.info(`local server: using ${py.python} (mlflow ${py.mlflowVersion}, ${py.source})`);

    const port = await choosePort(current);
    const url = `http://127.0.0.1:${port}`;
    const store = storeDir(this.context);
    mkdirSync(join(store, 'artifacts'), { recursive: true });
    // Keep the store out of the user's commits without touching their own .gitignore.
    if (!existsSync(join(store, '.gitignore'))) writeFileSync(join(store, '.gitignore'), '# Created by Gemini Trace Explorer: local MLflow data\n*\n');

    const args = ['-m', 'mlflow', 'server', '--host', '127.0.0.1', '--port', String(port),
      '--backend-store-uri', `sqlite:///${join(store, 'mlflow.db')}`, '--artifacts-destination', join(store, 'artifacts'), '--workers', '1'];
    this.log.info(`local server: $ ${py.python} ${args.join(' ')}`);
    const child = spawn(py.python, args, {
      cwd: store,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping it also stops the web server workers it spawns.
      detached: process.platform !== 'win32',
      env: {
        ...process.env,
        MLFLOW_ENABLE_TELEMETRY: 'false', MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true',
        // MLflow prices a model-call span when it stores it. By default its first one fetches the
        // provider's price list from the internet, retried for about 7 s where there is none, and
        // a traced app that has just exited waits that long for its first trace. Empty: the list
        // bundled with the installed MLflow. A value the user set for VS Code is kept.
        MLFLOW_MODEL_CATALOG_URI: process.env.MLFLOW_MODEL_CATALOG_URI ?? '',
        // MLflow 3.17's job runner (judges, prompt optimisation started from MLflow's UI) starts
        // seven more Python processes that each import MLflow: about 2 GB resident and 25–40 s
        // of CPU beside the editor at every start, for nothing tracing uses. A value the user
        // set for VS Code is kept (README "Install").
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: process.env.MLFLOW_SERVER_ENABLE_JOB_EXECUTION ?? 'false',
      },
    });
    this.child = child;
    process.once('exit', this.killOnExit);
    let tail = '';
    // Whose /health answers: another server (a second window starting one at the same moment)
    // can take the port after choosePort saw it free. Ours says it listens at `url` (uvicorn's
    // "running on", gunicorn's "Listening at"), or that the address is in use.
    let listening = false;
    let portTaken = false;
    const onData = (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-3000);
      listening ||= tail.includes(url);
      portTaken ||= /address already in use/i.test(tail);
      for (const line of text.split(/\r?\n/).filter((l) => l.trim())) this.log.info(`[mlflow] ${line}`);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code, signal) => {
      this.log.info(`local server: exited (${signal ?? `code ${code}`})`);
      if (this.child === child) this.clear();
    });

    const ok = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Gemini Trace: starting MLflow on ${url}`, cancellable: true },
      async (p, token) => {
        const deadline = Date.now() + START_TIMEOUT_MS;
        while (Date.now() < deadline && !token.isCancellationRequested && !portTaken && child.exitCode === null && child.signalCode === null) {
          if (listening && (await healthy(url, 1000))) {
            // Ready means ready for a first trace: MLflow's first-use work happens now, not while
            // the first traced app's last spans wait for it (warmUp.ts). Read-only, a few seconds.
            p.report({ message: 'warming up' });
            await warmUpMlflow(url);
            return true;
          }
          await new Promise((r) => setTimeout(r, 300));
        }
        return false;
      },
    );
    if (!ok) {
      const exited = child.exitCode !== null || child.signalCode !== null;
      // 'exit' can come before the last output: wait briefly for the pipes to close so the reason is in `tail`.
      if (exited) await new Promise((r) => (child.stdout?.readableEnded && child.stderr?.readableEnded ? r(undefined) : (child.once('close', r), setTimeout(r, 1000))));
      this.kill('SIGTERM');
      const why = portTaken
        ? `another process took port ${port} while it started; run the command again`
        : exited
          ? `mlflow server exited: ${tail.trim().split('\n').slice(-2).join(' ')}`
          : 'it did not become healthy in time (or you cancelled)';
      this.log.error(`local server: did not start — ${why}`);
      // Not awaited: until the user closes the notification, start() would stay pending and every
      // later "Start Local MLflow Server" would join it and do nothing.
      void vscode.window.showErrorMessage(`Gemini Trace: the local MLflow server did not start — ${why}`, 'Show Log').then((pick) => pick && this.log.show());
      return undefined;
    }
    this.serverUrl = url;
    this.log.info(`local server: up at ${url}, store ${store}`);
    this.connection.setLocalOverride(url === this.connection.trackingUri ? undefined : url);
    this.connection.report(true);
    this.emitter.fire();
    void vscode.window.showInformationMessage(`Gemini Trace: local MLflow server running at ${url} (data in ${store}). It stops when this window closes.`);
    return url;
  }

  async stop(): Promise<void> {
    if (!this.child) {
      void vscode.window.showInformationMessage('Gemini Trace: no local MLflow server is running in this window.');
      return;
    }
    const child = this.child;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL', child), 5000);
    await exited;
    clearTimeout(timer);
  }

  private kill(signal: NodeJS.Signals, child = this.child): void {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      /* already gone */
    }
  }

  private clear(): void {
    process.off('exit', this.killOnExit);
    const wasOverride = this.serverUrl && this.connection.localOverride === this.serverUrl;
    this.child = undefined;
    this.serverUrl = undefined;
    if (wasOverride) this.connection.setLocalOverride(undefined);
    this.emitter.fire();
  }

  dispose(): void {
    this.kill('SIGTERM');
    process.off('exit', this.killOnExit);
    this.emitter.dispose();
  }
}

/** The workspace's .mlflow/ folder, or the extension's storage when no folder is open. */
function storeDir(context: vscode.ExtensionContext): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? join(folder.uri.fsPath, '.mlflow') : join(context.globalStorageUri.fsPath, 'mlflow');
}

export function isLoopback(uri: string): boolean {
  try {
    const h = new URL(uri).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]';
  } catch {
    return false;
  }
}

async function healthy(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const r = await fetch(`${url.replace(/\/+$/, '')}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return r.ok;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The configured loopback port when free (so nothing needs re-pointing), else 5000, else any. */
async function choosePort(current: string): Promise<number> {
  if (isLoopback(current)) {
    const p = Number(new URL(current).port || 80);
    if (p >= 1024 && (await portFree(p))) return p;
  }
  if (await portFree(PREFERRED_PORT)) return PREFERRED_PORT;
  return anyFreePort();
}
