// Runs test/fixtures/seed/seed_traces.py with the project venv's Python against a real MLflow, and
// returns what it wrote: trace ids and, per span, what the Python SDK itself holds (hex ids, exact
// ns times, types, statuses), so tests can check a reader against the writer.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startStandin } from '../fixtures/gemini/standin';
import { mlflowUrl as startedMlflowUrl, uniqueName } from './mlflow';

export type SeedKind =
  | 'nested' | 'rollup' | 'partial_parent' | 'error' | 'big'
  | 'gemini_generate' | 'gemini_chat' | 'gemini_function' | 'gemini_inline';

export interface SeededSpan {
  name: string;
  span_id: string;
  parent_id: string | null;
  /** Decimal strings: exact nanoseconds. */
  start_ns: string;
  end_ns: string | null;
  type: string;
  status: string;
}

export interface SeededTrace {
  trace_id: string;
  spans?: SeededSpan[];
  span_count?: number;
  root_span_id?: string;
  error_type?: string;
  error_message?: string;
  inline_bytes?: number;
  first_turn?: SeededTrace;
}

export interface SeedResult {
  experiment_id: string;
  traces: Partial<Record<SeedKind, SeededTrace>>;
}

export interface SeedOptions {
  mlflowUrl: string;
  experiment: string;
  only?: SeedKind[];
  /** The Gemini stand-in's URL; needed for the gemini_* kinds. */
  geminiUrl?: string;
  /** 'artifacts' makes the SDK upload traces.json instead of logging spans to the tracking store. */
  spansTo?: 'store' | 'artifacts';
  timeoutMs?: number;
}

const root = join(__dirname, '..', '..');
const script = join(root, 'test', 'fixtures', 'seed', 'seed_traces.py');

export async function seedTraces(o: SeedOptions): Promise<SeedResult> {
  const { ensureVenv } = await import('../../scripts/lib/python.mjs');
  const python = ensureVenv({ quiet: true }) as string;
  const args = [script, '--experiment', o.experiment, '--spans-to', o.spansTo ?? 'store'];
  if (o.only?.length) args.push('--only', o.only.join(','));
  if (o.geminiUrl) args.push('--gemini-url', o.geminiUrl);
  const env = {
    ...process.env,
    MLFLOW_TRACKING_URI: o.mlflowUrl,
    GEMINI_API_KEY: 'test-key',
    MLFLOW_ENABLE_TELEMETRY: 'false',
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
  };
  return new Promise<SeedResult>((resolve, reject) => {
    const child = spawn(python, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 240_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${python}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`seed_traces.py exited with ${code ?? signal}:\n${err}`));
        return;
      }
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as SeedResult);
      } catch {
        reject(new Error(`seed_traces.py printed no JSON result; stdout:\n${out.slice(-2000)}\nstderr:\n${err}`));
      }
    });
  });
}

export interface SharedSeed {
  mlflowUrl: string;
  /** Every kind, spans logged to the tracking store (the SDK's default against MLflow ≥ 3.4). */
  store: SeedResult;
  /** nested and error again, with the SDK uploading traces.json to the artifact store. */
  artifacts: SeedResult;
}

let shared: Promise<SharedSeed> | undefined;

/** One seeding per test process, shared by every model test file (seeding takes ~30 s, most of
 *  it MLflow logging the 1,000-span trace span by span). Starts and stops its own Gemini stand-in. */
export function sharedSeed(): Promise<SharedSeed> {
  shared ??= (async () => {
    const mlflowUrl = await startedMlflowUrl();
    const standin = await startStandin();
    try {
      const [store, artifacts] = await Promise.all([
        seedTraces({ mlflowUrl, experiment: uniqueName('model-store'), geminiUrl: standin.url }),
        seedTraces({ mlflowUrl, experiment: uniqueName('model-artifacts'), only: ['nested', 'error'], spansTo: 'artifacts' }),
      ]);
      return { mlflowUrl, store, artifacts };
    } finally {
      await standin.close();
    }
  })();
  return shared;
}
