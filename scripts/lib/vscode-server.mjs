// A real VS Code server, with no download from the internet: the build that the `code-server` npm
// package carries (4.100.3 = VS Code 1.100.3), installed into `.cache/code-server/` by the recipe
// in FACTS.md, and started headless on a loopback port for tests and `npm start`.
//   ensureVsCodeServer()          installs once (stamp file), later calls only check the stamp
//   startVsCodeServer({ folder }) starts `out/server-main.js` and waits until it answers HTTP
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './mlflow.mjs';
import { root } from './python.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
// The native modules VS Code's server loads; `--ignore-scripts` leaves them unbuilt.
const NATIVE = ['kerberos', 'node-pty', '@parcel/watcher', '@vscode/deviceid', '@vscode/spdlog', 'native-watchdog'];
// What a complete install has, checked when there is no stamp (an install made by hand).
const NATIVE_BINARIES = [
  'node_modules/kerberos/build/Release/kerberos.node',
  'node_modules/node-pty/build/Release/pty.node',
  'node_modules/@vscode/spdlog/build/Release/spdlog.node',
  'node_modules/@vscode/deviceid/build/Release/windows.node',
  'node_modules/native-watchdog/build/Release/watchdog.node',
];

/** Where the server is installed: $GT_VSCODE_SERVER_DIR (for a trial install elsewhere) or `.cache/code-server`. */
export function installDir() {
  return process.env.GT_VSCODE_SERVER_DIR || join(root, '.cache', 'code-server');
}

/** The VS Code build inside an install dir (holds out/server-main.js). */
export function vscodeDir(dir = installDir()) {
  return join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
}

/** The stamp names the version and the Node ABI: native modules built for another Node do not load. */
function stampText() {
  return `code-server ${CODE_SERVER_VERSION} node-abi ${process.versions.modules}\n`;
}

/**
 * Installs the VS Code server unless the stamp says it is there. Idempotent: every step can be re-run.
 * @param {{ dir?: string, log?: (m: string) => void }} [opts]
 * @returns {Promise<string>} the VS Code dir (holding out/server-main.js)
 */
export async function ensureVsCodeServer(opts = {}) {
  const dir = opts.dir ?? installDir();
  const log = opts.log ?? ((m) => process.stderr.write(`[vscode-server] ${m}\n`));
  const vsc = vscodeDir(dir);
  const stamp = join(dir, '.gemini-trace-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === stampText() && existsSync(join(vsc, 'out', 'server-main.js'))) return vsc;

  // An install made by hand (or interrupted after its last step) only needs checking.
  const problems = verifyInstall(dir);
  if (!problems.length) {
    writeFileSync(stamp, stampText());
    log(`found a complete install at ${dir}`);
    return vsc;
  }

  const t0 = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} (VS Code server) into ${dir}; first run only, a few minutes`);
  mkdirSync(dir, { recursive: true });
  // Without a package.json of its own, npm would walk up and install into the repository.
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'gemini-trace-vscode-server', private: true }, null, 2) + '\n');
  const npmEnv = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

  // Its own postinstall refuses root and downloads ripgrep from the internet; the steps below replace it.
  await run(log, '1/5 npm install code-server', 'npm', ['install', '--ignore-scripts', '--save-exact', `code-server@${CODE_SERVER_VERSION}`], dir, npmEnv);
  await run(log, '2/5 npm install (VS Code server dependencies)', 'npm', ['install', '--omit=dev', '--ignore-scripts'], vsc, npmEnv);
  const nodedir = nodeHeadersDir();
  await run(log, `3/5 npm rebuild native modules (headers from ${nodedir})`, 'npm', ['rebuild', ...NATIVE], vsc, {
    ...npmEnv,
    npm_config_nodedir: nodedir,
    npm_config_yes: 'true',
  });
  log('4/5 ripgrep -> system rg, node_modules.asar -> node_modules');
  const rg = findOnPath('rg');
  if (!rg) throw new Error('VS Code server install: ripgrep (rg) is not on PATH. Install it: apt-get install ripgrep');
  mkdirSync(join(vsc, 'node_modules/@vscode/ripgrep/bin'), { recursive: true });
  forceSymlink(rg, join(vsc, 'node_modules/@vscode/ripgrep/bin/rg'));
  forceSymlink('node_modules', join(vsc, 'node_modules.asar'));
  await run(log, '5/5 npm install (built-in extensions dependencies)', 'npm', ['install', '--omit=dev', '--ignore-scripts'], join(vsc, 'extensions'), npmEnv);

  const left = verifyInstall(dir);
  if (left.length) throw new Error(`VS Code server install at ${dir} finished but is incomplete:\n  ${left.join('\n  ')}\nDelete ${dir} and run again.`);
  writeFileSync(stamp, stampText());
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return vsc;
}

/** Lists what is missing or broken in an install; empty when it is complete. */
export function verifyInstall(dir = installDir()) {
  const vsc = vscodeDir(dir);
  const pkg = join(dir, 'node_modules', 'code-server', 'package.json');
  if (!existsSync(pkg)) return [`${pkg} missing`];
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  if (version !== CODE_SERVER_VERSION) return [`code-server ${version} installed, ${CODE_SERVER_VERSION} wanted`];
  const problems = [];
  for (const f of ['out/server-main.js', 'node_modules/@vscode/ripgrep/bin/rg', 'node_modules.asar', 'extensions/node_modules/typescript/package.json', ...NATIVE_BINARIES]) {
    if (!existsSync(join(vsc, f))) problems.push(`${f} missing`);
  }
  if (problems.length) return problems;
  // Built binaries may still be for another Node: load each in a child of this very Node.
  const probe = NATIVE.map((m) => `require(${JSON.stringify(m)})`).join(';');
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: vsc, encoding: 'utf8' });
  if (r.status !== 0) problems.push(`native modules do not load in Node ${process.version}: ${(r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? r.stderr}`);
  return problems;
}

/** The directory holding include/node/common.gypi for the running Node, so node-gyp never downloads headers. */
function nodeHeadersDir() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath)), '/usr', '/usr/local'].filter(Boolean);
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

/**
 * Starts the VS Code server on a loopback port for one folder and waits until it answers.
 * @param {{ folder: string, userDataDir?: string, settings?: Record<string, unknown>, env?: Record<string, string>, port?: number }} opts
 */
export async function startVsCodeServer(opts) {
  const vsc = await ensureVsCodeServer();
  const port = opts.port ?? (await freePort());
  const dataDir = opts.userDataDir ?? mkdtempSync(join(tmpdir(), 'gt-vscode-'));
  const ownsData = !opts.userDataDir;
  const userDir = join(dataDir, 'user');
  mkdirSync(join(userDir, 'User'), { recursive: true });
  const settings = {
    // A trust prompt would block every test (in test mode it is refused outright).
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    // Test workspaces live inside this repository; git's "open the parent repository?" toast would cover the UI.
    'git.openRepositoryInParentFolders': 'never',
    ...opts.settings,
  };
  writeSettings(join(userDir, 'User', 'settings.json'), settings);

  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(
    process.execPath,
    [
      'out/server-main.js', '--host', '127.0.0.1', '--port', String(port), '--without-connection-token',
      '--accept-server-license-terms', '--server-data-dir', dataDir, '--user-data-dir', userDir,
      '--telemetry-level', 'off', '--disable-workspace-trust', '--disable-update-check',
    ],
    // Its own process group, so stop() also ends the extension host, pty host and file watcher.
    // EXTENSIONS_GALLERY={} turns the marketplace off: these machines reach no gallery, and a test
    // bed should not try.
    { cwd: vsc, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...opts.env } },
  );
  const onData = (d) => { output = (output + d).slice(-2_000_000); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const onExit = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.on('exit', onExit);

  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exited;
      clearTimeout(t);
    }
    if (ownsData) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitAnswers(url, child, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    port,
    dataDir,
    folder: opts.folder,
    /** The URL that opens `folder`; `payload` pairs go to the workbench (e.g. extensionDevelopmentPath). */
    workbenchUrl(payload) {
      let u = `${url}/?folder=${encodeURIComponent(opts.folder)}`;
      if (payload?.length) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return u;
    },
    /** A `vscode-remote://` URI for a path on this server, as the workbench payload wants it. */
    remoteUri(path) {
      return `vscode-remote://127.0.0.1:${port}${path}`;
    },
    log: () => output,
    /** The extension host's log files live here (logs/<time>/exthost<N>/<extension id>/<channel>.log). */
    logsDir: join(userDir, 'logs'),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop,
  };
}

/** Writes ours over what a kept user-data dir already holds, so a user's own edits survive restarts. */
function writeSettings(file, settings) {
  let before = {};
  if (existsSync(file)) {
    try {
      before = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // Comments or a half-edited file: keep a copy rather than lose it.
      writeFileSync(`${file}.bak`, readFileSync(file));
    }
  }
  writeFileSync(file, JSON.stringify({ ...before, ...settings }, null, 2));
}

async function waitAnswers(url, child, output, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`VS Code server exited with ${child.exitCode} before answering:\n${output()}`);
    try {
      const r = await fetch(`${url}/version`);
      if (r.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`VS Code server at ${url} did not answer within ${timeoutMs / 1000} s:\n${output()}`);
}
