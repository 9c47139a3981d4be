// Debian packages the real-VS-Code and browser suites need. Installed with apt-get when running as
// root and something is missing; otherwise a clear message says what to install.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium'];

function missing() {
  return PACKAGES.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed') !== true);
}

export function ensureSystemPackages() {
  const need = missing();
  if (!need.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages: ${need.join(' ')}. Install them: sudo apt-get install -y ${need.join(' ')}`);
  }
  console.log(`[apt] installing ${need.join(' ')}`);
  execSync('apt-get update -qq', { stdio: 'inherit' });
  execSync(`apt-get install -y -qq --no-install-recommends ${need.join(' ')}`, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export const chromiumPath = () => (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
