#!/usr/bin/env node
// `npm start`: builds the extension, starts a local MLflow (sqlite store in .mlflow/, kept between
// runs), a Gemini stand-in so the examples run offline, and a VS Code server with the extension
// loaded on the examples/ workspace; prints the URL and runs until Ctrl-C.
//   node scripts/start.mjs [--port P] [--check] [--screenshot FILE]
//     --port P          VS Code on port P (default 8080 if free, else any free port)
//     --check           open the URL in headless Chromium, confirm the extension activates, then stop
//     --screenshot FILE with the check, save a picture of the workbench showing the Traces view
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, startMlflow } from './lib/mlflow.mjs';
import { ensureVenv, root, venvDir } from './lib/python.mjs';
import { ensureVsCodeServer } from './lib/vscode-install.mjs';
import { startVsCodeServer } from './lib/vscode-server.mjs';
import { BROWSER_PACKAGES, ensureSystemPackages, VSCODE_SERVER_PACKAGES } from './lib/system.mjs';
import { extensionLog, extensionPayload, launchChromium } from './lib/workbench.mjs';

const fancy = Boolean(process.stdout.isTTY) && !process.env.CI && !process.env.NO_COLOR;
const bold = (s) => (fancy ? `\x1b[1m${s}\x1b[0m` : s);
const say = (m) => console.log(`[start] ${m}`);

function parseArgs(argv) {
  const out = { check: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--port') {
      out.port = Number(value());
      if (!Number.isInteger(out.port) || out.port <= 0 || out.port > 65535) throw new Error('--port needs a port number, e.g. --port 8080');
    } else if (flag === '--check') out.check = true;
    else if (flag === '--screenshot') {
      out.screenshot = value();
      if (!out.screenshot) throw new Error('--screenshot needs a file name');
      out.check = true;
    } else throw new Error(`unknown option ${argv[i]}; usage: node scripts/start.mjs [--port P] [--check] [--screenshot FILE]`);
  }
  return out;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The stand-in as its own process (its first stdout line names its URL); ends when we close its stdin. */
async function startStandin(cli) {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [cli], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the Gemini stand-in printed no URL within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the Gemini stand-in exited with ${code} before printing its URL`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(t);
      const m = /^GEMINI_STANDIN_URL=(\S+)/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from the Gemini stand-in: ${line}`));
    });
  });
  child.stdout.resume();
  return {
    url,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** Opens the URL as a user would, clicks the Gemini Traces item, and waits for the extension's "active" log line. */
async function checkInChromium(server, url, screenshot) {
  const t0 = Date.now();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const item = page.locator('.part.activitybar').getByRole('tab', { name: 'Gemini Traces' });
    await item.waitFor({ state: 'visible', timeout: 90_000 });
    await item.click();
    await page.locator('.part.sidebar [id="workbench.view.extension.geminiTrace"]').waitFor({ state: 'visible', timeout: 30_000 });
    const deadline = Date.now() + 60_000;
    let line;
    while (!(line = /Gemini Trace Explorer .* active.*/.exec(extensionLog(server))?.[0]) && Date.now() < deadline) await page.waitForTimeout(250);
    if (!line) throw new Error(`the extension did not log its activation within 60 s; server log:\n${server.log().slice(-3000)}`);
    await page.getByText('Activating Extensions').waitFor({ state: 'hidden', timeout: 60_000 });
    // Let the view settle past its first "Connecting…" for the picture (not a failure if it stays).
    await page.getByText('Connecting to the MLflow tracking server').waitFor({ state: 'hidden', timeout: 20_000 }).catch(() => undefined);
    if (screenshot) {
      await page.mouse.move(700, 450);
      await page.waitForTimeout(500);
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
    }
    say(`check: the workbench loaded and the extension is active in ${((Date.now() - t0) / 1000).toFixed(1)} s ("${line.trim()}")${screenshot ? `; screenshot ${screenshot}` : ''}`);
  } finally {
    await browser.close();
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const stops = [];
  let stopping;
  const shutdown = (code) => {
    stopping ??= (async () => {
      say('stopping…');
      for (const s of stops.reverse()) {
        try { await s(); } catch (e) { console.error(`[start] while stopping: ${e instanceof Error ? e.message : e}`); }
      }
      say('stopped');
      process.exit(code);
    })();
    return stopping;
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void shutdown(0));

  try {
    // A fresh machine has none of these; the browser is only for --check (a user opens the URL in their own).
    ensureSystemPackages(args.check ? [...VSCODE_SERVER_PACKAGES, ...BROWSER_PACKAGES] : VSCODE_SERVER_PACKAGES);
    say('building the extension');
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error(`the build failed (exit ${build.status}); see above`);
    ensureVenv();

    const mlflowPort = (await portIsFree(5000)) ? 5000 : await freePort();
    if (mlflowPort !== 5000) say(`port 5000 is taken; MLflow uses ${mlflowPort}`);
    const dataDir = join(root, '.mlflow');
    say(`starting MLflow (store ${relative(root, dataDir)}/)`);
    const mlflow = await startMlflow({ dataDir, port: mlflowPort, keepData: true, store: 'sqlite' });
    stops.push(() => mlflow.stop());

    await ensureVsCodeServer();
    const env = { PATH: `${join(venvDir, 'bin')}${delimiter}${process.env.PATH ?? ''}` };
    let standin;
    const standinCli = join(root, 'test', 'fixtures', 'gemini', 'cli.ts');
    if (existsSync(standinCli)) {
      standin = await startStandin(standinCli);
      stops.push(() => standin.stop());
      // Terminals and debug sessions inherit these, so the examples call the stand-in, not Google.
      Object.assign(env, { GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: 'test-key' });
    }

    let port = args.port;
    if (port && !(await portIsFree(port))) throw new Error(`port ${port} is in use: pick another with --port`);
    port ??= (await portIsFree(8080)) ? 8080 : await freePort();
    say('starting the VS Code server');
    const server = await startVsCodeServer({
      folder: join(root, 'examples'),
      // Kept between runs, so the workbench's state and the user's settings survive a restart.
      userDataDir: join(root, '.cache', 'vscode-start'),
      settings: { 'geminiTrace.trackingUri': mlflow.url },
      env,
      port,
    });
    stops.unshift(() => server.stop()); // first to go: it holds the extension host
    const url = server.workbenchUrl(extensionPayload(server));

    const rule = '─'.repeat(72);
    console.log(`\n${rule}\n${bold('Gemini Trace Explorer is running')} (ready in ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    console.log(`  Open VS Code:  ${bold(url)}  (VS Code ${server.build.vscode} on Node ${server.build.node})\n`);
    console.log(`  MLflow:        ${mlflow.url}  (store ${relative(root, dataDir)}/, log ${relative(root, mlflow.logFile)}, UI in the browser)`);
    console.log(standin ? `  Gemini:        ${standin.url}  (local stand-in; the examples run offline)` : '  Gemini:        the real API (no stand-in found): set GEMINI_API_KEY');
    console.log(`  Workspace:     examples/  (Run and Debug → "Node app (traced)", then the Gemini Traces icon)`);
    console.log(`\n  ${args.check ? 'Checking it in headless Chromium…' : 'Press Ctrl-C to stop.'}\n${rule}\n`);

    if (args.check) {
      await checkInChromium(server, url, args.screenshot);
      return shutdown(0);
    }
    // Anything that dies under us takes the session down with a message, not a silent hang.
    setInterval(() => {
      if (stopping) return;
      if (server.exited()) { console.error(`[start] the VS Code server exited:\n${server.log().slice(-3000)}`); void shutdown(1); }
      else if (standin?.exited()) { console.error('[start] the Gemini stand-in exited'); void shutdown(1); }
    }, 2000);
  } catch (e) {
    console.error(`[start] ${e instanceof Error ? e.message : e}`);
    await shutdown(1);
  }
}

await main();
