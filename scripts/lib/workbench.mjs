// The real VS Code workbench in headless Chromium: starts the VS Code server with this extension
// loaded from the repository (the web workbench takes extensionDevelopmentPath in the URL payload;
// the server ignores the --extensionDevelopmentPath flag, as seen with VS Code 1.100) and opens it
// with playwright-core.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './python.mjs';
import { startVsCodeServer } from './vscode-server.mjs';

export const CHROMIUM = process.env.GT_CHROMIUM || '/usr/bin/chromium';
// Chromium as these machines can run it: no sandbox (root in a container), no GPU, nothing that
// reaches the network (no QUIC, background networking, component updates or sync).
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/**
 * A throw-away copy of `examples/`. It lives under the repository's git-ignored `.cache/` so the
 * example apps still resolve `@google/genai` from the repository's node_modules.
 */
export function copyExamples() {
  const base = join(root, '.cache', 'workspaces');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'examples-'));
  cpSync(join(root, 'examples'), dir, { recursive: true });
  return dir;
}

/** The URL payload that loads this repository as a development extension (and optionally runs tests). */
export function extensionPayload(server, extensionTestsPath) {
  const payload = [['extensionDevelopmentPath', server.remoteUri(root)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remoteUri(extensionTestsPath)]);
  return payload;
}

export const EXTENSION_ID = 'gemini-trace-explorer.gemini-trace-explorer';

/**
 * What the extension wrote to its log output channel in this server's extension hosts (the files
 * VS Code keeps under logs/<time>/exthost<N>/<extension id>/); '' before it has activated.
 */
export function extensionLog(server, channel = 'Gemini Trace') {
  if (!existsSync(server.logsDir)) return '';
  let text = '';
  for (const session of readdirSync(server.logsDir)) {
    for (const host of readdirSync(join(server.logsDir, session)).filter((d) => d.startsWith('exthost'))) {
      const file = join(server.logsDir, session, host, EXTENSION_ID, `${channel}.log`);
      if (existsSync(file)) text += readFileSync(file, 'utf8');
    }
  }
  return text;
}

/** Launches Debian's Chromium; Playwright gives every launch a fresh temporary profile (--user-data-dir). */
/** Runs "Gemini Trace: Open Trace by ID" from the command palette and types `traceId` into its
 *  input, leaving the Enter that opens it to the caller (which may time the open from there). */
export async function typeTraceId(page, traceId) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.fill('>Gemini Trace: Open Trace by ID');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Open Trace by ID' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget input[placeholder^="tr-"]').waitFor({ timeout: 15_000 });
  await input.fill(traceId);
}

export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set GT_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens the workbench on `folder` (default: a fresh copy of examples/) with the extension loaded.
 * `testsDone` resolves with the exit code of the extensionTestsPath run, if one was given.
 * @param {{ folder?: string, settings?: Record<string, unknown>, env?: Record<string, string>, extensionTestsPath?: string, port?: number, waitReady?: boolean }} [opts]
 */
export async function openWorkbench(opts = {}) {
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `node scripts/build.mjs` first');
  const ownsFolder = !opts.folder;
  const folder = opts.folder ?? copyExamples();
  const cleanups = [];
  const close = async () => {
    for (const c of cleanups.reverse()) {
      try { await c(); } catch { /* best effort: the rest must still be cleaned */ }
    }
  };
  if (ownsFolder) cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  try {
    const server = await startVsCodeServer({ folder, settings: opts.settings, env: opts.env, port: opts.port });
    cleanups.push(() => server.stop());
    const url = server.workbenchUrl(extensionPayload(server, opts.extensionTestsPath));
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The page's own errors help when the workbench fails to come up.
    const consoleLines = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleLines.push(m.text()); });
    // With extensionTestsPath, the web workbench reports the tests' verdict by calling
    // window.codeAutomationExit(code) once the extension host has settled (as @vscode/test-web does).
    let testsExit;
    const testsDone = new Promise((r) => { testsExit = r; });
    if (opts.extensionTestsPath) await page.exposeFunction('codeAutomationExit', (code) => { testsExit(Number(code)); });
    await page.goto(url);
    if (opts.waitReady !== false) {
      try {
        await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
      } catch (e) {
        throw new Error(`The workbench at ${url} did not come up: ${e instanceof Error ? e.message : e}\nbrowser errors:\n${consoleLines.slice(-10).join('\n')}\nserver log:\n${server.log().slice(-4000)}`);
      }
    }
    return { page, browser, url, folder, server, testsDone, consoleErrors: () => consoleLines.slice(), close };
  } catch (e) {
    await close();
    throw e;
  }
}
