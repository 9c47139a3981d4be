#!/usr/bin/env node
// The integration suites in a desktop (Electron) VS Code, for developers who have one; CI runs them
// in the VS Code server instead (scripts/run-vscode-tests.mjs). Reads .vscode-test.mjs.
//   VSCODE_EXECUTABLE=/path/to/code node scripts/run-electron-tests.mjs [substring-of-test-file …]
// Without VSCODE_EXECUTABLE, @vscode/test-electron downloads the configured version (needs internet).
// Needs `node scripts/build.mjs --tests` first; GT_MLFLOW_URL is started here when unset.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMlflow } from './lib/mlflow.mjs';
import { root } from './lib/python.mjs';
import { copyExamples } from './lib/workbench.mjs';

const [config] = (await import(join(root, '.vscode-test.mjs'))).default;
const grep = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const testsIndex = join(root, 'out', 'test', 'integration', 'index.js');
if (!existsSync(testsIndex)) {
  console.error(`${testsIndex} is missing: run \`node scripts/build.mjs --tests\` first`);
  process.exit(1);
}

const { runTests } = await import('@vscode/test-electron');
const cleanups = [];
let code = 1;
try {
  let mlflowUrl = process.env.GT_MLFLOW_URL;
  if (!mlflowUrl) {
    const mlflow = await startMlflow();
    cleanups.push(() => mlflow.stop());
    mlflowUrl = mlflow.url;
  }
  // Same conditions as the server runner: a copy of examples/, trust off, tracking URI preset.
  const folder = resolve(root, config.workspaceFolder) === join(root, 'examples') ? copyExamples() : resolve(root, config.workspaceFolder);
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const userData = mkdtempSync(join(tmpdir(), 'gt-electron-'));
  cleanups.push(() => rmSync(userData, { recursive: true, force: true }));
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'git.openRepositoryInParentFolders': 'never',
    'geminiTrace.trackingUri': mlflowUrl,
  }, null, 2));

  code = await runTests({
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version: config.version }),
    extensionDevelopmentPath: root,
    extensionTestsPath: testsIndex,
    extensionTestsEnv: {
      ...config.env,
      GT_MLFLOW_URL: mlflowUrl,
      GT_INTEGRATION_GREP: JSON.stringify(grep),
      ...(process.env.GT_RESULTS_FILE ? { GT_RESULTS_FILE: process.env.GT_RESULTS_FILE } : {}),
    },
    launchArgs: [folder, `--user-data-dir=${userData}`, ...config.launchArgs],
  });
} catch (e) {
  console.error(`desktop VS Code tests failed: ${e instanceof Error ? e.message : e}`);
} finally {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* best effort */ }
  }
}
process.exit(code);
