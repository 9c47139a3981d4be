// Security inside the real VS Code against a real MLflow:
//  1. Credentials. A Bearer token, then a Basic password, each with a distinctive value, are set
//     through the extension's credential store (the one its "Set MLflow Credentials…" command
//     writes) for a recording proxy in front of MLflow. With each, the tree is walked, refreshed,
//     a trace panel opened and a traced Node app launched. The proxy proves the secrets were
//     really sent; then the extension's log, the extension host's log, every settings file,
//     every trace written during the session (read back over REST), the panels' HTML and every
//     message posted to them, and globalState/workspaceState are searched: none holds a secret.
//     SecretStorage does.
//  2. CSP. The HTML of every webview panel the extension created: a strict policy with a nonce
//     on every script, nothing inline, nothing remote, and the panel really renders under it.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionImpl } from '../../src/connection/connection';
import { secretKey } from '../../src/connection/credentials';
import type { ExplorerHooks } from '../../src/explorer/register';
import type { Node, TraceNode } from '../../src/explorer/nodes';
import type { Services } from '../../src/core/services';
import { startDelayProxy, type DelayProxy } from '../fixtures/faults/servers';
import type { Standin } from '../fixtures/gemini/standin';
import { spyOnWebviewPanels, extensionHostLogFile, extensionLogFile, note, readExtensionLog, type PanelSpy } from '../helpers/hostSpy';
import { closeAllEditors, hostStandin, getExtension, getServices, mlflowUrl, waitFor, undoAll, withSetting, workspaceDir, getTestApi } from '../helpers/vscode';
import { createExperiment, postTraces } from '../../bench/lib/otlp.mjs';

const tag = Math.random().toString(36).slice(2, 10);
const TOKEN = `gtBearerSecret-${tag}-7f3a`;
const USER = 'gt-security-user';
const PASSWORD = `gtBasicSecret-${tag}-c91e`;
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS = { token: TOKEN, password: PASSWORD, 'basic header': BASIC };

type Rest = <T>(p: string, body?: unknown) => Promise<T>;
/** Straight to the real MLflow, not through the extension or the proxy. */
const rest: Rest = async <T>(p: string, body?: unknown) => {
  const r = await fetch(`${mlflowUrl()}${p}`, { method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (!r.ok) throw new Error(`${p} -> ${r.status} ${(await r.text()).slice(0, 300)}`);
  return (await r.json()) as T;
};

async function traceIds(expId: string): Promise<string[]> {
  const r = await rest<{ traces?: { trace_id: string }[] }>('/api/3.0/mlflow/traces/search', {
    locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: expId } }],
    max_results: 500,
  });
  return (r.traces ?? []).map((t) => t.trace_id);
}

/** Files named `name` under `dir`, skipping installed extensions and logs. */
function findFiles(dir: string, name: string, depth = 5): string[] {
  if (depth < 0 || !existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && !['extensions', 'logs', 'node_modules', 'CachedExtensionVSIXs'].includes(e.name)) out.push(...findFiles(path.join(dir, e.name), name, depth - 1));
    else if (e.isFile() && e.name === name) out.push(path.join(dir, e.name));
  }
  return out;
}

/** Which secrets `text` holds, by name. */
function leaks(text: string): string[] {
  return Object.entries(SECRETS).filter(([, v]) => text.includes(v)).map(([k]) => k);
}

/** Every directive of a CSP, with its sources. */
function parseCsp(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of csp.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [name, ...sources] = d.split(/\s+/);
    out.set(name.toLowerCase(), sources);
  }
  return out;
}

const decodeAttr = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `https://*.vscode-cdn.net` matches `https://file+.vscode-resource.vscode-cdn.net/x`. */
function sourceMatches(source: string, url: string): boolean {
  if (source === "'self'") return false; // a webview's own origin never serves our files
  const re = new RegExp(`^${source.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(?:/|$)`, 'i');
  return re.test(url);
}

describe('security: secrets stay in SecretStorage; panels run under a strict CSP', function () {
  this.timeout(300_000);
  let services: Services;
  let connection: ConnectionImpl;
  let hooks: ExplorerHooks;
  let proxy: DelayProxy;
  let standin: Standin;
  let spy: PanelSpy;
  let expName: string;
  let expId: string;
  const seeded: string[] = [];
  const restore: (() => Thenable<void> | void)[] = [];

  const children = (n?: Node) => hooks.provider.getChildren(n);

  /** Walks experiment › run › trace › spans for our experiment, as the view does when expanded. */
  async function walkTree(): Promise<TraceNode[]> {
    const roots = await children();
    const exp = roots.find((n) => n.kind === 'experiment' && (n as { experimentId?: string }).experimentId === expId);
    assert.ok(exp, `experiment ${expName} is not in the tree (state ${services.connection.state}: ${services.connection.lastError ?? ''})`);
    const traces: TraceNode[] = [];
    for (const run of await children(exp)) {
      for (const t of await children(run)) {
        if (t.kind !== 'trace') continue;
        traces.push(t as TraceNode);
        for (const s of await children(t)) hooks.provider.getTreeItem(s);
      }
    }
    return traces;
  }

  /** Launches the fixture app traced (as "Run Without Debugging" does) and waits for its trace. */
  async function runTracedApp(prompt: string): Promise<string> {
    const before = await traceIds(expId);
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession(() => {
        sub.dispose();
        resolve();
      });
    });
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'pwa-node', request: 'launch', name: `security ${prompt}`,
      program: path.join(getExtension().extensionPath, 'test', 'fixtures', 'launch', 'hello.cjs'), args: [prompt],
      geminiTrace: { experiment: expName },
    }, { noDebug: true });
    assert.equal(started, true, 'the traced launch did not start');
    await ended;
    return waitFor(async () => (await traceIds(expId)).find((t) => !before.includes(t)), 45_000, `the trace of the app run "${prompt}"`);
  }

  /** One working session: refresh, the whole tree, a trace panel, a traced app. */
  async function session(label: string, openTraceId: string): Promise<string> {
    await vscode.commands.executeCommand('geminiTrace.refresh');
    await waitFor(() => services.connection.state === 'up', 20_000, `the connection to come up (${label})`);
    const shown = await walkTree();
    assert.ok(shown.length >= seeded.length, `${label}: only ${shown.length} traces in the tree`);
    const before = spy.panels.length;
    await vscode.commands.executeCommand('geminiTrace.openTrace', { traceId: openTraceId, experimentId: expId });
    const p = await waitFor(() => spy.panels.slice(before).find((c) => c.viewType === 'geminiTrace.trace'), 10_000, `${label}: a trace panel`);
    await waitFor(() => p.posted.some((m) => (m as { method?: string }).method === 'trace'), 30_000, `${label}: the trace posted to the panel`);
    return runTracedApp(`${label} app run`);
  }

  before(async () => {
    services = await getServices();
    connection = services.connection as ConnectionImpl;
    hooks = (await getTestApi()).explorer!;
    assert.ok(hooks?.provider, 'the explorer did not register its test hooks');
    spy = spyOnWebviewPanels();
    restore.push(() => spy.dispose());
    // Every debug line too (requests and their URLs), so the log search has something to search.
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
    await waitFor(() => services.log.logLevel <= vscode.LogLevel.Debug, 5000, 'the extension log at debug level');

    standin = await hostStandin();
    standin.reset();
    proxy = await startDelayProxy(mlflowUrl(), 0);
    restore.push(() => proxy.close());

    expName = `security-it-${tag}`;
    expId = await createExperiment(mlflowUrl(), expName);
    const now = Date.now();
    seeded.push(...(await postTraces(mlflowUrl(), expId, [
      { startMs: now - 30_000, runId: 'sec-run', runName: 'security.js', prompt: 'first seeded call' },
      { startMs: now - 20_000, runId: 'sec-run', runName: 'security.js', prompt: 'second seeded call' },
    ])));
    const ids = await waitFor(async () => ((await traceIds(expId)).length >= 2 ? traceIds(expId) : undefined), 15_000, 'the seeded traces');
    seeded.splice(0, seeded.length, ...ids);
    restore.push(await withSetting('geminiTrace', 'experiment', expName));
    restore.push(await withSetting('geminiTrace', 'trackingUri', proxy.url));
    restore.push(() => connection.credentials.clear(proxy.url));
    await waitFor(() => services.connection.trackingUri === proxy.url, 5000, 'the tracking URI to be the proxy');
  });

  after(async () => {
    await undoAll(restore, note);
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'info');
    await closeAllEditors();
  });

  it('uses a Bearer token and a Basic password, keeps them in SecretStorage, and leaks neither anywhere', async () => {
    // --- Bearer ---
    await connection.credentials.set(proxy.url, { kind: 'bearer', token: TOKEN });
    await waitFor(async () => (await services.connection.injectionEnv()).MLFLOW_TRACKING_TOKEN === TOKEN, 5000, 'the Bearer token in use');
    assert.match((await services.context.secrets.get(secretKey(proxy.url))) ?? '', new RegExp(TOKEN), 'the token is not in SecretStorage');
    const mark1 = proxy.seen.length;
    const appTrace1 = await session('bearer', seeded[0]);
    const bearerSeen = proxy.seen.slice(mark1);
    const bearerApi = bearerSeen.filter((s) => s.url.startsWith('/api/') || s.url.startsWith('/ajax-api/'));
    const bearerOtlp = bearerSeen.filter((s) => s.url.startsWith('/v1/traces'));
    const bare = (seen: typeof bearerSeen, header: string) => seen.filter((s) => s.headers.authorization !== header).map((s) => `${s.method ?? ''} ${s.url} (${s.headers.authorization ? 'other auth' : 'no auth'})`).join('; ');
    assert.ok(bearerApi.length > 0 && bearerApi.every((s) => s.headers.authorization === `Bearer ${TOKEN}`), `the extension's requests did not all carry the token (${bearerApi.length} requests; without it: ${bare(bearerApi, `Bearer ${TOKEN}`)})`);
    assert.ok(bearerOtlp.length > 0 && bearerOtlp.every((s) => s.headers.authorization === `Bearer ${TOKEN}`), `the traced app's exports did not carry the token (${bearerOtlp.length} exports)`);

    // --- Basic ---
    await connection.credentials.set(proxy.url, { kind: 'basic', username: USER, password: PASSWORD });
    await waitFor(async () => (await services.connection.injectionEnv()).MLFLOW_TRACKING_PASSWORD === PASSWORD, 5000, 'the Basic password in use');
    assert.match((await services.context.secrets.get(secretKey(proxy.url))) ?? '', new RegExp(PASSWORD), 'the password is not in SecretStorage');
    const mark2 = proxy.seen.length;
    const appTrace2 = await session('basic', seeded[1]);
    const basicSeen = proxy.seen.slice(mark2);
    const basicApi = basicSeen.filter((s) => s.url.startsWith('/api/') || s.url.startsWith('/ajax-api/'));
    assert.ok(basicApi.length > 0 && basicApi.every((s) => s.headers.authorization === `Basic ${BASIC}`), 'the extension\'s requests did not all carry the Basic header');
    assert.ok(basicSeen.some((s) => s.url.startsWith('/v1/traces') && s.headers.authorization === `Basic ${BASIC}`), 'the traced app\'s exports did not carry the Basic header');
    note(`proxy saw ${bearerSeen.length} requests with the Bearer token and ${basicSeen.length} with Basic auth`);

    // --- where the secrets must not be ---
    const found: string[] = [];
    const check = (where: string, text: string) => {
      const l = leaks(text);
      if (l.length) found.push(`${where}: ${l.join(', ')}`);
    };

    // The extension's log, which must have been writing (debug level: every request).
    const log = await waitFor(() => {
      const t = readExtensionLog(services);
      return /mlflow\/traces\/search/.test(t) && t.includes('credentials changed') ? t : undefined;
    }, 15_000, `request and credential lines in ${extensionLogFile(services)}`).catch((e: Error) => {
      throw new Error(`${e.message}; the log holds:\n${readExtensionLog(services).slice(-3000)}`);
    });
    check('extension log', log);
    const hostLog = extensionHostLogFile(services);
    if (existsSync(hostLog)) check('extension host log', readFileSync(hostLog, 'utf8'));

    // Settings: every settings.json of this server (user, machine, …; user settings live two
    // levels above globalStorage) and the workspace's .vscode files.
    const userSettings = path.join(path.dirname(path.dirname(services.context.globalStorageUri.fsPath)), 'settings.json');
    assert.ok(existsSync(userSettings), `no user settings at ${userSettings}`);
    assert.match(readFileSync(userSettings, 'utf8'), new RegExp(proxy.url.replace(/[.:/]/g, '\\$&')), 'the user settings file is not the one the session wrote');
    const serverData = path.resolve(userSettings, '..', '..', '..');
    const settingsFiles = [...findFiles(serverData, 'settings.json'), ...['settings.json', 'launch.json'].map((f) => path.join(workspaceDir(), '.vscode', f)).filter(existsSync)];
    assert.ok(settingsFiles.includes(userSettings), `the search under ${serverData} missed ${userSettings}`);
    for (const f of settingsFiles) check(f, readFileSync(f, 'utf8'));

    // Every trace of the experiment, spans and all, as MLflow serves them.
    const all = await traceIds(expId);
    assert.ok(all.includes(appTrace1) && all.includes(appTrace2), 'the app traces are not in MLflow');
    for (const id of all) {
      check(`trace ${id}`, JSON.stringify(await rest(`/api/3.0/mlflow/traces/get?trace_id=${id}`)));
      check(`trace ${id} info`, JSON.stringify(await rest(`/api/3.0/mlflow/traces/${id}`)));
    }

    // The panels: HTML, and everything the host sent them (the webview's whole state comes from these).
    assert.ok(spy.panels.length >= 2, `only ${spy.panels.length} panels were observed`);
    for (const p of spy.panels) {
      let html = '';
      try {
        html = p.panel.webview.html;
      } catch {
        /* disposed */
      }
      check(`panel ${p.panel.title} HTML`, html);
      check(`panel ${p.panel.title} messages`, JSON.stringify(p.posted, (_k, v: unknown) => (ArrayBuffer.isView(v) ? undefined : v)));
    }

    // Memento state.
    for (const [name, memento] of [['globalState', services.context.globalState], ['workspaceState', services.context.workspaceState]] as const) {
      for (const k of memento.keys()) check(`${name}.${k}`, `${k}=${JSON.stringify(memento.get(k))}`);
    }
    // The files SecretStorage and mementos persist to, where this server keeps any.
    const storage = [services.context.globalStorageUri.fsPath, services.context.storageUri?.fsPath].filter((p): p is string => !!p && existsSync(p));
    for (const dir of storage) for (const f of readdirSync(dir)) check(`${dir}/${f}`, readFileSync(path.join(dir, f)).toString('latin1'));

    assert.deepEqual(found, [], `secrets leaked:\n${found.join('\n')}`);
    note(`searched ${all.length} traces, ${spy.panels.length} panels, ${settingsFiles.length} settings files, ${log.length} B of extension log: no secret`);
  });

  it('serves every trace panel under a strict CSP with a fresh nonce on each script', async () => {
    const panels = spy.panels.filter((p) => p.viewType === 'geminiTrace.trace');
    assert.ok(panels.length >= 2, `only ${panels.length} trace panels were opened`);
    const nonces = new Set<string>();
    for (const { panel } of panels) {
      const html = panel.webview.html;
      const cspSources = panel.webview.cspSource.split(/\s+/).filter(Boolean);
      const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
      assert.equal(metas.length, 1, 'exactly one CSP meta tag');
      const csp = parseCsp(decodeAttr(metas[0][1]));
      assert.deepEqual(csp.get('default-src'), ["'none'"], "default-src 'none'");
      const script = csp.get('script-src');
      assert.ok(script?.length, 'a script-src');
      const nonceSources = script.filter((s) => /^'nonce-[A-Za-z0-9+/_=-]{16,}'$/.test(s));
      assert.equal(nonceSources.length, 1, `one nonce in script-src: ${script.join(' ')}`);
      const nonce = nonceSources[0].slice("'nonce-".length, -1);
      for (const [name, sources] of csp) {
        for (const s of sources) {
          assert.ok(!/^'unsafe-(inline|eval|hashes)'$|^'wasm-unsafe-eval'$/i.test(s), `${name} allows ${s}`);
          // data: only for images and audio, which the host builds from the trace's own bytes.
          const dataForMedia = s.toLowerCase() === 'data:' && (name === 'img-src' || name === 'media-src');
          assert.ok(s !== '*' && (dataForMedia || !/^(https?|data|blob|filesystem|ws|wss):$/i.test(s)), `${name} allows any ${s} source`);
          // Any host source must be the webview's own resource origin.
          if (/^(https?:)?\/\/|^[\w.-]+\.[a-z]{2,}(:\d+)?(\/|$)|^\*\./i.test(s)) assert.ok(cspSources.includes(s), `${name} allows the remote source ${s} (cspSource is ${panel.webview.cspSource})`);
        }
      }
      assert.ok(!script.includes("'self'") || cspSources.includes("'self'"), "script-src 'self'");

      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
      assert.ok(scripts.length >= 1, 'the panel loads a script');
      assert.equal(scripts.length, (html.match(/<script\b/gi) ?? []).length, 'every <script> is closed');
      for (const [, attrs, body] of scripts) {
        assert.equal(/\bnonce="([^"]*)"/.exec(attrs)?.[1], nonce, `a script without the CSP's nonce: <script${attrs}>`);
        assert.equal(body.trim(), '', 'an inline script');
        const src = /\bsrc="([^"]*)"/.exec(attrs)?.[1];
        assert.ok(src && cspSources.some((c) => sourceMatches(c, decodeAttr(src))), `script from ${src}, outside ${panel.webview.cspSource}`);
      }
      for (const [, url] of html.matchAll(/\b(?:src|href)="([^"]*)"/gi)) {
        assert.ok(cspSources.some((c) => sourceMatches(c, decodeAttr(url))), `a resource outside the webview's origin: ${url}`);
      }
      assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'an inline event handler');
      assert.doesNotMatch(html, /javascript:/i, 'a javascript: URL');

      const opts = panel.webview.options;
      assert.equal(opts.enableCommandUris ?? false, false, 'command: links are enabled in the panel');
      const roots = (opts.localResourceRoots ?? []).map((u) => path.relative(services.context.extensionUri.fsPath, u.fsPath)).sort();
      assert.deepEqual(roots, ['dist', 'media'], 'localResourceRoots beyond dist/ and media/');
      assert.ok(!nonces.has(nonce), 'two panels share a nonce');
      nonces.add(nonce);
    }
    // The panels really ran under that policy: the webview script loaded and reported a draw.
    const drew = await waitFor(() => /trace panel tr-[0-9a-f]+: drew \d+ spans/.exec(readExtensionLog(services))?.[0], 30_000, 'a panel to report that it drew its trace');
    note(`${panels.length} panels checked; webview reported "${drew}"`);
  });
});
