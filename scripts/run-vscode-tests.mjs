#!/usr/bin/env node
// Runs the integration suites inside the extension host of a real VS Code (the server build from
// the code-server package, in headless Chromium). The workbench takes the extension and the tests
// module in its URL payload; when the tests settle the server logs
// "Extension Host Process exited with code: N"; the workbench reports the code to the page
// (window.codeAutomationExit), and mocha's own failure count must agree.
//   node scripts/run-vscode-tests.mjs [substring-of-test-file …]
// Env: GT_MLFLOW_URL (started here when unset, with GT_MLFLOW_STORE's store), GT_RESULTS_FILE (tally for scripts/test.mjs),
//      GT_VSCODE_TEST_TIMEOUT_MS (default 15 min), GT_VSCODE (which VS Code build: newest | oldest).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStore, startMlflow } from './lib/mlflow.mjs';
import { ensureAppVenv, root } from './lib/python.mjs';
import { ensureVsCodeServer, vscodeBuild } from './lib/vscode-install.mjs';
import { openWorkbench } from './lib/workbench.mjs';

const grep = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const timeoutMs = Number(process.env.GT_VSCODE_TEST_TIMEOUT_MS) || 15 * 60_000;
const testsIndex = join(root, 'out', 'test', 'integration', 'index.js');
const EXIT_LINE = /Extension Host Process exited with code: (\d+|null), signal: (\w+)/;

async function main() {
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: run \`node scripts/build.mjs --tests\` first`);
  const build = vscodeBuild();
  await ensureVsCodeServer({ build: build.name });
  // The launch tests run a Python app the way debugpy and a terminal would, in a venv that holds
  // only google-genai (tracing must need nothing else in the app's environment).
  ensureAppVenv('genai');
  const t0 = Date.now();
  const cleanups = [];
  let code = 1;
  const scratch = mkdtempSync(join(tmpdir(), 'gt-vscode-tests-'));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  // Ctrl-C or a CI cancel must not leave a server, extension host or browser behind.
  const interrupted = new Promise((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => resolve(sig));
  });

  try {
    let mlflowUrl = process.env.GT_MLFLOW_URL;
    if (!mlflowUrl) {
      console.log('GT_MLFLOW_URL is unset: starting a throw-away MLflow server');
      const mlflow = await startMlflow();
      cleanups.push(() => mlflow.stop());
      mlflowUrl = mlflow.url;
    }
    const specFile = join(scratch, 'mocha-output.txt');
    const env = {
      GT_MLFLOW_URL: mlflowUrl,
      GT_MOCHA_OUTPUT_FILE: specFile,
      GT_INTEGRATION_GREP: JSON.stringify(grep),
      // activation.test.ts checks that the extension host really is this version.
      GT_VSCODE_VERSION: build.vscode,
      ...(process.env.GT_RESULTS_FILE ? { GT_RESULTS_FILE: process.env.GT_RESULTS_FILE } : {}),
    };
    console.log(`VS Code ${build.vscode} (code-server ${build.codeServer}, Node ${build.node}) integration tests${grep.length ? ` matching ${grep.join(', ')}` : ''} against MLflow ${mlflowUrl} (${defaultStore()} store)`);
    const wb = await openWorkbench({ settings: { 'geminiTrace.trackingUri': mlflowUrl }, env, extensionTestsPath: testsIndex });
    cleanups.push(() => wb.close());
    console.log(`workbench up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${wb.url}`);

    const verdict = await Promise.race([
      waitForVerdict(wb),
      new Promise((r) => setTimeout(() => r({ timeout: true }), timeoutMs)),
      interrupted.then((sig) => ({ interrupted: sig })),
    ]);
    const spec = existsSync(specFile) ? readFileSync(specFile, 'utf8') : '';
    const tally = /^GT_INTEGRATION_FAILURES=(\d+)$/m.exec(spec);
    if (spec) console.log(`\n${spec.replace(/^GT_INTEGRATION_FAILURES=.*\n?/m, '')}`);
    if ('code' in verdict) {
      // Both must agree: the workbench's exit code and mocha's own count of failures.
      code = verdict.code === 0 && tally && Number(tally[1]) === 0 ? 0 : 1;
      if (!spec) console.log(relevantLog(wb.server.log()));
      else if (!tally) console.log(`mocha never finished:\n${relevantLog(wb.server.log())}`);
      console.log(`extension host tests exited with code ${verdict.code} (${verdict.source}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      console.log(relevantLog(wb.server.log()));
      console.error(verdict.timeout ? `timed out after ${timeoutMs / 60_000} min waiting for the extension host to finish the tests` : `interrupted (${verdict.interrupted})`);
      if (wb.consoleErrors().length) console.error(`browser console errors:\n${wb.consoleErrors().slice(-10).join('\n')}`);
    }
  } finally {
    for (const c of cleanups.reverse()) {
      try { await c(); } catch (e) { console.error(`cleanup: ${e instanceof Error ? e.message : e}`); }
    }
  }
  return code;
}

/**
 * Resolves with the tests' exit code: the workbench's codeAutomationExit call, or, should that never
 * come, the server's "Extension Host Process exited" line. Rejects if the server dies first.
 */
function waitForVerdict(wb) {
  return new Promise((resolve, reject) => {
    let sawExitLine = 0;
    wb.testsDone.then((code) => { clearInterval(tick); resolve({ code, source: 'workbench' }); });
    const tick = setInterval(() => {
      const m = EXIT_LINE.exec(wb.server.log());
      if (m && !sawExitLine) sawExitLine = Date.now();
      // The workbench reports just before the process line; give it a few seconds to do so.
      if (m && Date.now() - sawExitLine > 5000) {
        clearInterval(tick);
        resolve({ code: m[1] === 'null' ? -1 : Number(m[1]), source: 'server log' });
      } else if (wb.server.exited()) {
        clearInterval(tick);
        reject(new Error(`the VS Code server exited before the tests finished:\n${relevantLog(wb.server.log())}`));
      }
    }, 250);
  });
}

/** The server log without its start-up banner noise: the last lines that matter. */
function relevantLog(log) {
  const lines = log.split('\n').filter((l) => l.trim() && !/^\s*\*/.test(l));
  return `--- VS Code server log (last ${Math.min(lines.length, 80)} lines) ---\n${lines.slice(-80).join('\n')}`;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
