// Debian packages that `npm start` and `npm test` need on a fresh machine (which has none of them).
// Installed with apt-get when running as root and something is missing; otherwise one clear
// message names the command to run. Both entry points call this, so neither relies on an earlier
// run (or on CI) having installed anything.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Building the VS Code server's native modules (kerberos, node-pty, …) and its search (ripgrep). */
export const VSCODE_SERVER_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep'];
/** Headless Chromium for the webview, workbench and `npm start -- --check` runs. */
export const BROWSER_PACKAGES = ['chromium'];
/** The Gemini stand-in's throwaway TLS certificate (google-genai's Live client speaks only wss://). */
export const STANDIN_PACKAGES = ['openssl'];
/** The PostgreSQL server that the suites' second MLflow store runs on (scripts/lib/postgres.mjs). */
export const POSTGRES_PACKAGES = ['postgresql'];

function installed(pkg) {
  return spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') === true;
}

/** Debian's python3 makes venvs only with python3-venv (ensurepip); a pyenv or python.org build has it built in. */
function venvPackages() {
  const r = spawnSync('python3', ['-c', 'import ensurepip, venv'], { encoding: 'utf8' });
  return r.status === 0 ? [] : ['python3-venv'];
}

/**
 * Installs what is missing of `packages` (default: everything both scripts use).
 * @param {string[]} [packages]
 */
export function ensureSystemPackages(packages = [...VSCODE_SERVER_PACKAGES, ...BROWSER_PACKAGES, ...STANDIN_PACKAGES]) {
  if (!existsSync('/usr/bin/dpkg-query')) return; // not Debian: the README's list is the guide
  const need = [...packages, ...venvPackages()].filter((p) => !installed(p));
  if (!need.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages: ${need.join(' ')}. Install them, then run this again: sudo apt-get install -y ${need.join(' ')}`);
  }
  const t0 = Date.now();
  console.log(`[apt] installing ${need.join(' ')} (first run only)`);
  execSync('apt-get update -qq', { stdio: 'inherit' });
  execSync(`apt-get install -y -qq --no-install-recommends ${need.join(' ')}`, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  console.log(`[apt] installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

export const chromiumPath = () => (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
