// The one place that decides what a traced process's environment looks like. Debug configs
// (debugConfig.ts), integrated terminals (terminal.ts) and the CLI (src/cli) all call it, so a
// program is traced the same way whichever door it came through. Pure Node: no `vscode` here.
//
// Conventions (from vscode-js-debug and vscode-python-debugger):
// - our `--require` goes BEFORE the user's own NODE_OPTIONS, which are kept verbatim;
// - paths are quoted the way Node parses NODE_OPTIONS (double quotes, backslash escapes inside);
// - our shim dir is prepended to PYTHONPATH with path.delimiter, never replacing the user's entries;
// - injecting into an environment that is already traced replaces our entries instead of adding
//   a second copy (a stale path from an older install is replaced too).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ENV } from '../shared/runTags';
import type { EnvVars } from './envVars';

export interface InjectionFiles {
  distDir: string;
  /** dist/inject/node/preload.cjs, loaded with --require; it installs the ESM hooks too. */
  nodePreload: string;
  /** dist/inject/python, prepended to PYTHONPATH (holds sitecustomize.py and the _gemini_trace tracer). */
  pythonDir: string;
}

export function injectionFiles(distDir: string): InjectionFiles {
  return {
    distDir,
    nodePreload: path.join(distDir, 'inject', 'node', 'preload.cjs'),
    pythonDir: path.join(distDir, 'inject', 'python'),
  };
}

export type Runtime = 'node' | 'python';

/** Which runtimes can be traced with the files on disk; a message per missing one. */
export function availableRuntimes(files: InjectionFiles): { runtimes: Runtime[]; problems: string[] } {
  const runtimes: Runtime[] = [];
  const problems: string[] = [];
  if (!existsSync(files.nodePreload)) problems.push(`Node tracing is unavailable: ${files.nodePreload} is missing — rebuild with \`npm run build\`.`);
  else runtimes.push('node');
  // sitecustomize.py loads the tracer package beside it: both must be there.
  const missing = [path.join(files.pythonDir, 'sitecustomize.py'), path.join(files.pythonDir, '_gemini_trace', '__init__.py')].find((f) => !existsSync(f));
  if (missing) problems.push(`Python tracing is unavailable: ${missing} is missing — rebuild with \`npm run build\`.`);
  else runtimes.push('python');
  return { runtimes, problems };
}

export interface RunInfo {
  id: string;
  name: string;
  startedAt: Date;
}

export interface TraceSettings {
  trackingUri: string;
  /** undefined leaves MLFLOW_EXPERIMENT_NAME / MLFLOW_EXPERIMENT_ID as the environment has them. */
  experimentName?: string;
  captureContent: boolean;
  /** Absolute path of the workspace folder the program belongs to. */
  workspace?: string;
  run: RunInfo;
  /** The activity signal file (ENV.signal) of the window that starts the process. */
  signalFile?: string;
}

/** The GEMINI_TRACE_* and MLFLOW_* variables of runTags.ts `ENV` for one run. */
export function traceVariables(s: TraceSettings): Record<string, string> {
  const vars: Record<string, string> = {
    [ENV.active]: '1',
    [ENV.trackingUri]: s.trackingUri,
    [ENV.runId]: s.run.id,
    [ENV.runName]: s.run.name,
    [ENV.runStarted]: s.run.startedAt.toISOString(),
    [ENV.captureContent]: s.captureContent ? 'true' : 'false',
  };
  if (s.experimentName) vars[ENV.experimentName] = s.experimentName;
  if (s.workspace) vars[ENV.workspace] = s.workspace;
  if (s.signalFile) vars[ENV.signal] = s.signalFile;
  return vars;
}

// ---- NODE_OPTIONS ---------------------------------------------------------------------------

/** Splits NODE_OPTIONS exactly as Node does (src/node_options.cc ParseNodeOptionsEnvVar):
 *  spaces separate, double quotes group, and a backslash escapes the next character only
 *  inside quotes. Throws on an unterminated quote, as Node refuses to start then. */
export function parseNodeOptions(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inString = false;
  let started = false;
  for (let i = 0; i < value.length; i++) {
    let c = value[i];
    if (c === '\\' && inString) {
      if (i + 1 === value.length) throw new Error('NODE_OPTIONS ends with a lone backslash inside quotes');
      c = value[++i];
    } else if (c === ' ' && !inString) {
      if (started) out.push(cur);
      cur = '';
      started = false;
      continue;
    } else if (c === '"') {
      inString = !inString;
      started = true;
      continue;
    }
    cur += c;
    started = true;
  }
  if (inString) throw new Error('NODE_OPTIONS has an unterminated quote');
  if (started) out.push(cur);
  return out;
}

/** One NODE_OPTIONS word: quoted (with `\` and `"` escaped) only when Node would split it. */
export function quoteNodeOption(word: string): string {
  if (word !== '' && !/[ "]/.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}

const normalize = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
const isOurPreload = (v: string) => normalize(v).endsWith('/inject/node/preload.cjs');
// Versions before 2026-12-05 also gave `--import <esm-hook.mjs>`: a stale pair is removed whole.
const isOurHook = (v: string) => normalize(v).endsWith('/inject/node/esm-hook.mjs');

/** Removes our --require (and any older --import) from parsed NODE_OPTIONS words. */
function stripOurNodeOptions(words: string[]): { rest: string[]; found: boolean } {
  const rest: string[] = [];
  let found = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const flag = /^(--require|-r|--import)(?:=(.*))?$/s.exec(w);
    if (flag) {
      const inline = flag[2];
      const value = inline ?? words[i + 1];
      const ours = value !== undefined && (flag[1] === '--import' ? isOurHook(value) : isOurPreload(value));
      if (ours) {
        found = true;
        if (inline === undefined) i++;
        continue;
      }
    }
    rest.push(w);
  }
  return { rest, found };
}

/** True when NODE_OPTIONS already loads a Gemini Trace preload (this install's or another's). */
export function hasNodePreload(nodeOptions: string | undefined): boolean {
  if (!nodeOptions) return false;
  try {
    return stripOurNodeOptions(parseNodeOptions(nodeOptions)).found;
  } catch {
    return false;
  }
}

/** Our options alone, as they go in front of the user's. */
export function preloadNodeOptions(files: InjectionFiles): string {
  return `--require ${quoteNodeOption(files.nodePreload)}`;
}

/** NODE_OPTIONS with our preload in front and the user's own options after it, unchanged. */
export function withNodePreload(existing: string | undefined, files: InjectionFiles): string {
  const ours = preloadNodeOptions(files);
  const user = existing?.trim() ?? '';
  if (!user) return ours;
  let words: string[];
  try {
    words = parseNodeOptions(user);
  } catch {
    // Node itself would refuse this value; keep it as it is so the error the user sees is theirs.
    return `${ours} ${user}`;
  }
  const { rest, found } = stripOurNodeOptions(words);
  // Keep the user's text byte for byte unless we had to take a stale copy of ours out of it.
  const kept = found ? rest.map(quoteNodeOption).join(' ') : user;
  return kept ? `${ours} ${kept}` : ours;
}

// ---- PYTHONPATH -----------------------------------------------------------------------------

const isOurPythonDir = (entry: string, files: InjectionFiles) =>
  normalize(entry) === normalize(files.pythonDir) || normalize(entry).endsWith('/dist/inject/python');

export function hasPythonShim(pythonPath: string | undefined, files: InjectionFiles, delimiter: string = path.delimiter): boolean {
  return !!pythonPath && pythonPath.split(delimiter).some((e) => e !== '' && isOurPythonDir(e, files));
}

/** PYTHONPATH with our shim dir first and the user's entries after it, in order. An unset or empty
 *  PYTHONPATH gets no trailing delimiter: an empty entry would put the cwd on sys.path. */
export function withPythonShim(existing: string | undefined, files: InjectionFiles, delimiter: string = path.delimiter): string {
  if (!existing) return files.pythonDir;
  const entries = existing.split(delimiter);
  const kept = entries.filter((e) => e === '' || !isOurPythonDir(e, files));
  const user = kept.length === entries.length ? existing : kept.join(delimiter);
  return user ? `${files.pythonDir}${delimiter}${user}` : files.pythonDir;
}

// ---- the whole environment ------------------------------------------------------------------

export interface InjectionInput {
  settings: TraceSettings;
  files: InjectionFiles;
  runtimes: readonly Runtime[];
  /** URI and auth from the extension's connection (connection.injectionEnv()). Applied only when
   *  they are for the same server as settings.trackingUri, so credentials never go elsewhere. */
  connectionEnv?: Readonly<Record<string, string>>;
  /** The NODE_OPTIONS / PYTHONPATH the program would otherwise get. */
  nodeOptions?: string;
  pythonPath?: string;
  delimiter?: string;
}

/** The variables to set (on top of whatever else the process inherits) to trace it. */
export function injectionVariables(input: InjectionInput): Record<string, string> {
  const { settings, files } = input;
  const vars: Record<string, string> = {};
  if (input.connectionEnv && sameServer(input.connectionEnv[ENV.trackingUri], settings.trackingUri)) {
    Object.assign(vars, input.connectionEnv);
  }
  Object.assign(vars, traceVariables(settings));
  if (input.runtimes.includes('node')) vars.NODE_OPTIONS = withNodePreload(input.nodeOptions, files);
  if (input.runtimes.includes('python')) vars.PYTHONPATH = withPythonShim(input.pythonPath, files, input.delimiter);
  return vars;
}

/** A full environment for a child process (the CLI's case): `base` plus the injection. */
export function buildTracedEnv(base: EnvVars, input: Omit<InjectionInput, 'nodeOptions' | 'pythonPath'>): EnvVars {
  return base.merge(injectionVariables({ ...input, nodeOptions: base.lookup('NODE_OPTIONS'), pythonPath: base.lookup('PYTHONPATH') }));
}

function sameServer(a: string | undefined, b: string): boolean {
  return a !== undefined && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

// ---- logging --------------------------------------------------------------------------------

const PUBLIC = new Set<string>([...Object.values(ENV), 'NODE_OPTIONS', 'PYTHONPATH']);

/** One line naming what was injected, safe for logs: credentials are never printed (only their
 *  names), and a user:password in the tracking URI is masked. */
export function redactedSummary(vars: Readonly<Record<string, string>>): string {
  return Object.keys(vars)
    .sort()
    .map((k) => (PUBLIC.has(k) ? `${k}=${k === ENV.trackingUri ? redactUri(vars[k]) : vars[k]}` : `${k}=<redacted>`))
    .join(' ');
}

export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    if (!u.username && !u.password) return uri;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return uri;
  }
}
