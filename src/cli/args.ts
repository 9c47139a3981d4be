// Command-line parsing for `gemini-trace`. Hand-rolled (no dependency): the grammar is tiny, and
// everything after the command name must reach the child untouched, flags included.

export const USAGE = `Usage: gemini-trace run [options] [--] <command> [args...]
       gemini-trace env [options]

Runs <command> with Gemini tracing injected: the same environment the Gemini Trace Explorer
VS Code extension gives a traced launch configuration. Every Gemini API call a Node
(@google/genai) or Python (google-genai) program makes becomes a trace in MLflow. stdin,
stdout, stderr, signals and the exit code pass through unchanged.

"env" prints the variables instead (KEY=value lines, e.g. for >> "$GITHUB_ENV").

Options:
  --tracking-uri <uri>     MLflow server (default: $MLFLOW_TRACKING_URI, else http://127.0.0.1:5000)
  --experiment <name>      MLflow experiment (default: $MLFLOW_EXPERIMENT_NAME, else the server's Default)
  --run-name <name>        Name of this run in the explorer (default: the command line)
  --no-capture-content     Keep prompts and responses out of traces (metadata and tokens only)
  -q, --quiet              No "tracing to …" line on stderr
  -h, --help               This help
  --version                The version

MLflow credentials come from the environment as usual: MLFLOW_TRACKING_USERNAME/PASSWORD,
MLFLOW_TRACKING_TOKEN, or DATABRICKS_HOST/DATABRICKS_TOKEN.

Examples:
  gemini-trace run -- npm start
  gemini-trace run --experiment nightly -- python eval.py --limit 10
`;

export interface CliOptions {
  trackingUri?: string;
  experiment?: string;
  runName?: string;
  captureContent: boolean;
  quiet: boolean;
}

export type Parsed =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: CliOptions; command: string[] }
  | { kind: 'env'; options: CliOptions }
  | { kind: 'error'; message: string };

const VALUE_FLAGS: Record<string, keyof CliOptions> = { '--tracking-uri': 'trackingUri', '--experiment': 'experiment', '--run-name': 'runName' };

export function parseArgs(argv: readonly string[]): Parsed {
  if (!argv.length) return { kind: 'error', message: 'missing a subcommand ("run" or "env").' };
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help' || sub === 'help') return { kind: 'help' };
  if (sub === '--version' || sub === '-v') return { kind: 'version' };
  if (sub !== 'run' && sub !== 'env') return { kind: 'error', message: `unknown subcommand "${sub}"; use "run" (gemini-trace run -- <command>) or "env".` };

  const options: CliOptions = { captureContent: true, quiet: false };
  let i = 0;
  for (; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break; // the command starts here
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (flag === '-h' || flag === '--help') return { kind: 'help' };
    if (flag === '--no-capture-content') options.captureContent = false;
    else if (flag === '-q' || flag === '--quiet') options.quiet = true;
    else if (flag in VALUE_FLAGS) {
      const value = eq > 0 && flag !== a ? a.slice(eq + 1) : rest[++i];
      if (value === undefined || value === '' || (flag === a && value.startsWith('--'))) return { kind: 'error', message: `${flag} needs a value, e.g. ${flag} ${flag === '--tracking-uri' ? 'http://127.0.0.1:5000' : 'my-app'}.` };
      (options as unknown as Record<string, string>)[VALUE_FLAGS[flag]] = value;
    } else return { kind: 'error', message: `unknown option ${a}. Options go before the command; put "--" before a command that starts with "-".` };
  }
  if (sub === 'env') {
    if (i < rest.length) return { kind: 'error', message: `"env" takes no command; did you mean "gemini-trace run -- ${rest.slice(i).join(' ')}"?` };
    return { kind: 'env', options };
  }
  const command = rest.slice(i);
  if (!command.length) return { kind: 'error', message: 'missing the command to run, e.g. gemini-trace run -- node app.js' };
  return { kind: 'run', options, command };
}
