#!/usr/bin/env node
// The one test entry point (`npm test`): installs what the suites need, type-checks, lints,
// builds, runs each suite against real MLflow servers, and closes with a single
// "N passed, N failed, N skipped" line over all of them.
//
// Suites: `unit` (test/unit: pure, starts nothing), `component` (test/component: each file starts
// what it tests against: MLflow servers, Chromium, the apps it traces as child processes, loopback
// servers), and the VS Code suites.
// Isolation: each unit or component test file runs in its own mocha process (LANES at a time) and
// starts its own MLflow when it needs one; the VS Code suites get a fresh server each. One test that wedges a
// server (seen once: a shared server stopped answering mid-run) then fails only itself.
//
// The matrix (README "Develop"): every suite runs once on this machine's Node, sqlite store and the
// newest VS Code build; on top of that
//   node-versions       the injection files on the other supported Node lines (INJECTION_NODES),
//   postgres            the MLflow client, explorer and injection files against PostgreSQL,
//   integration-oldest  the integration suite on the oldest VS Code the manifest claims, also
//                       against PostgreSQL (the store and the editor are independent dimensions).
//   node scripts/test.mjs [unit] [component] [node-versions] [postgres] [integration] [e2e] [integration-oldest]
//   (default: all)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { currentNode, ensureNode, NODE_VERSIONS, nodeEnv } from './lib/node-versions.mjs';
import { APP_VENVS, ensureAppVenv, ensureInBackground, ensureVenv, root } from './lib/python.mjs';
import { startMlflow } from './lib/mlflow.mjs';
import { startPostgres } from './lib/postgres.mjs';
import { BROWSER_PACKAGES, ensureSystemPackages, POSTGRES_PACKAGES, STANDIN_PACKAGES, VSCODE_SERVER_PACKAGES } from './lib/system.mjs';
import { ensureInBackground as installInBackground, ensureVsCodeServer, vscodeBuild } from './lib/vscode-install.mjs';

const all = ['unit', 'component', 'node-versions', 'postgres', 'integration', 'e2e', 'integration-oldest'];
const picked = process.argv.slice(2).filter((a) => all.includes(a));
const suites = picked.length ? picked : all;
// The matrix repeats these component files (test/component).
// The preload runs inside the user's own Node: these files drive it (CommonJS, ESM, tsx, workers,
// forks, faults, the CLI) on each supported Node line besides this machine's.
const INJECTION_FILES = ['inject-node', 'load-inject', 'cli', 'faults-inject-node'];
const INJECTION_NODES = Object.keys(NODE_VERSIONS).map(Number).filter((major) => major !== currentNode().major);
// What these check is the exporter's, which no Node line changes: besides this machine's Node they
// run on 24 only, whose ESM hook (module.registerHooks) 22 and 26 share; inject-node covers every
// line. The fault file (MLflow down, slow, restarting, 500, 413 around a traced app) is the
// matrix's longest chain: its runs never overlap (they switch servers off and on), 130–210 s each
// under CI's load. The load file (1,000 calls from a CommonJS app, twice) is 70–120 s of mostly
// MLflow's ingest a run.
const EXPORTER_FILES_NODES = { 'faults-inject-node': [24], 'load-inject': [24] };
const onNode = (name, major) => !(name in EXPORTER_FILES_NODES) || EXPORTER_FILES_NODES[name].includes(major);
// What a team's MLflow on PostgreSQL answers differently from sqlite (ordering, paging, filters,
// times, concurrent writes) reaches the product through these.
const POSTGRES_FILES = ['mlflow-client', 'explorer-source', 'inject-node', 'inject-python'];
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const timings = [];
const tally = { passed: 0, failed: 0, skipped: 0 };
const failedTitles = [];

function step(name, cmd, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
  timings.push([name, Date.now() - t0]);
  return r.status ?? 1;
}

/** The first lines of a failure's message (no stack frames), indented under its title. */
function errorHead(error) {
  if (!error) return '';
  const lines = String(error).split('\n').filter((l) => !/^\s+at /.test(l)).slice(0, 6);
  return lines.length ? `\n    ${lines.map((l) => l.slice(0, 300)).join('\n    ')}` : '';
}

function suiteResult(name, file, status) {
  if (existsSync(file)) {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    tally.passed += r.passed;
    tally.failed += r.failed;
    tally.skipped += r.skipped;
    // The error's first lines go into the closing list: CI keeps only the tail of this output,
    // and a failure without its reason sends the next session to reproduce it blind.
    for (const f of r.failures ?? []) failedTitles.push(`${name}: ${f.title}${errorHead(f.error)}`);
    if (status !== 0 && r.failed === 0) {
      tally.failed += 1; // crashed after its tests
      failedTitles.push(`${name}: exited ${status} after its tests`);
    }
  } else if (status !== 0) {
    console.error(`${name}: no results (exit ${status})`);
    tally.failed += 1;
    failedTitles.push(`${name}: no results (exit ${status})`);
  }
}

const t0 = Date.now();
// Every suite needs some of them: the component suite drives the webview in Chromium too.
const usesPostgres = suites.includes('postgres') || suites.includes('integration-oldest');
ensureSystemPackages([...VSCODE_SERVER_PACKAGES, ...BROWSER_PACKAGES, ...STANDIN_PACKAGES, ...(usesPostgres ? POSTGRES_PACKAGES : [])]);
// The venvs (MLflow's, and the app venvs the Python tracer's tests run programs in) install in the
// background while the checks below run: on a fresh machine that is over two minutes of pip, the
// frameworks venv alone about a minute. Failures surface before the suites, below.
const t0Venvs = Date.now();
const venvsReady = Promise.allSettled([ensureInBackground(), ...Object.keys(APP_VENVS).map((name) => ensureInBackground(name))]);
// So do the VS Code builds the suites run on (npm start installed the newest; the oldest took 59 s
// of a fresh machine's run after the checks): each is awaited before its own check below.
const vscodeBuilds = [...new Set([...(suites.includes('integration') || suites.includes('e2e') ? ['newest'] : []), ...(suites.includes('integration-oldest') ? ['oldest'] : [])])];
const buildsReady = new Map(vscodeBuilds.map((b) => [b, installInBackground(b).then(() => undefined, (e) => e)]));
let checksFailed = 0;
checksFailed += step('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']) ? 1 : 0;
checksFailed += step('lint', 'npx', ['eslint', '.']) ? 1 : 0;
checksFailed += step('import cycles', 'node', ['scripts/check-cycles.mjs']) ? 1 : 0;
// The .vsix must package non-interactively (no stdin in CI); it rebuilds dist/ for production,
// so it runs before the development build the suites use.
checksFailed += step('package (.vsix)', 'npm', ['run', '--silent', 'package'], { CI: 'true' }) ? 1 : 0;
if (step('build', 'node', ['scripts/build.mjs', '--tests'])) {
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
tally.failed += checksFailed;

const reporter = join(root, 'scripts/lib/mocha-reporter.cjs');
const mochaBin = join(root, 'node_modules/mocha/bin/mocha.js');
// Every run (unit and component files, the matrix's repeats, the VS Code suites) goes into one queue, longest
// first, worked by LANES processes at a time (see runQueue for what may not run side by side).
// Three lanes on two cores: much of the matrix
// waits (MLflow restarts, a 5 s slow server, debug sessions starting, the workbench), and a third
// process fills that time instead of leaving it idle.
const LANES = 3;
// Files that take longest (about 30 s to 4 min in CI runs; all component files; frameworks-python
// runs some 25 Python processes that each import a framework; the Node framework files also install
// their sample apps with npm ci on first use, Genkit's in about a minute), longest first: they start
// first, so the lanes end together instead of one long file starting late and running alone at the
// end. Files not listed follow in name order; each file's repeats in the matrix follow it.
const LONG_FIRST = ['frameworks-python', 'frameworks-langchain', 'frameworks-python-gateway', 'frameworks-gateway', 'frameworks-ai-sdk', 'frameworks-genkit', 'faults-inject-node', 'panel-webview', 'explorer-source', 'model-encodings', 'faults-inject-python', 'model-gemini', 'inject-python', 'inject-node', 'load-inject', 'mlflow-client', 'cli', 'compare-summary', 'mlflow-errors'];
function longRank(name) {
  const i = LONG_FIRST.indexOf(name);
  return i < 0 ? LONG_FIRST.length : i;
}

/**
 * One run of a unit or component test file in its own mocha process, on `node` (default: this Node), against
 * `mlflowUrl` (default: a server the file starts) and MLflow servers it starts itself with `store`
 * (default sqlite); its output is printed whole when it ends.
 * @typedef {{ file: string, name: string, label: string, tag: string, node?: { bin: string }, store?: string, mlflowUrl?: string }} UnitRun
 */
async function mochaFile(run, resultFile) {
  const t0 = Date.now();
  let env = { ...process.env, GT_RESULTS_FILE: resultFile };
  delete env.GT_MLFLOW_URL; // each file of the main run starts its own server if it needs one
  if (run.mlflowUrl) env.GT_MLFLOW_URL = run.mlflowUrl;
  if (run.store) env.GT_MLFLOW_STORE = run.store;
  // `node`, npx and #!/usr/bin/env node scripts the tests start run on this Node too.
  if (run.node) env = nodeEnv(run.node, env);
  // --exit: once the tests and their after hooks are done, mocha ends the process with
  // process.exit. Left to exit by itself, a file whose six tests had passed in 3 min spun at 100 %
  // CPU for 30 min in Node 20's exit-time handle cleanup (perf: uv_run under
  // Environment::CleanupHandles), after its MLflow server had been killed.
  const { code, out } = await spawnBuffered(run.node?.bin ?? process.execPath, [mochaBin, '--require', 'tsx/cjs', '--reporter', reporter, '--timeout', '60000', '--exit', run.file], env, FILE_LIMIT_MS);
  const sec = (Date.now() - t0) / 1000;
  runTimes.push([run.label, sec]);
  process.stdout.write(`\n--- ${run.label} (${sec.toFixed(1)} s)${out}`);
  return code;
}
/** [label, seconds] of every run, for the matrix's cost in the timings. */
const runTimes = [];

/** The unit and component files, and the matrix's extra runs of some of them, as queue jobs (longest first). */
async function fileJobs(legServers) {
  const dir = join(results, 'files');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const namesIn = (suite) => readdirSync(join(root, 'test', suite)).filter((f) => f.endsWith('.test.ts')).map((f) => f.replace(/\.test\.ts$/, ''));
  const component = new Set(namesIn('component'));
  // A file is named by its basename alone (the matrix's lists, the labels), so none may be in both.
  for (const name of namesIn('unit')) if (component.has(name)) throw new Error(`test/unit and test/component both have ${name}.test.ts`);
  const one = (name, extra = {}) => {
    const file = `test/${component.has(name) ? 'component' : 'unit'}/${name}.test.ts`;
    return { file, label: `${file}${extra.tag ? ` [${extra.tag}]` : ''}`, tag: extra.tag ?? '', name, ...extra };
  };
  for (const name of [...INJECTION_FILES, ...POSTGRES_FILES, ...LONG_FIRST]) if (!component.has(name)) throw new Error(`scripts/test.mjs names ${name}, which is not in test/component`);
  // The matrix's extra runs share one MLflow per leg (a file that kills and restarts MLflow still
  // starts its own): a start costs about 15 s of CPU, and these runs repeat files the main run
  // already covers with a server each.
  const legServer = async (leg, store) => {
    const logFile = join(results, `mlflow-${leg}.log`);
    rmSync(logFile, { force: true });
    const server = await startMlflow({ store, logFile });
    legServers.push(server);
    return server.url;
  };
  const runs = [];
  for (const suite of ['unit', 'component']) if (suites.includes(suite)) runs.push(...namesIn(suite).map((n) => one(n)));
  if (suites.includes('node-versions')) {
    const mlflowUrl = await legServer('node-versions', 'sqlite');
    for (const major of INJECTION_NODES) {
      const node = await ensureNode(major);
      runs.push(...INJECTION_FILES.filter((n) => onNode(n, major)).map((n) => one(n, { tag: `Node ${node.version}`, node, mlflowUrl })));
    }
  }
  if (suites.includes('postgres')) {
    const mlflowUrl = await legServer('postgres', 'postgres');
    runs.push(...POSTGRES_FILES.map((n) => one(n, { tag: 'PostgreSQL', store: 'postgres', mlflowUrl })));
  }
  runs.sort((a, b) => longRank(a.name) - longRank(b.name) || a.name.localeCompare(b.name) || a.tag.localeCompare(b.tag));
  return runs.map((run) => ({
    label: run.label,
    group: run.name.startsWith('faults-') ? run.name : undefined,
    run: async () => {
      const resultFile = join(dir, `${run.name}${run.tag ? `@${run.tag.replace(/\W+/g, '-')}` : ''}.json`);
      suiteResult(run.label, resultFile, await mochaFile(run, resultFile));
    },
  }));
}

/**
 * Works the queue with LANES lanes, taking the first job whose group is not running: at most one
 * VS Code suite at a time, and one run of each fault file (they kill and restart MLflow servers,
 * push thousands of traces through a restarted one and time exits: two runs of
 * faults-inject-node side by side on a loaded machine did not get all their held traces through
 * within 4 minutes). The runs of faults-inject-node, one after another, are the longest chain.
 */
async function runQueue(jobs) {
  const queue = [...jobs];
  const busy = new Set();
  const waiting = new Set();
  const next = () => {
    const i = queue.findIndex((j) => !(j.group && busy.has(j.group)));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (queue.length) {
        const job = next();
        if (!job) {
          // Only jobs of running groups are left: wait for one of those to end.
          await new Promise((r) => waiting.add(r));
          continue;
        }
        if (job.group) busy.add(job.group);
        try {
          await job.run();
        } catch (e) {
          // A run that could not start (its MLflow did not come up, say) fails alone.
          console.error(`\n--- ${job.label}: ${e instanceof Error ? e.stack ?? e.message : e}`);
          tally.failed += 1;
          failedTitles.push(`${job.label}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
        } finally {
          if (job.group) {
            busy.delete(job.group);
            for (const r of waiting) r();
            waiting.clear();
          }
        }
      }
    }),
  );
}

/**
 * A VS Code suite with a fresh MLflow of its own (`store`), on one VS Code build (GT_VSCODE). Its
 * output is printed whole when it ends, so suites that run side by side do not interleave.
 */
async function serverSuite({ suite, title, cmd, args, build = 'newest', store = 'sqlite' }) {
  const t0 = Date.now();
  // The server's own log, kept for when the suite fails: a wedged or erroring MLflow shows there.
  const logFile = join(results, `mlflow-${suite}.log`);
  rmSync(logFile, { force: true });
  const mlflow = await startMlflow({ logFile, store });
  try {
    const file = join(results, `${suite}.json`);
    rmSync(file, { force: true });
    const before = tally.failed;
    const { code, out } = await spawnBuffered(cmd, args, { ...process.env, GT_MLFLOW_URL: mlflow.url, GT_MLFLOW_STORE: store, GT_RESULTS_FILE: file, GT_VSCODE: build }, SUITE_LIMIT_MS);
    const b = vscodeBuild(build);
    console.log(`\n=== ${title} (VS Code ${b.vscode}, ${store}; ${((Date.now() - t0) / 1000).toFixed(1)} s)\n${out}`);
    suiteResult(suite, file, code);
    if (tally.failed > before) {
      const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
      console.log(`\n--- MLflow server log of the ${suite} suite (last 40 of ${lines.length} lines; all in ${logFile})\n${lines.slice(-40).join('\n')}`);
    }
  } finally {
    await mlflow.stop();
    runTimes.push([`${title} [VS Code ${vscodeBuild(build).vscode}${store === 'sqlite' ? '' : `, ${store}`}]`, (Date.now() - t0) / 1000]);
  }
}

/** Longest a unit or component file may run (the longest take 3-4 min on a loaded machine), and a
 *  VS Code suite (7 min): a process that hangs is stopped and fails, rather than holding the whole
 *  run until CI's own limit. */
const FILE_LIMIT_MS = 15 * 60_000;
const SUITE_LIMIT_MS = 30 * 60_000;

/** Runs a command to its end with its output kept, not streamed: runs side by side stay readable.
 *  Past `limitMs` it is stopped (SIGTERM, then SIGKILL), and the output says so. */
function spawnBuffered(cmd, args, env, limitMs = Infinity) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => (out += `cannot run ${cmd}: ${e.message}\n`));
    let kill;
    let stopped = false;
    const limit = Number.isFinite(limitMs)
      ? setTimeout(() => {
          stopped = true;
          out += `\n[test runner] still running after ${limitMs / 60_000} min: stopped, and counted as failed\n`;
          child.kill('SIGTERM');
          kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        }, limitMs)
      : undefined;
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      clearTimeout(kill);
      // A process that exits cleanly on SIGTERM still failed: it ran past its limit.
      resolve({ code: stopped ? 1 : (code ?? (signal ? 1 : 0)), out });
    });
  });
}

// Before any run: parallel runs must not race to create the venvs nor to install a VS Code server;
// a PostgreSQL for every run that wants one. The venvs started above are awaited; the calls after
// only check the pins (or say what failed, installing again in the open).
for (const r of await venvsReady) if (r.status === 'rejected') console.error(r.reason.message);
timings.push(['venvs (in the background)', Date.now() - t0Venvs]);
ensureVenv();
// …and the app venvs the Python tracer's tests run programs in.
for (const name of Object.keys(APP_VENVS)) ensureAppVenv(name);
const vscodeJobs = [];
const vscodeJob = (v) => vscodeJobs.push({ label: v.title, group: 'vscode', build: v.build ?? 'newest', run: () => serverSuite(v) });
// The longest first: the suite on the newest VS Code, then the one on the oldest; e2e is shorter.
if (suites.includes('integration')) vscodeJob({ suite: 'integration', title: 'integration (real VS Code)', cmd: process.execPath, args: ['scripts/run-vscode-tests.mjs'] });
if (suites.includes('integration-oldest')) {
  vscodeJob({ suite: 'integration-oldest', title: 'integration (oldest VS Code)', cmd: process.execPath, args: ['scripts/run-vscode-tests.mjs'], build: 'oldest', store: 'postgres' });
}
if (suites.includes('e2e')) {
  vscodeJob({ suite: 'e2e', title: 'e2e (Playwright in the workbench)', cmd: process.execPath, args: [mochaBin, '--require', 'tsx/cjs', '--reporter', reporter, '--timeout', '180000', 'test/e2e/**/*.test.ts'] });
}
for (const build of new Set(vscodeJobs.map((v) => v.build))) {
  const t = Date.now();
  // A failure here is said, then the install is tried again in the open.
  const failed = await buildsReady.get(build);
  if (failed) console.error(failed.message);
  await ensureVsCodeServer({ build });
  timings.push([`VS Code server (${build})`, Date.now() - t]);
}
let postgres;
const legServers = [];
try {
  if (usesPostgres) {
    const t = Date.now();
    postgres = await startPostgres();
    process.env.GT_POSTGRES_URL = postgres.url; // every MLflow with a PostgreSQL store, here and in children
    timings.push(['PostgreSQL + MLflow schema', Date.now() - t]);
  }
  const jobs = [...vscodeJobs, ...(await fileJobs(legServers))];
  const tq = Date.now();
  console.log(`\n=== ${jobs.length} runs, ${LANES} at a time (test files: one process each)`);
  await runQueue(jobs);
  timings.push([`all runs (${jobs.length})`, Date.now() - tq]);
  if (postgres) {
    // The PostgreSQL legs must really have written there (not silently to a sqlite default).
    const dbs = postgres.traceCounts();
    const traces = dbs.reduce((n, d) => n + d.traces, 0);
    console.log(`\n=== PostgreSQL store: ${traces} traces in ${dbs.length} MLflow databases`);
    if (!traces) {
      tally.failed += 1;
      failedTitles.push('PostgreSQL legs: no trace reached PostgreSQL');
    }
  }
} catch (e) {
  // Set-up that failed (PostgreSQL, a leg's MLflow): still one closing tally line.
  console.error(`\n${e instanceof Error ? e.stack ?? e.message : e}`);
  tally.failed += 1;
  failedTitles.push(`set-up: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
} finally {
  for (const server of legServers) await server.stop();
  await postgres?.stop();
}

console.log('\n=== timings');
for (const [name, ms] of timings) console.log(`${name.padEnd(36)} ${(ms / 1000).toFixed(1)} s`);
console.log(`${'total'.padEnd(36)} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// What each leg of the matrix costs in lane time (LANES runs share the machine's cores, so a run's
// time grows with what runs beside it; the sum over legs is more than the wall time above).
const legs = new Map();
for (const [label, sec] of runTimes) {
  const suite = /^test\/(unit|component)\//.exec(label)?.[1];
  const leg = suite ? `${suite} files [${/\[(.*)\]$/.exec(label)?.[1] ?? `Node ${process.versions.node}, sqlite`}]` : label;
  const [n, total] = legs.get(leg) ?? [0, 0];
  legs.set(leg, [n + 1, total + sec]);
}
console.log('\n=== lane time by leg');
for (const [leg, [n, sec]] of legs) console.log(`${leg.padEnd(60)} ${String(n).padStart(3)} run(s) ${sec.toFixed(0).padStart(6)} s`);
if (checksFailed) console.log(`(${checksFailed} of typecheck/lint/import cycles/package failed, counted as failures)`);
if (failedTitles.length) console.log(`\n=== failed\n${failedTitles.join('\n')}`);
console.log(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
process.exit(tally.failed ? 1 : 0);
