// Starts the VS Code server that vscode-install.mjs installed: headless, on a loopback port, for
// one folder, with a user-data dir of its own and the settings tests and `npm start` need.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.mjs';
import { ensureVsCodeServer } from './vscode-install.mjs';

/**
 * Starts the VS Code server on a loopback port for one folder and waits until it answers.
 * @param {{ folder: string, build?: string, userDataDir?: string, settings?: Record<string, unknown>, env?: Record<string, string>, port?: number }} opts
 */
export async function startVsCodeServer(opts) {
  const { vsc, node, build } = await ensureVsCodeServer({ build: opts.build });
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
    // VS Code 1.139 opens its Chat view in a secondary side bar by default. There is no Copilot
    // here (no marketplace, no sign-in), and the bar would take 300 px from the editor, enough to
    // turn diff editors inline. Older builds ignore both settings.
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...opts.settings,
  };
  writeSettings(join(userDir, 'User', 'settings.json'), settings);

  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(
    node.bin,
    [
      'out/server-main.js', '--host', '127.0.0.1', '--port', String(port), '--without-connection-token',
      '--accept-server-license-terms', '--server-data-dir', dataDir, '--user-data-dir', userDir,
      '--telemetry-level', 'off', '--disable-workspace-trust', '--disable-update-check',
      // VS Code 1.139's built web workbench honours the URL payload's extensionDevelopmentPath
      // and extensionTestsPath only with the smoke-test driver on (`payload && (!isBuilt ||
      // enableSmokeTestDriver)` in its environment service); without it the extension under
      // development silently never loads. 1.96 and 1.100 honour the payload anyway.
      '--enable-smoke-test-driver',
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
    await waitAnswers(url, child, () => output, port);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    port,
    /** The server's process id; its process group holds the extension host too (bench memory). */
    pid: child.pid,
    dataDir,
    folder: opts.folder,
    /** Which VS Code and Node this is: { name, codeServer, vscode, node } */
    build: { ...build, node: node.version },
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

/** Up when it answers and its own output says it listens on `port`: another server started on the
 *  same free port (an MLflow answers /version with a 404) must not pass for it. */
async function waitAnswers(url, child, output, port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`VS Code server exited with ${child.exitCode} before answering:\n${output()}`);
    // It stays up when its port is taken, saying so.
    if (output().includes(`EADDRINUSE: address already in use 127.0.0.1:${port}`)) throw new Error(`VS Code server could not listen on ${port}, which another process holds:\n${output()}`);
    try {
      const r = await fetch(`${url}/version`);
      if (r.status < 500 && output().includes(`listening on ${port}\n`)) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`VS Code server at ${url} did not answer within ${timeoutMs / 1000} s (or never said it listens on ${port}):\n${output()}`);
}
