// The trace panel's real webview bundle (dist/webview.js) in headless Chromium, outside VS Code:
// served over loopback with the panel's own HTML and Content-Security-Policy, with the host side
// played by the real TraceSession (the same code the extension runs) over the same protocol.
// Used by the panel component tests and by bench/panel-render.mjs.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Trace } from '../../src/model/types';
import { panelHtml } from '../../src/panel/html';
import type { HostToWebview, WebviewToHost } from '../../src/contract/protocol';
import type { SpanTable } from '../../src/contract/spanTable';
import type { AttachmentFetch } from '../../src/panel/mediaSource';
import { SearchRunner } from '../../src/panel/searchRunner';
import { TraceSession } from '../../src/panel/session';
import { themeVars, type Theme } from './vscodeTheme';

const root = join(__dirname, '..', '..');

export interface PanelPage {
  page: Page;
  session: TraceSession;
  /** Everything the webview posted, in order. */
  messages: WebviewToHost[];
  /** Console errors, page errors and CSP violations. */
  problems: string[];
  /** Text of every alert/confirm/prompt the page tried to open (an XSS would land here). */
  dialogs: string[];
  /** Posts the trace (again), as the host does on ready and on refresh; resolves when drawn. */
  postTrace(opts?: { focusSpanId?: string; revision?: number; session?: TraceSession }): Promise<{ ms: number }>;
  post(message: HostToWebview): Promise<void>;
  /** Resolves with the next webview message of that method. */
  next(method: string, timeoutMs?: number): Promise<WebviewToHost>;
  close(): Promise<void>;
}

export interface PanelPageOptions {
  theme?: Theme;
  width?: number;
  height?: number;
  /** Post the trace as soon as the webview says it is ready (default true). */
  autoPost?: boolean;
  /** State the webview's getState() returns, as after a reload. */
  savedState?: unknown;
  browser?: Browser;
  /** How the host side fetches MLflow attachments (as the panel host does with its client). */
  attachments?: AttachmentFetch;
  /** Leave the page's requests for span details unanswered (as behind a table still crossing). */
  holdDetails?: boolean;
}

let shared: Promise<Browser> | undefined;
export function launchBrowser(): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: process.env.GT_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  return shared;
}
export async function closeBrowser(): Promise<void> {
  if (shared) await (await shared).close();
  shared = undefined;
}

function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      const origin = `http://${req.headers.host}`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(panelHtml({ cspSource: origin, script: `${origin}/dist/webview.js`, codicons: `${origin}/dist/codicons/codicon.css` }));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = normalize(join(root, url.pathname));
    if (!file.startsWith(join(root, 'dist'))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.ttf') ? 'font/ttf' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs in the page before the bundle: VS Code's webview API and theme, and the host's delivery. */
const INIT_SCRIPT = `function (vars, saved, theme) {
  let state = saved;
  const w = window;
  w.acquireVsCodeApi = () => ({
    postMessage(m) {
      if (m && m.method === 'rendered') m.__t = performance.now() - w.__gtPostedAt;
      w.__gtToHost(m);
    },
    getState: () => state,
    setState(s) { state = s; w.__gtState = s; },
  });
  // Typed arrays arrive as base64 and are rebuilt before posting, as VS Code transfers them.
  w.__gtDeliver = (text, isTrace) => {
    const m = JSON.parse(text, (k, v) => {
      if (v && typeof v === 'object' && typeof v.__ta === 'string') {
        const bytes = Uint8Array.from(atob(v.b64), (c) => c.charCodeAt(0));
        return new globalThis[v.__ta](bytes.buffer);
      }
      return v;
    });
    // First-render time runs from here: the moment the host's message is handed to the page.
    if (isTrace) w.__gtPostedAt = performance.now();
    window.postMessage(m, '*');
  };
  // What VS Code does for every webview: theme variables on <html>, the theme class on <body>.
  const apply = () => {
    for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
    if (document.body) document.body.classList.add('vscode-' + theme);
  };
  if (document.documentElement) apply();
  document.addEventListener('DOMContentLoaded', apply);
  document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
}`;

/** Typed arrays cross page.evaluate as base64 and are rebuilt in the page before posting. */
function encodeMessage(m: HostToWebview): string {
  return JSON.stringify(m, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      return { __ta: v.constructor.name, b64: b.toString('base64') };
    }
    return v;
  });
}

export async function openPanelPage(trace: Trace, opts: PanelPageOptions = {}): Promise<PanelPage> {
  const server = await serve();
  const { port } = server.address() as AddressInfo;
  const browser = opts.browser ?? (await launchBrowser());
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1400, height: opts.height ?? 860 }, colorScheme: opts.theme === 'light' ? 'light' : 'dark' });
  const page = await context.newPage();
  let session = new TraceSession(trace, 'http://127.0.0.1:5000/#/experiments/1/traces/x');
  const messages: WebviewToHost[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  const waiters: { method: string; resolve: (m: WebviewToHost) => void }[] = [];
  let revision = 0;
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  const post = async (m: HostToWebview) => {
    const isTrace = m.kind === 'notification' && m.method === 'trace';
    await page.evaluate(`window.__gtDeliver(${JSON.stringify(encodeMessage(m))}, ${isTrace})`);
  };

  // As the panel runs searches (src/panel/panelHost.ts), reporting progress at every pause.
  const searches = new SearchRunner(new AbortController().signal, (query, fraction, found) => void post({ kind: 'notification', method: 'searchProgress', params: { query, fraction, found } }).catch(() => undefined), 0);
  const answer = async (m: WebviewToHost) => {
    if (m.kind !== 'request' || (opts.holdDetails && m.method === 'spanDetails')) return;
    let reply: HostToWebview;
    try {
      const result =
        m.method === 'spanDetails' ? session.details(m.params.spanId)
        : m.method === 'fullValue' ? session.fullValue(m.params.ref)
        : m.method === 'media' ? await session.media(m.params.ref, opts.attachments)
        : await searches.run(session, m.params.query);
      reply = { kind: 'reply', id: m.id, ok: true, result };
    } catch (e) {
      reply = { kind: 'reply', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    await post(reply).catch(() => undefined);
  };

  await page.exposeBinding('__gtToHost', (_src, m: WebviewToHost) => {
    messages.push(m);
    for (const w of waiters.splice(0)) {
      if (w.method === m.method) w.resolve(m);
      else waiters.push(w);
    }
    if (m.kind === 'request') void answer(m);
    else if (m.method === 'ready' && opts.autoPost !== false) void post({ kind: 'notification', method: 'trace', params: session.payload(++revision) }).catch(() => undefined);
  });
  // Plain script text: a TypeScript function would be transpiled with helpers the page lacks.
  await page.addInitScript(`(${INIT_SCRIPT})(${JSON.stringify(themeVars(opts.theme ?? 'dark'))}, ${JSON.stringify(opts.savedState ?? null)}, ${JSON.stringify(opts.theme ?? 'dark')})`);

  const next = (method: string, timeoutMs = 15_000) =>
    new Promise<WebviewToHost>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no "${method}" message from the webview within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ method, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });

  const firstRender = opts.autoPost !== false ? next('rendered', 60_000) : undefined;
  await page.goto(`http://127.0.0.1:${port}/`);
  if (firstRender) await firstRender;

  return {
    page,
    get session() {
      return session;
    },
    messages,
    problems,
    dialogs,
    post,
    next,
    async postTrace(o = {}) {
      if (o.session) session = o.session;
      const drawn = next('rendered', 60_000);
      await post({ kind: 'notification', method: 'trace', params: session.payload(o.revision ?? ++revision, o.focusSpanId) });
      const m = (await drawn) as unknown as { __t: number };
      return { ms: m.__t };
    },
    async close() {
      await context.close();
      await new Promise((r) => server.close(r));
    },
  } as PanelPage;
}

/** Sizes of a table, for reports. */
export function tableBytes(t: SpanTable): number {
  return [t.parent, t.depth, t.subtreeEnd, t.start, t.end, t.kind, t.status, t.flags, t.model, t.tokens].reduce((n, a) => n + a.byteLength, 0);
}
