// "Trace Gemini Calls in New Terminals": puts the injection env into the extension's
// environmentVariableCollection, so `npm start` or `python app.py` typed into a new integrated
// terminal is traced with no change to the command.
//
// Runs: one TracedRun per enablement (kind "terminal"), kept across window reloads and ended by
// the "Stop…" command. A collection cannot vary per terminal, and changing the run id on every
// window open would flag every open terminal as stale; running the enable command again starts a
// fresh run for the terminals opened after it.
//
// Persistence: the collection is persistent (applied before the extension activates after a
// reload) unless the connection's env holds credentials. Those stay out of VS Code's storage (they
// live only in SecretStorage), so the collection is then rebuilt when the extension activates.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { STORAGE } from '../contributions/ids';
import { setting } from '../contributions/settings';
import { ENV } from '../shared/runTags';
import type { Services, TracedRun } from '../core/services';
import { availableRuntimes, hasNodePreload, hasPythonShim, injectionVariables, preloadNodeOptions, redactUri, redactedSummary, withNodePreload, withPythonShim } from './env';
import type { InjectionFiles } from './env';
import { errorMessage } from '../shared/errors';


interface StoredRun {
  id: string;
  name: string;
  startedAt: string;
}

type Mutation = { op: 'replace' | 'prepend'; value: string };

export class TerminalTracing implements vscode.Disposable {
  private run: TracedRun | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  // apply() awaits the connection's env; two overlapping ones could leave an older run's values.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly services: Services, private readonly files: InjectionFiles) {
    // Whichever run is current when the refresh gets its turn: never an older one.
    const refresh = () => void this.serial(() => (this.run ? this.apply(this.run) : undefined)).catch((e) => this.fail(e));
    this.subscriptions.push(
      services.connection.onDidChange(refresh),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('geminiTrace')) refresh(); }),
      vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    );
  }

  private get collection(): vscode.GlobalEnvironmentVariableCollection {
    return this.services.context.environmentVariableCollection;
  }

  get enabled(): boolean {
    return this.run !== undefined;
  }

  /** On activation: bring back the run of an earlier enablement and re-apply its env. */
  async restore(): Promise<void> {
    const stored = this.services.context.workspaceState.get<StoredRun>(STORAGE.terminalRun);
    if (!stored) {
      // A persisted collection without our state (e.g. state wiped) would trace with no run.
      if (this.collection.get(ENV.runId)) this.collection.clear();
      return;
    }
    this.run = { id: stored.id, name: stored.name, startedAt: new Date(stored.startedAt), kind: 'terminal' };
    this.services.runs.add(this.run);
    const run = this.run;
    await this.serial(() => this.apply(run));
  }

  async enable(): Promise<void> {
    const { runtimes, problems } = availableRuntimes(this.files);
    if (!runtimes.length) throw new Error(problems.join(' '));
    if (this.run) this.services.runs.end(this.run.id);
    const startedAt = new Date();
    const run: TracedRun = { id: randomUUID(), name: `Terminal ${startedAt.toLocaleTimeString()}`, startedAt, kind: 'terminal' };
    await this.serial(async () => {
      await this.apply(run);
      this.run = run;
    });
    this.services.runs.add(run);
    await this.services.context.workspaceState.update(STORAGE.terminalRun, { id: run.id, name: run.name, startedAt: startedAt.toISOString() } satisfies StoredRun);
    for (const p of problems) this.services.log.warn(p);
  }

  private serial<T>(op: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async disable(): Promise<void> {
    // In turn, after any pending apply, so none can undo this.
    await this.serial(() => {
      this.collection.clear();
      for (const folder of vscode.workspace.workspaceFolders ?? []) this.collection.getScoped({ workspaceFolder: folder }).clear();
      if (this.run) this.services.runs.end(this.run.id);
      this.run = undefined;
    });
    await this.services.context.workspaceState.update(STORAGE.terminalRun, undefined);
    this.services.log.info('terminal tracing off');
  }

  private async apply(run: TracedRun): Promise<void> {
    const { runtimes } = availableRuntimes(this.files);
    const connectionEnv = await this.services.connection.injectionEnv();
    const folders = vscode.workspace.workspaceFolders ?? [];
    const settings = {
      trackingUri: this.services.connection.trackingUri,
      experimentName: this.services.connection.experimentName,
      captureContent: setting('captureContent'),
      workspace: folders[0]?.uri.fsPath,
      run,
      signalFile: this.services.activitySignal,
    };
    if (settings.experimentName) run.experimentName = settings.experimentName;
    const vars = injectionVariables({ settings, files: this.files, runtimes, connectionEnv });
    const wanted = new Map<string, Mutation>();
    for (const [k, v] of Object.entries(vars)) if (k !== 'NODE_OPTIONS' && k !== 'PYTHONPATH') wanted.set(k, { op: 'replace', value: v });
    if (runtimes.includes('node')) wanted.set('NODE_OPTIONS', this.nodeOptionsMutation());
    if (runtimes.includes('python')) wanted.set('PYTHONPATH', this.pythonPathMutation());

    const secret = Object.keys(connectionEnv).some((k) => k !== ENV.trackingUri);
    const c = this.collection;
    c.persistent = !secret;
    if (!sameMutations(c, wanted)) {
      // Rebuilt, not patched, so a variable we no longer set (e.g. an experiment unset) goes away.
      c.clear();
      for (const [k, m] of wanted) c[m.op](k, m.value);
    }
    // After clear(), which drops the description too.
    c.description = new vscode.MarkdownString(
      `Gemini Trace: Node and Python programs started here are traced into MLflow at \`${redactUri(settings.trackingUri)}\`` +
        `${settings.experimentName ? ` (experiment \`${settings.experimentName}\`)` : ''}, run "${run.name}". ` +
        'Turn off with **Gemini Trace: Stop Tracing Gemini Calls in New Terminals**.',
    );
    // Multi-root: each folder's terminals say which folder their traces belong to.
    for (const folder of folders) {
      const scoped = c.getScoped({ workspaceFolder: folder });
      if (folders.length > 1) {
        if (scoped.get(ENV.workspace)?.value !== folder.uri.fsPath) scoped.replace(ENV.workspace, folder.uri.fsPath);
      } else scoped.clear();
    }
    this.services.log.info(`terminal tracing on (run ${run.id}): ${redactedSummary(vars)}`);
  }

  /** Prepend keeps whatever the terminal's NODE_OPTIONS is at creation. If VS Code itself already
   *  runs with our preload in NODE_OPTIONS (started from a traced shell), replace it instead. */
  private nodeOptionsMutation(): Mutation {
    const base = terminalBase('NODE_OPTIONS');
    if (hasNodePreload(base)) return { op: 'replace', value: withNodePreload(base, this.files) };
    return { op: 'prepend', value: `${preloadNodeOptions(this.files)} ` };
  }

  /** No trailing delimiter when PYTHONPATH is empty: an empty entry puts the cwd on sys.path. */
  private pythonPathMutation(): Mutation {
    const base = terminalBase('PYTHONPATH');
    if (!base || hasPythonShim(base, this.files)) return { op: 'replace', value: withPythonShim(base, this.files) };
    return { op: 'prepend', value: `${this.files.pythonDir}${path.delimiter}` };
  }

  private fail(e: unknown): void {
    this.services.log.error(`terminal tracing: ${errorMessage(e)}`);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** What a new terminal starts with: `terminal.integrated.env.<os>` over VS Code's environment. */
function terminalBase(name: string): string | undefined {
  const os = process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'osx' : 'linux';
  const fromSettings = vscode.workspace.getConfiguration('terminal.integrated.env').get<Record<string, string | null>>(os)?.[name];
  if (typeof fromSettings === 'string') return fromSettings;
  return fromSettings === null ? undefined : process.env[name];
}

function sameMutations(c: vscode.EnvironmentVariableCollection, wanted: Map<string, Mutation>): boolean {
  let count = 0;
  let same = true;
  c.forEach((name, m) => {
    count++;
    const w = wanted.get(name);
    const op = m.type === vscode.EnvironmentVariableMutatorType.Prepend ? 'prepend' : m.type === vscode.EnvironmentVariableMutatorType.Replace ? 'replace' : 'append';
    if (!w || w.op !== op || w.value !== m.value) same = false;
  });
  return same && count === wanted.size;
}
