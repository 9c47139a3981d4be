#!/usr/bin/env node
// The one test entry point (`npm test`): installs what the suites need, type-checks, lints,
// builds, runs each suite against real MLflow servers, and closes with a single
// "N passed, N failed, N skipped" line over all of them.
//
// Isolation: each unit test file runs in its own mocha process (two at a time) and starts its own
// MLflow when it needs one; the VS Code suites get a fresh server each. One test that wedges a
// server (seen once: a shared server stopped answering mid-run) then fails only itself.
//   node scripts/test.mjs [unit] [integration] [e2e]      (default: all)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VENVS, ensureAppVenv, ensureInBackground, ensureVenv, root } from './lib/python.mjs';
import { startMlflow } from './lib/mlflow.mjs';
import { ensureSystemPackages } from './lib/system.mjs';

const all = ['unit', 'integration', 'e2e'];
const picked = process.argv.slice(2).filter((a) => all.includes(a));
const suites = picked.length ? picked : all;
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

function suiteResult(name, file, status) {
  if (existsSync(file)) {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    tally.passed += r.passed;
    tally.failed += r.failed;
    tally.skipped += r.skipped;
    for (const f of r.failures ?? []) failedTitles.push(`${name}: ${f.title}`);
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
// Every suite needs some of them: the unit suite drives the webview in Chromium too.
ensureSystemPackages();
// The venvs (MLflow's, and the app venvs the Python tracer's tests run programs in) install in the
// background while the checks below run: on a fresh machine that is over two minutes of pip, the
// frameworks venv alone about a minute. Failures surface before the suites, below.
const t0Venvs = Date.now();
const venvsReady = Promise.allSettled([ensureInBackground(), ...Object.keys(APP_VENVS).map((name) => ensureInBackground(name))]);
let checksFailed = 0;
checksFailed += step('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']) ? 1 : 0;
checksFailed += step('lint', 'npx', ['eslint', '.']) ? 1 : 0;
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
const UNIT_JOBS = 2;
// Unit files that take longest (about 30 s to 4 min in CI runs; frameworks-python runs some 25
// Python processes that each import a framework, its gateway twin starts an MLflow of its own),
// longest first: they start first, so the two lanes end together instead of one long file
// starting late and running alone at the end. Files not listed follow in name order. faults-inject-python waits for three CPU-heavy files:
// the two fault files mostly wait (MLflow restarts, a 5 s slow server), and side by side they
// would leave the CPU idle while work is queued.
const UNIT_LONG_FIRST = ['frameworks-python', 'frameworks-python-gateway', 'faults-inject-node', 'panel-webview', 'explorer-source', 'model-encodings', 'faults-inject-python', 'model-gemini', 'inject-python', 'inject-node', 'load-inject', 'mlflow-client', 'cli', 'compare-summary', 'mlflow-errors'];
function unitRank(file) {
  const i = UNIT_LONG_FIRST.indexOf(file.replace(/\.test\.ts$/, ''));
  return i < 0 ? UNIT_LONG_FIRST.length : i;
}

/** Runs one mocha file in its own process; its output is printed whole when it ends. */
function mochaFile(file, resultFile) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const env = { ...process.env, GT_RESULTS_FILE: resultFile };
    delete env.GT_MLFLOW_URL; // each file starts its own server if it needs one
    const child = spawn(process.execPath, [mochaBin, '--require', 'tsx/cjs', '--reporter', reporter, '--timeout', '60000', file], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => {
      process.stdout.write(`\n--- ${file} (${((Date.now() - t0) / 1000).toFixed(1)} s)${out}`);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function unitSuite() {
  const t0 = Date.now();
  console.log(`\n=== unit (one process per file, ${UNIT_JOBS} at a time)`);
  const dir = join(results, 'unit');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(join(root, 'test/unit')).filter((f) => f.endsWith('.test.ts')).sort().sort((a, b) => unitRank(a) - unitRank(b)).map((f) => `test/unit/${f}`);
  const queue = [...files];
  await Promise.all(
    Array.from({ length: UNIT_JOBS }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const resultFile = join(dir, `${file.replace(/^.*\//, '')}.json`);
        suiteResult(file, resultFile, await mochaFile(file, resultFile));
      }
    }),
  );
  timings.push(['unit', Date.now() - t0]);
}

/** A VS Code suite with a fresh MLflow of its own. */
async function serverSuite(suite, title, cmd, args) {
  // The server's own log, kept for when the suite fails: a wedged or erroring MLflow shows there.
  const logFile = join(results, `mlflow-${suite}.log`);
  rmSync(logFile, { force: true });
  const mlflow = await startMlflow({ logFile });
  try {
    const file = join(results, `${suite}.json`);
    rmSync(file, { force: true });
    const before = tally.failed;
    suiteResult(suite, file, step(title, cmd, args, { GT_MLFLOW_URL: mlflow.url, GT_RESULTS_FILE: file }));
    if (tally.failed > before) {
      const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
      console.log(`\n--- MLflow server log of the ${suite} suite (last 40 of ${lines.length} lines; all in ${logFile})\n${lines.slice(-40).join('\n')}`);
    }
  } finally {
    await mlflow.stop();
  }
}

// Before any suite: parallel unit files must not race to create the venvs. Those started above are
// awaited; the calls after only check the pins (or say what failed, installing again in the open).
for (const r of await venvsReady) if (r.status === 'rejected') console.error(r.reason.message);
timings.push(['venvs (in the background)', Date.now() - t0Venvs]);
ensureVenv();
for (const name of Object.keys(APP_VENVS)) ensureAppVenv(name);
if (suites.includes('unit')) await unitSuite();
if (suites.includes('integration')) await serverSuite('integration', 'integration (real VS Code)', 'node', ['scripts/run-vscode-tests.mjs']);
if (suites.includes('e2e')) {
  await serverSuite('e2e', 'e2e (Playwright in the workbench)', process.execPath, [mochaBin, '--require', 'tsx/cjs', '--reporter', reporter, '--timeout', '180000', 'test/e2e/**/*.test.ts']);
}

console.log('\n=== timings');
for (const [name, ms] of timings) console.log(`${name.padEnd(36)} ${(ms / 1000).toFixed(1)} s`);
console.log(`${'total'.padEnd(36)} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (checksFailed) console.log(`(${checksFailed} of typecheck/lint/package failed, counted as failures)`);
if (failedTitles.length) console.log(`\n=== failed\n${failedTitles.join('\n')}`);
console.log(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
process.exit(tally.failed ? 1 : 0);
