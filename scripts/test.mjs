#!/usr/bin/env node
// The one test entry point (`npm test`): installs what the suites need, type-checks, lints,
// builds, starts one real MLflow server for the whole run, runs each suite, and closes with a
// single "N passed, N failed, N skipped" line over all of them.
//   node scripts/test.mjs [unit] [integration] [e2e]      (default: all)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/python.mjs';
import { startMlflow } from './lib/mlflow.mjs';
import { ensureSystemPackages } from './lib/system.mjs';

const all = ['unit', 'integration', 'e2e'];
const picked = process.argv.slice(2).filter((a) => all.includes(a));
const suites = picked.length ? picked : all;
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const timings = [];
const tally = { passed: 0, failed: 0, skipped: 0 };

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
    if (status !== 0 && r.failed === 0) tally.failed += 1; // crashed after its tests
  } else if (status !== 0) {
    console.error(`${name}: no results (exit ${status})`);
    tally.failed += 1;
  }
}

const t0 = Date.now();
if (suites.some((s) => s !== 'unit')) ensureSystemPackages();
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

console.log('\n=== mlflow server');
const mlflow = await startMlflow();
console.log(`MLflow ${mlflow.url} (store ${mlflow.dataDir})`);
const env = { GT_MLFLOW_URL: mlflow.url };

const mocha = (glob, timeoutMs) => ['npx', ['mocha', '--require', 'tsx/cjs', '--reporter', join(root, 'scripts/lib/mocha-reporter.cjs'), '--timeout', String(timeoutMs), glob]];
const runners = {
  unit: ['unit', ...mocha('test/unit/**/*.test.ts', 60_000)],
  integration: ['integration (real VS Code)', 'node', ['scripts/run-vscode-tests.mjs']],
  e2e: ['e2e (Playwright in the workbench)', ...mocha('test/e2e/**/*.test.ts', 180_000)],
};

try {
  for (const suite of suites) {
    const [title, cmd, args] = runners[suite];
    const file = join(results, `${suite}.json`);
    rmSync(file, { force: true });
    suiteResult(suite, file, step(title, cmd, args, { ...env, GT_RESULTS_FILE: file }));
  }
} finally {
  await mlflow.stop();
}

console.log('\n=== timings');
for (const [name, ms] of timings) console.log(`${name.padEnd(36)} ${(ms / 1000).toFixed(1)} s`);
console.log(`${'total'.padEnd(36)} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (checksFailed) console.log(`(${checksFailed} of typecheck/lint/package failed, counted as failures)`);
console.log(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
process.exit(tally.failed ? 1 : 0);
