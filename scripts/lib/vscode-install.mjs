// A real VS Code server, with no download from the internet: the build that the `code-server` npm
// package carries, installed into `.cache/code-server-<version>/` (steps below) and started
// headless on a loopback port for tests and `npm start`. Two builds are supported (VSCODE_BUILDS):
// the newest the registry serves and the oldest that meets the manifest's `engines.vscode`. Each
// runs on the Node its code-server release is built for, taken from the npm registry as a package
// when it is not the machine's (scripts/lib/node-versions.mjs).
// This file installs it:
//   ensureVsCodeServer()          installs once (stamp file), later calls only check the stamp
//   ensureInBackground(build)     the same in a child process
// and vscode-server.mjs starts it:
//   startVsCodeServer({ folder }) starts `out/server-main.js` and waits until it answers HTTP
// Which build: `build` option, else GT_VSCODE (`newest` | `oldest`), else newest.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callInChild } from './in-child.mjs';
import { ensureNode, nodeEnv } from './node-versions.mjs';
import { root } from './python.mjs';

/**
 * codeServer: the npm package version; vscode: the VS Code it carries (lib/vscode/package.json);
 * node: the Node major its package.json `engines` names (its native modules are built for it).
 * The registry has no code-server of VS Code 1.94 or 1.95 (it jumps from 4.93.1 to 4.96.4), so
 * 1.96 is the oldest VS Code these suites can run, and the manifest claims ^1.96.0.
 */
export const VSCODE_BUILDS = {
  newest: { codeServer: '4.139.1', vscode: '1.139.1', node: 24 },
  oldest: { codeServer: '4.96.4', vscode: '1.96.4', node: 20 },
};

/** The build named by `name`, GT_VSCODE, or the newest. */
export function vscodeBuild(name = process.env.GT_VSCODE || 'newest') {
  const build = VSCODE_BUILDS[name];
  if (!build) throw new Error(`Unknown VS Code build "${name}" (GT_VSCODE): expected one of ${Object.keys(VSCODE_BUILDS).join(', ')}`);
  return { name, ...build };
}
// The native modules VS Code's server loads (their names changed over releases); `--ignore-scripts`
// leaves them unbuilt. Each build gets those its own package.json lists. Some ship prebuilt binaries
// (node-pty since 1.1, @parcel/watcher's platform packages): their rebuild only checks those.
const NATIVE_CANDIDATES = ['kerberos', 'node-pty', '@parcel/watcher', '@vscode/deviceid', '@vscode/spdlog', 'native-watchdog', '@vscode/native-watchdog'];

/** What a VS Code build needs beyond `npm install`: its native modules, and whether its ripgrep is
 *  the old `@vscode/ripgrep` (whose postinstall downloads rg: the system's rg replaces it) or
 *  `@vscode/ripgrep-universal` (rg for every platform inside the npm package). */
function needs(vsc) {
  const deps = Object.keys(JSON.parse(readFileSync(join(vsc, 'package.json'), 'utf8')).dependencies ?? {});
  return { native: NATIVE_CANDIDATES.filter((m) => deps.includes(m)), systemRipgrep: deps.includes('@vscode/ripgrep') };
}

/**
 * Where a build is installed: `<GT_VSCODE_SERVER_CACHE or .cache>/code-server-<version>`.
 * GT_VSCODE_SERVER_CACHE lets several worktrees share installs.
 */
export function installDir(build = vscodeBuild()) {
  return join(process.env.GT_VSCODE_SERVER_CACHE || join(root, '.cache'), `code-server-${build.codeServer}`);
}

/** The VS Code build inside an install dir (holds out/server-main.js). */
export function vscodeDir(dir = installDir()) {
  return join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
}

/** The stamp names the version and the Node ABI: native modules built for another Node do not load. */
function stampText(build, abi) {
  return `code-server ${build.codeServer} node-abi ${abi}\n`;
}

/** The Node a build runs on, with its ABI (native modules must match it). */
async function serverNode(build, log) {
  const node = await ensureNode(build.node, { log });
  const abi = spawnSync(node.bin, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim();
  return { ...node, abi };
}

/**
 * Installs the VS Code server unless the stamp says it is there. Idempotent: every step can be re-run.
 * @param {{ build?: string, log?: (m: string) => void }} [opts]
 * @returns {Promise<{ vsc: string, node: { bin: string, version: string }, build: { name: string, codeServer: string, vscode: string } }>}
 *   vsc: the VS Code dir (holding out/server-main.js); node: the Node that runs it
 */
export async function ensureVsCodeServer(opts = {}) {
  const build = vscodeBuild(opts.build);
  const dir = installDir(build);
  const log = opts.log ?? ((m) => process.stderr.write(`[vscode-server ${build.codeServer}] ${m}\n`));
  const node = await serverNode(build, log);
  const vsc = vscodeDir(dir);
  const done = { vsc, node, build };
  const stamp = join(dir, '.gemini-trace-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === stampText(build, node.abi) && existsSync(join(vsc, 'out', 'server-main.js'))) return done;

  // An install made by hand (or interrupted after its last step) only needs checking.
  const problems = verifyInstall(build, node);
  if (!problems.length) {
    writeFileSync(stamp, stampText(build, node.abi));
    log(`found a complete install at ${dir}`);
    return done;
  }

  const t0 = Date.now();
  log(`installing code-server ${build.codeServer} (VS Code ${build.vscode} server, Node ${node.version}) into ${dir}; first run only, a few minutes`);
  mkdirSync(dir, { recursive: true });
  // Without a package.json of its own, npm would walk up and install into the repository.
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'gemini-trace-vscode-server', private: true }, null, 2) + '\n');
  // npm, node-gyp and every install script run on the build's Node (first on PATH).
  const npmEnv = { ...nodeEnv(node), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

  // Its own postinstall refuses root and downloads ripgrep from the internet; the steps below replace it.
  await run(log, '1/5 npm install code-server', 'npm', ['install', '--ignore-scripts', '--save-exact', `code-server@${build.codeServer}`], dir, npmEnv);
  registryOnly(vsc, log);
  await run(log, '2/5 npm install (VS Code server dependencies)', 'npm', ['install', '--omit=dev', '--ignore-scripts'], vsc, npmEnv);
  const nodedir = nodeHeadersDir(node);
  const { native, systemRipgrep } = needs(vsc);
  await run(log, `3/5 npm rebuild ${native.join(' ')} for Node ${node.version} (headers from ${nodedir})`, 'npm', ['rebuild', ...native], vsc, {
    ...npmEnv,
    npm_config_nodedir: nodedir,
    npm_config_yes: 'true',
  });
  log(`4/5 ${systemRipgrep ? 'ripgrep -> system rg, ' : ''}node_modules.asar -> node_modules`);
  if (systemRipgrep) {
    const rg = findOnPath('rg');
    if (!rg) throw new Error('VS Code server install: ripgrep (rg) is not on PATH. Install it: apt-get install ripgrep');
    mkdirSync(join(vsc, 'node_modules/@vscode/ripgrep/bin'), { recursive: true });
    forceSymlink(rg, join(vsc, 'node_modules/@vscode/ripgrep/bin/rg'));
  }
  forceSymlink('node_modules', join(vsc, 'node_modules.asar'));
  registryOnly(join(vsc, 'extensions'), log);
  await run(log, '5/5 npm install (built-in extensions dependencies)', 'npm', ['install', '--omit=dev', '--ignore-scripts'], join(vsc, 'extensions'), npmEnv);

  const left = verifyInstall(build, node);
  if (left.length) throw new Error(`VS Code server install at ${dir} finished but is incomplete:\n  ${left.join('\n  ')}\nDelete ${dir} and run again.`);
  writeFileSync(stamp, stampText(build, node.abi));
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return done;
}

/**
 * Some releases pin a dependency to a git commit in their shrinkwrap (code-server 4.96.4:
 * @vscode/proxy-agent 0.27.0 from GitHub), which these machines cannot fetch and which is not the
 * registry. Such an entry loses its `resolved` URL, so npm takes that version from the registry,
 * and keeps its `integrity`, so npm checks the registry's tarball is byte for byte the pinned one
 * (for proxy-agent 0.27.0 it is) and fails the install if not.
 */
function registryOnly(dir, log) {
  const file = join(dir, 'npm-shrinkwrap.json');
  if (!existsSync(file)) return;
  const lock = JSON.parse(readFileSync(file, 'utf8'));
  const changed = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!/^git\+|^git:|^github:/.test(entry.resolved ?? '')) continue;
    if (!entry.integrity) throw new Error(`${file}: ${path} comes from ${entry.resolved} with no integrity to check a registry copy against`);
    delete entry.resolved;
    changed.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}`);
  }
  if (!changed.length) return;
  writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
  log(`   from the registry instead of git (same integrity): ${changed.join(', ')}`);
}

/** ensureVsCodeServer in a child process, so an install (npm, a native rebuild) goes on while the
 *  caller blocks in spawnSync; its output goes to this process's. Await it before any other call
 *  for the same build. */
export function ensureInBackground(build) {
  return callInChild(import.meta.url, `m.ensureVsCodeServer({ build: ${JSON.stringify(build)} })`, `installing the ${build} VS Code server`);
}

/** Lists what is missing or broken in an install; empty when it is complete. */
export function verifyInstall(build, node) {
  const dir = installDir(build);
  const vsc = vscodeDir(dir);
  const pkg = join(dir, 'node_modules', 'code-server', 'package.json');
  if (!existsSync(pkg)) return [`${pkg} missing`];
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  if (version !== build.codeServer) return [`code-server ${version} installed, ${build.codeServer} wanted`];
  const carried = JSON.parse(readFileSync(join(vsc, 'package.json'), 'utf8')).version;
  if (carried !== build.vscode) return [`code-server ${version} carries VS Code ${carried}, not ${build.vscode} as VSCODE_BUILDS says`];
  const problems = [];
  const { native, systemRipgrep } = needs(vsc);
  const files = ['out/server-main.js', 'node_modules.asar', 'extensions/node_modules/typescript/package.json'];
  if (systemRipgrep) files.push('node_modules/@vscode/ripgrep/bin/rg');
  for (const f of files) {
    if (!existsSync(join(vsc, f))) problems.push(`${f} missing`);
  }
  if (problems.length) return problems;
  // Unbuilt, or built for another Node: load each in a child of the build's Node.
  const probe = native.map((m) => `require(${JSON.stringify(m)})`).join(';');
  const r = spawnSync(node.bin, ['-e', probe], { cwd: vsc, encoding: 'utf8' });
  if (r.status !== 0) problems.push(`native modules do not load in Node ${node.version}: ${(r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? r.stderr}`);
  return problems;
}

/** The directory holding include/node/common.gypi for `node`, so node-gyp never downloads headers.
 *  A registry Node carries its headers; the machine's Node has them from its Debian package. */
function nodeHeadersDir(node) {
  const candidates = [node.dir, process.env.npm_config_nodedir, '/usr', '/usr/local'].filter(Boolean);
  const found = candidates.find((d) => existsSync(join(d, 'include', 'node', 'common.gypi')));
  if (found) return found;
  throw new Error(
    `VS Code server install: no Node headers (include/node/common.gypi) under ${candidates.join(', ')}. ` +
      'Install the headers of the running Node (Debian: the nodejs package from NodeSource carries them) or set npm_config_nodedir to their prefix.',
  );
}

function findOnPath(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function forceSymlink(target, path) {
  try {
    if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === target) return;
    unlinkSync(path);
  } catch {
    /* absent */
  }
  symlinkSync(target, path);
}

function run(log, step, cmd, args, cwd, env) {
  log(step);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    const keep = (d) => { out = (out + d).slice(-8000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new Error(`VS Code server install, step "${step}": cannot run ${cmd}: ${e.message}`)));
    child.on('exit', (code) => {
      if (code === 0) {
        log(`   done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        resolve();
      } else {
        reject(new Error(`VS Code server install, step "${step}" failed (exit ${code}) in ${cwd}:\n  ${cmd} ${args.join(' ')}\n${out}\n` +
          'Native rebuilds need python3, make, g++ and the Debian packages libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config.'));
      }
    });
  });
}
