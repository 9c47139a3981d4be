// The framework sample apps (test/fixtures/framework-apps/<name>/), shared by the tests and the
// benchmarks: each folder pins its framework in its own package.json and package-lock.json, so the
// frameworks never enter the extension's own install. A folder is installed with `npm ci` on first
// use (as the Python app venvs are made), and again whenever its lock file changes. A version folder
// (`ai-sdk/v7`) runs the app sources of its parent folder: they are copied next to its node_modules
// at install time, so their imports resolve to that version's packages.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { root } from './python.mjs';

export const frameworkAppsDir = join(root, 'test', 'fixtures', 'framework-apps');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The installed app folder (absolute).
 * @param {string} name e.g. 'langchain', 'ai-sdk/v7'
 * @param {(line: string) => void} [log]
 */
export async function frameworkApp(name, log = (l) => process.stderr.write(`${l}\n`)) {
  const dir = join(frameworkAppsDir, name);
  const lock = join(dir, 'package-lock.json');
  if (!existsSync(lock)) throw new Error(`${dir} has no package-lock.json`);
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  const stamp = join(dir, 'node_modules', '.gemini-trace-stamp');
  const fresh = () => existsSync(stamp) && readFileSync(stamp, 'utf8') === want;
  if (!fresh()) {
    // Two test files may want the same app at once: one installs, the other waits.
    const guard = join(dir, '.installing');
    for (;;) {
      try {
        mkdirSync(guard);
        break;
      } catch {
        // A guard left by a killed install is stale after ten minutes.
        if (Date.now() - statSync(guard).mtimeMs > 600_000) rmSync(guard, { recursive: true, force: true });
        await sleep(500);
      }
    }
    try {
      if (!fresh()) {
        log(`[framework-apps] npm ci in ${dir} (first use only)`);
        const t0 = Date.now();
        execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        writeFileSync(stamp, want);
        log(`[framework-apps] ${name} installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
    } finally {
      rmSync(guard, { recursive: true, force: true });
    }
  }
  if (/^v\d+$/.test(basename(dir))) {
    for (const f of readdirSync(dirname(dir)).filter((f) => /\.(m|c)?js$/.test(f))) copyFileSync(join(dirname(dir), f), join(dir, f));
  }
  return dir;
}
