// Starts a real `mlflow server` on a free loopback port with a throw-away store, waits for /health,
// and stops it (and its worker processes) on stop() or when this process exits. The store is a
// sqlite file, or with store 'postgres' (GT_MLFLOW_STORE=postgres for every server a run starts) a
// fresh database in a local PostgreSQL (scripts/lib/postgres.mjs), as a team's server has.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.mjs';
import { onProcessEnd } from './process-end.mjs';
import { sharedPostgres } from './postgres.mjs';
import { ensureVenv, venvBin } from './python.mjs';

// Other scripts take the port helper from here.
export { freePort };

export const STORES = ['sqlite', 'postgres'];

/** The store servers get unless told otherwise: GT_MLFLOW_STORE, else sqlite. */
export function defaultStore() {
  const store = process.env.GT_MLFLOW_STORE || 'sqlite';
  if (!STORES.includes(store)) throw new Error(`GT_MLFLOW_STORE=${store}: expected one of ${STORES.join(', ')}`);
  return store;
}

/**
 * What every server gets, as the product's local-server command starts it (localServer.ts): no
 * telemetry; an empty MLFLOW_MODEL_CATALOG_URI so MLflow prices model calls from the list
 * bundled with it instead of fetching one from the internet on the first model-call span (retried
 * for about 7 s where there is none, while a traced app's exit waits); and no job runner. MLflow
 * 3.17's runner starts seven more Python processes that each import MLflow: about 2 GB resident
 * and 25–40 s of CPU per server start (measured here), for judges and prompt-optimisation jobs
 * no test runs. With dozens of servers in a test run on two cores, that was CI's largest cost.
 */
export const SERVER_ENV = {
  MLFLOW_ENABLE_TELEMETRY: 'false', MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', MLFLOW_MODEL_CATALOG_URI: '',
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
};

/**
 * @param {{ dataDir?: string, port?: number, keepData?: boolean, unref?: boolean, logFile?: string, store?: 'sqlite' | 'postgres', warm?: boolean, env?: Record<string, string | undefined> }} [opts]
 *   warm: false leaves the server cold (default: warmed up, see warmUp below).
 *   env: the server's environment on top of the defaults below (a value undefined removes one).
 *   store: the tracking store's database (default: defaultStore()). Artifacts stay in dataDir.
 *   logFile: where the server's output goes (default: server.log in its data folder). A file, not a
 *   pipe: a pipe that its reader stops draining (a caller blocked in spawnSync, say) fills up and
 *   the server then blocks on its next access-log line and stops answering.
 *   unref: do not keep the caller's event loop alive (a lone mocha file exits when its tests end;
 *   the exit and signal handlers still stop the server).
 * @returns {Promise<{ url: string, port: number, dataDir: string, logFile: string, store: string, stop: () => Promise<void>, restart: () => Promise<void>, kill: () => Promise<void> }>}
 */
export async function startMlflow(opts = {}) {
  ensureVenv();
  const store = opts.store ?? defaultStore();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gt-mlflow-'));
  mkdirSync(join(dataDir, 'artifacts'), { recursive: true });
  let port = opts.port ?? (await freePort());
  let url = `http://127.0.0.1:${port}`;
  const logFile = opts.logFile ?? join(dataDir, 'server.log');
  const postgres = store === 'postgres' ? await sharedPostgres() : undefined;
  const backend = postgres ? await postgres.createDatabase() : `sqlite:///${join(dataDir, 'mlflow.db')}`;
  let child;
  const output = (from = 0) => {
    try {
      return readFileSync(logFile).subarray(from).toString('utf8').slice(-20000);
    } catch {
      return '';
    }
  };

  const launch = async () => {
    const from = sizeOf(logFile); // restarts append: only this launch's lines say whose port it is
    const fd = openSync(logFile, 'a');
    try {
      child = spawn(
        venvBin('mlflow'),
        [
          'server', '--host', '127.0.0.1', '--port', String(port),
          '--backend-store-uri', backend,
          '--artifacts-destination', join(dataDir, 'artifacts'),
          '--workers', '1',
        ],
        { stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, ...SERVER_ENV, ...opts.env } },
      );
    } finally {
      closeSync(fd); // the child holds its own copy
    }
    if (opts.unref) child.unref();
    await waitHealthy(url, child, () => output(from));
    // opts.warm === false: left cold, as a user's freshly started server is (bench/first-trace.mjs).
    if (opts.warm !== false) await warmUp(url);
  };

  // A child that died of a signal has exitCode null and signalCode set: both mean "gone".
  const running = () => child && child.exitCode === null && child.signalCode === null;
  const kill = async (signal = 'SIGTERM') => {
    if (!running()) return;
    child.ref(); // an unref'd server: waiting for its exit must keep this process alive
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid, signal); // the whole group: uvicorn spawns workers
    } catch {
      /* already gone */
    }
    const t = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, 5000);
    await exited;
    // The CLI process can end before its uvicorn worker, which then still holds the port for a
    // moment: a client "finding MLflow down" got a reset instead of a refusal (seen on a loaded
    // machine). Stopped means the whole group is gone.
    // Bounded: a zombie nobody reaps would keep the group "alive" for ever.
    for (const until = Date.now() + 10_000; groupAlive(child.pid) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    clearTimeout(t);
  };

  const offProcessEnd = onProcessEnd(() => {
    try { if (running()) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  });

  // Another start can be handed the same free port before either server binds it (freePort closes
  // its probe); the loser exits, and its /health answered by the winner looked like a start. A
  // port we chose ourselves is chosen again; one the caller named is an error.
  for (let tries = 1; ; tries++) {
    try {
      await launch();
      break;
    } catch (e) {
      await kill('SIGKILL'); // a server that failed to bind takes seconds more to shut down
      if (!(e instanceof PortTaken) || opts.port !== undefined || tries === 3) throw e;
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
    }
  }
  return {
    url,
    port,
    dataDir,
    logFile,
    store,
    /** Stops the server; the store survives for restart(). */
    kill: () => kill('SIGKILL'),
    restart: async () => { await kill(); await launch(); },
    stop: async () => {
      await kill();
      offProcessEnd();
      if (!opts.dataDir && !opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Whether any process of the group led by `pid` is still alive (signal 0 only checks). */
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

class PortTaken extends Error {}

/** Up when /health answers and this launch's own log says it listens at `url` (uvicorn's "running
 *  on", gunicorn's "Listening at"): a health answer alone may come from another server. */
async function waitHealthy(url, child, output, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const log = output();
    if (/address already in use|Errno 98/i.test(log)) throw new PortTaken(`mlflow server could not listen at ${url}:\n${log}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`mlflow server exited with ${child.exitCode ?? child.signalCode}:\n${log}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok && output().includes(url)) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`mlflow server at ${url} not healthy after ${timeoutMs} ms (or its log never said it listens there):\n${output()}`);
}

/**
 * A fresh server does much first-use work on its first experiment and first trace write (seconds
 * here), long enough for a traced app's bounded exit to drop its uploads. Tests are about the
 * product, not a cold server, so each server is warmed up once and left as it was: the warm-up
 * trace and experiment are deleted. Best effort: a failure here never fails start-up.
 */
async function warmUp(url) {
  const post = (path, body, headers = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
  try {
    const name = `gt-warmup-${process.pid}-${Date.now()}`;
    const { experiment_id: id } = await (await post('/api/2.0/mlflow/experiments/create', { name })).json();
    const now = BigInt(Date.now()) * 1_000_000n;
    const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    const traceId = hex(32);
    const span = { traceId, spanId: hex(16), name: 'warm-up', kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n), status: { code: 1 } };
    await post('/v1/traces', { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'warm-up' }, spans: [span] }] }] }, { 'x-mlflow-experiment-id': id });
    const found = await (await post('/api/3.0/mlflow/traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } }], max_results: 10 })).json();
    const ids = (found.traces ?? []).map((t) => t.trace_id);
    if (ids.length) await post('/api/3.0/mlflow/traces/delete-traces', { experiment_id: id, request_ids: ids });
    await post('/api/2.0/mlflow/experiments/delete', { experiment_id: id });
  } catch {
    /* a cold server is slower, not broken */
  }
}
