// Runs one exported function of a scripts/lib module in a child Node process, so that a long
// install (a venv, a VS Code build) goes on while the caller blocks in spawnSync; the child's
// output goes to this process's.
import { spawn } from 'node:child_process';

/**
 * @param {string} moduleUrl the module's import.meta.url
 * @param {string} call what to run on the module `m`, as source: `m.ensureVenv()`
 * @param {string} what said in the error when it fails: "setting up .venv"
 * @returns {Promise<void>} resolves when the child exits 0
 */
export function callInChild(moduleUrl, call, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(moduleUrl)}).then((m) => ${call})`], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}); see the output above`))));
  });
}
