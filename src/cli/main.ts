// `gemini-trace`: the package's bin. Runs any command traced, outside VS Code (tasks, CI), with
// exactly the environment the extension injects: both build it with src/launch/env.ts.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { availableRuntimes, buildTracedEnv, injectionFiles, redactUri } from '../launch/env';
import { EnvVars } from '../launch/envVars';
import { checkTrackingUri } from '../launch/traceOptions';
import { manifestDefault } from '../contributions/manifest';
import { ENV } from '../shared/runTags';
import { parseArgs, USAGE } from './args';
import type { CliOptions } from './args';
import { runChild } from './run';
import { errorStack } from '../shared/errors';

const say = (m: string) => process.stderr.write(`gemini-trace: ${m}\n`);

/** dist/ of this install: the bundle lives in it (dist/cli.js); run from source, it is ../../dist. */
function distDir(): string {
  return existsSync(path.join(__dirname, 'inject')) ? __dirname : path.resolve(__dirname, '..', '..', 'dist');
}

function version(): string {
  try {
    return JSON.parse(readFileSync(path.join(distDir(), '..', 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function tracedEnv(options: CliOptions, runName: string): { env: EnvVars; problems: string[] } | { error: string } {
  const base = EnvVars.fromProcess();
  const trackingUri = options.trackingUri ?? (base.lookup(ENV.trackingUri) || manifestDefault('trackingUri'));
  const bad = checkTrackingUri(trackingUri);
  if (bad) return { error: `${options.trackingUri ? '--tracking-uri' : ENV.trackingUri}: ${bad}` };
  const files = injectionFiles(distDir());
  const { runtimes, problems } = availableRuntimes(files);
  if (!runtimes.length) return { error: problems.join(' ') };
  const env = buildTracedEnv(base, {
    settings: {
      trackingUri,
      experimentName: options.experiment ?? (base.lookup(ENV.experimentName) || undefined),
      captureContent: options.captureContent && base.lookup(ENV.captureContent) !== 'false',
      // Inside a traced VS Code terminal the folder is known already; elsewhere the cwd is the project.
      workspace: base.lookup(ENV.workspace) || process.cwd(),
      run: { id: randomUUID(), name: runName, startedAt: new Date() },
      // Set in a traced VS Code terminal: that window then hears of this run's traces at once.
      signalFile: base.lookup(ENV.signal) || undefined,
    },
    files,
    runtimes,
  });
  return { env, problems };
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'error':
      say(`${parsed.message}\n`);
      process.stderr.write(USAGE);
      return 2;
    case 'env': {
      const r = tracedEnv(parsed.options, parsed.options.runName ?? 'gemini-trace env');
      if ('error' in r) { say(r.error); return 2; }
      const before = EnvVars.fromProcess();
      for (const [k, v] of Object.entries(r.env.value)) if (before.lookup(k) !== v) process.stdout.write(`${k}=${v}\n`);
      return 0;
    }
    case 'run': {
      const runName = parsed.options.runName ?? parsed.command.join(' ').slice(0, 200);
      const r = tracedEnv(parsed.options, runName);
      if ('error' in r) { say(r.error); return 2; }
      for (const p of r.problems) say(p);
      if (!parsed.options.quiet) {
        const exp = r.env.lookup(ENV.experimentName);
        say(`tracing Gemini calls to ${redactUri(r.env.lookup(ENV.trackingUri) ?? '')}${exp ? ` (experiment ${exp})` : ''}, run ${r.env.lookup(ENV.runId)}`);
      }
      return runChild(parsed.command, r.env.toObject(), say);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    say(`internal error: ${errorStack(e)}`);
    process.exitCode = 1;
  },
);
