// Injects tracing into Node and Python debug sessions (and "Run Without Debugging", which goes
// through the same resolvers with `noDebug: true`). As vscode-python-debugger does: defaults in
// resolveDebugConfiguration, env and validation in resolveDebugConfigurationWithSubstitutedVariables
// (only then are `${env:…}`, `${workspaceFolder}` and the envFile path final).
//
// The debuggers add the extension host's own NODE_OPTIONS / PYTHONPATH to the program's env
// themselves (js-debug appends process.env.NODE_OPTIONS, python-debugger appends
// process.env.PYTHONPATH), so the "user's value" we put ours in front of is the config's `env`,
// else its envFile — never process.env, which would then appear twice.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { setting } from '../contributions/settings';
import type { Services, TracedRun } from '../core/services';
import { RUN_ID_KEY } from './debugRuns';
import type { DebugRunTracker } from './debugRuns';
import { availableRuntimes, hasNodePreload, hasPythonShim, injectionVariables, redactedSummary } from './env';
import type { InjectionFiles, Runtime } from './env';
import { readEnvFile } from './envFile';
import { parseTraceAttribute } from './traceOptions';
import type { AttributeResult, TraceAttribute } from './traceOptions';

export const TRACED_TYPES = ['node', 'pwa-node', 'node-terminal', 'debugpy', 'python'] as const;
export type AutoTrace = 'off' | 'launchConfigs' | 'all';

const runtimeOf = (type: string): Runtime => (type === 'debugpy' || type === 'python' ? 'python' : 'node');

/** Traced or not, per the attribute and the `geminiTrace.autoTrace` setting. `false` always wins. */
export function wantsTracing(attr: AttributeResult, mode: AutoTrace): boolean {
  if (mode === 'off' || attr.kind === 'off') return false;
  return attr.kind !== 'absent' || mode === 'all';
}

/** Only programs we start: attach requests and js-debug's child sessions are left alone. */
function isCandidate(config: vscode.DebugConfiguration): boolean {
  return config.request === 'launch' && !config.__pendingTargetId && (TRACED_TYPES as readonly string[]).includes(config.type);
}

export class TraceDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly services: Services,
    private readonly files: InjectionFiles,
    private readonly tracker: DebugRunTracker,
  ) {}

  private settings(folder: vscode.WorkspaceFolder | undefined) {
    return { mode: setting('autoTrace', folder) as AutoTrace, captureContent: setting('captureContent', folder) };
  }

  /** Normalizes the attribute (true → object, autoTrace "all" → object) with the settings' defaults,
   *  so the session's config shows what it used. */
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    if (!isCandidate(config) || config[RUN_ID_KEY]) return config;
    const attr = parseTraceAttribute(config.geminiTrace, { checkUri: false });
    const { mode, captureContent } = this.settings(folder);
    if (attr.kind === 'invalid' || !wantsTracing(attr, mode)) return config; // errors are reported once, after substitution
    const o = attr.kind === 'on' ? attr.options : {};
    // The tracking URI is left out unless the user set one: the connection's may change before the
    // session starts (and is not the user's to be told off about when phase 2 validates).
    const filled: TraceAttribute = { captureContent: o.captureContent ?? captureContent };
    if (o.trackingUri) filled.trackingUri = o.trackingUri;
    const experiment = o.experiment ?? this.services.connection.experimentName;
    if (experiment) filled.experiment = experiment;
    config.geminiTrace = filled;
    return config;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    if (!isCandidate(config) || config[RUN_ID_KEY]) return config; // [RUN_ID_KEY]: resolved already (node → pwa-node)
    const attr = parseTraceAttribute(config.geminiTrace);
    const { mode, captureContent } = this.settings(folder);
    if (attr.kind === 'invalid') {
      const fix = 'Fix it in launch.json, or set "geminiTrace": false to run without tracing.';
      void vscode.window.showErrorMessage(`Gemini Trace: launch configuration "${config.name}": ${attr.error} ${fix}`);
      this.services.log.error(`launch "${config.name}": ${attr.error}`);
      return null; // null: VS Code does not start it and opens launch.json
    }
    if (!wantsTracing(attr, mode)) return config;

    const runtime = runtimeOf(config.type);
    const { runtimes, problems } = availableRuntimes(this.files);
    if (!runtimes.includes(runtime)) {
      // A broken install must not stop the user's program: run it untraced and say why.
      const why = problems.find((p) => p.startsWith(runtime === 'node' ? 'Node' : 'Python')) ?? 'tracing files missing';
      this.services.log.error(`launch "${config.name}" runs untraced: ${why}`);
      void vscode.window.showWarningMessage(`Gemini Trace: "${config.name}" runs without tracing. ${why}`);
      return config;
    }

    const o = attr.kind === 'on' ? attr.options : {};
    const run: TracedRun = { id: randomUUID(), name: String(config.name || config.type), startedAt: new Date(), kind: 'debug' };
    const experimentName = o.experiment ?? this.services.connection.experimentName;
    if (experimentName) run.experimentName = experimentName;
    let fileVars: Record<string, string> = {};
    try {
      const envFile = config.envFile ?? (runtime === 'python' && folder ? path.join(folder.uri.fsPath, '.env') : undefined);
      if (typeof envFile === 'string') fileVars = readEnvFile(envFile);
    } catch (e) {
      this.services.log.warn(`launch "${config.name}": ${(e as Error).message}; its NODE_OPTIONS/PYTHONPATH are not kept`);
    }
    const env: Record<string, string | null> = { ...(config.env ?? {}) };
    const user = (name: string) => {
      const key = findEnvKey(env, name);
      return key !== undefined ? (env[key] ?? undefined) : lookup(fileVars, name);
    };

    const vars = injectionVariables({
      settings: {
        trackingUri: o.trackingUri ?? this.services.connection.trackingUri,
        experimentName,
        captureContent: o.captureContent ?? captureContent,
        workspace: (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath,
        run,
        signalFile: this.services.activitySignal,
      },
      files: this.files,
      runtimes: [runtime],
      connectionEnv: await this.services.connection.injectionEnv(),
      nodeOptions: user('NODE_OPTIONS'),
      pythonPath: user('PYTHONPATH'),
    });
    // Already in what the debugger appends from VS Code's own environment: adding it again
    // would load the preload twice.
    if (hasNodePreload(process.env.NODE_OPTIONS)) delete vars.NODE_OPTIONS;
    if (hasPythonShim(process.env.PYTHONPATH, this.files)) delete vars.PYTHONPATH;

    for (const [k, v] of Object.entries(vars)) env[findEnvKey(env, k) ?? k] = v;
    config.env = env;
    config[RUN_ID_KEY] = run.id;
    this.tracker.expect(run);
    this.services.log.info(`tracing launch "${config.name}" (${config.type}${config.noDebug ? ', no debug' : ''}): ${redactedSummary(vars)}`);
    return config;
  }
}

function findEnvKey(env: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(env, name)) return name;
  if (process.platform !== 'win32') return undefined;
  return Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
}

function lookup(vars: Record<string, string>, name: string): string | undefined {
  const key = findEnvKey(vars, name);
  return key === undefined ? undefined : vars[key];
}
