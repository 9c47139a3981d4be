// Faults inside the real VS Code: the tracking URI pointed at a closed port, at servers that
// answer 500, 401, 404 or an HTML page to everything, and at a proxy that adds 5 s to every
// response of a real MLflow. The connection must name the server and the fix, nothing may escape
// unhandled (Node's own rejection/exception events, and the extension host's log), commands must
// hand control back at once, and activation must do no network and take under a second.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExplorerHooks } from '../../src/explorer/register';
import type { Node } from '../../src/explorer/nodes';
import type { ConnectionState, Services } from '../../src/core/services';
import { closedPort, startDelayProxy, startFaultServer, type DelayProxy, type FaultKind } from '../fixtures/faults/servers';
import { hostLogMark, hostLogSince, note, ourHostErrors, spyOnWebviewPanels } from '../helpers/hostSpy';
import { closeAllEditors, EXTENSION_ID, getExtension, getServices, mlflowUrl, waitFor, withSetting, getTestApi } from '../helpers/vscode';
import { createExperiment, postTraces } from '../../bench/lib/otlp.mjs';

const DELAY_MS = 5000;

const escaped: { kind: string; error: unknown }[] = [];
const onRejection = (error: unknown) => escaped.push({ kind: 'unhandledRejection', error });
const onException = (error: unknown) => escaped.push({ kind: 'uncaughtException', error });

/** How far the extension host's event loop fell behind its timers while `work` ran. */
async function maxLoopLag<T>(work: () => Promise<T>): Promise<{ result: T; lagMs: number }> {
  let lag = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 20);
    last = now;
  }, 20);
  try {
    return { result: await work(), lagMs: lag };
  } finally {
    clearInterval(tick);
  }
}

describe('faults: MLflow unreachable, failing, or slow', function () {
  this.timeout(240_000);
  let services: Services;
  let hooks: ExplorerHooks;
  let proxy: DelayProxy;
  let logMark = 0;
  let activation: { ms: number; requests: number } | undefined;
  const restore: (() => Promise<void> | void)[] = [];

  before(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    restore.push(() => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    });
    proxy = await startDelayProxy(mlflowUrl(), DELAY_MS);
    restore.push(() => proxy.close());
    // Pointed at the slow proxy before the extension activates, so any request activation made
    // would show in the proxy's record (and would have to wait 5 s).
    restore.push(await withSetting('geminiTrace', 'trackingUri', proxy.url));
    // Activation can only be timed if nothing (an earlier test file) has activated us yet.
    if (vscode.extensions.getExtension(EXTENSION_ID)?.isActive === false) {
      const t0 = performance.now();
      services = (await getTestApi()).services;
      const t1 = Date.now();
      activation = { ms: performance.now() - t0, requests: proxy.seen.filter((s) => s.at <= t1).length };
    }
    services = await getServices();
    logMark = hostLogMark(services);
    hooks = (await getTestApi()).explorer!;
    assert.ok(hooks?.provider, 'the explorer did not register its test hooks');
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
    await closeAllEditors();
  });

  it('activates in under a second without a single request, even with MLflow 5 s away', function () {
    if (!activation) {
      note('skipped: another test file activated the extension first (run this file alone to time activation)');
      this.skip();
    }
    note(`activation took ${activation.ms.toFixed(0)} ms; ${activation.requests} request(s) reached the server meanwhile`);
    assert.equal(activation.requests, 0, 'activation sent a request to MLflow');
    assert.ok(activation.ms < 1000, `activation took ${activation.ms.toFixed(0)} ms`);
  });

  /**
   * Points the extension at `uri`, refreshes as the user would and asks for the tree as the view
   * does, then waits for the connection to settle. The setting is restored afterwards.
   */
  async function pointAt(uri: string): Promise<{ state: ConnectionState; lastError: string | undefined; roots: Node[]; refreshMs: number }> {
    const undo = await withSetting('geminiTrace', 'trackingUri', uri);
    try {
      await waitFor(() => services.connection.trackingUri === uri, 5000, `the tracking URI to become ${uri}`);
      const t0 = performance.now();
      await vscode.commands.executeCommand('geminiTrace.refresh');
      const refreshMs = performance.now() - t0;
      const roots = await hooks.provider.getChildren();
      await waitFor(() => services.connection.state !== 'connecting', 20_000, `the connection to ${uri} to settle`);
      return { state: services.connection.state, lastError: services.connection.lastError, roots, refreshMs };
    } finally {
      await undo();
    }
  }

  /** The tree offers no trace rows, only the welcome view (empty) or rows that explain the error. */
  function assertErrorTree(roots: Node[], uri: string): void {
    for (const n of roots) {
      assert.equal(n.kind, 'message', `a ${n.kind} row from a failing server`);
      const item = hooks.provider.getTreeItem(n);
      assert.match(String(typeof item.label === 'string' ? item.label : item.label?.label), new RegExp(uri.replace(/[.:/]/g, '\\$&')));
    }
  }

  it('(a) a closed port: "down", naming the server and how to start one', async () => {
    const port = await closedPort();
    const uri = `http://127.0.0.1:${port}`;
    const r = await pointAt(uri);
    note(`closed port → ${r.state}: ${r.lastError}`);
    assert.equal(r.state, 'down');
    assert.ok(r.lastError?.includes(uri), `the message does not name ${uri}: ${r.lastError}`);
    assert.match(r.lastError!, new RegExp(`mlflow server --host 127\\.0\\.0\\.1 --port ${port}|Start Local MLflow Server`));
    assertErrorTree(r.roots, uri);
  });

  const cases: { kind: FaultKind; state: ConnectionState; says: RegExp; fix: RegExp }[] = [
    { kind: '500', state: 'down', says: /500/, fix: /server's log|try again/i },
    { kind: '401', state: 'unauthorized', says: /401|authenticat/i, fix: /Set MLflow Credentials|MLFLOW_TRACKING_TOKEN/ },
    { kind: '404', state: 'down', says: /404|no endpoint/i, fix: /tracking URI|Set MLflow Server URL/ },
    { kind: 'html', state: 'down', says: /HTML/, fix: /tracking URI|Set MLflow Server URL/ },
  ];
  for (const c of cases) {
    it(`(${c.kind === '500' ? 'b' : c.kind === '401' ? 'c' : c.kind === '404' ? 'd' : 'e'}) a server answering ${c.kind === 'html' ? 'an HTML page' : c.kind} to everything: "${c.state}", naming the server and the fix`, async () => {
      const server = await startFaultServer(c.kind);
      try {
        const r = await pointAt(server.url);
        note(`${c.kind} → ${r.state}: ${r.lastError}`);
        assert.ok(server.seen.length > 0, 'the extension never asked the server');
        assert.equal(r.state, c.state, `state for ${c.kind}: ${r.state} (${r.lastError})`);
        assert.ok(r.lastError?.includes(server.url), `the message does not name ${server.url}: ${r.lastError}`);
        assert.match(r.lastError!, c.says);
        assert.match(r.lastError!, c.fix);
        assertErrorTree(r.roots, server.url);
      } finally {
        await server.close();
      }
    });
  }

  it('(f) MLflow behind a 5 s delay: refresh and open return at once, the host never stalls, the tree arrives', async () => {
    const expName = `faults-slow-${Date.now().toString(36)}`;
    const expId = await createExperiment(mlflowUrl(), expName);
    const [otelId] = await postTraces(mlflowUrl(), expId, [{ startMs: Date.now() - 1000, runId: 'slow-run', runName: 'slow.js', prompt: 'slow server' }]);
    const undoExp = await withSetting('geminiTrace', 'experiment', expName);
    try {
      await waitFor(() => services.connection.trackingUri === proxy.url, 5000, 'the tracking URI to be the slow proxy');
      const { result, lagMs } = await maxLoopLag(async () => {
        const t0 = performance.now();
        await vscode.commands.executeCommand('geminiTrace.refresh');
        const refreshMs = performance.now() - t0;
        const tree = hooks.provider.getChildren(); // what the view asks for; VS Code shows its progress
        const t1 = performance.now();
        await vscode.commands.executeCommand('geminiTrace.openTrace', { traceId: `tr-${otelId}`, experimentId: expId });
        const openMs = performance.now() - t1;
        const t2 = performance.now();
        const roots = await tree;
        return { refreshMs, openMs, treeMs: performance.now() - t2 + (t1 - t0), roots };
      });
      note(`behind ${DELAY_MS} ms: refresh returned in ${result.refreshMs.toFixed(0)} ms, open in ${result.openMs.toFixed(0)} ms; ` +
        `the tree's first level came after ${(result.treeMs / 1000).toFixed(1)} s; worst event-loop stall ${lagMs.toFixed(0)} ms`);
      assert.ok(result.refreshMs < 1000, `refresh held the caller for ${result.refreshMs.toFixed(0)} ms`);
      assert.ok(result.openMs < 1000, `open trace held the caller for ${result.openMs.toFixed(0)} ms`);
      assert.ok(lagMs < 500, `the extension host's event loop stalled ${lagMs.toFixed(0)} ms`);
      assert.ok(result.treeMs >= DELAY_MS * 0.9, 'the tree came back faster than the proxy allows: did the request go around it?');
      assert.ok(result.roots.some((n) => n.kind === 'experiment'), `no experiments once the slow server answered (${services.connection.state}: ${services.connection.lastError})`);
      await waitFor(() => services.connection.state === 'up', 20_000, 'the connection to be up through the slow proxy');
    } finally {
      await undoExp();
    }
  });

  it('(g) switching servers while the slow one is still answering: its late answer does not mark the new one up', async () => {
    await waitFor(() => services.connection.trackingUri === proxy.url, 5000, 'the tracking URI to be the slow proxy');
    hooks.provider.reload();
    const slow = hooks.provider.getChildren(); // held 5 s by the proxy
    await waitFor(() => proxy.seen.some((s) => Date.now() - s.at < 1000), 5000, 'a request in flight to the slow proxy');
    const port = await closedPort();
    const dead = `http://127.0.0.1:${port}`;
    const undo = await withSetting('geminiTrace', 'trackingUri', dead);
    try {
      await waitFor(() => services.connection.trackingUri === dead, 5000, `the tracking URI to become ${dead}`);
      await vscode.commands.executeCommand('geminiTrace.refresh');
      await waitFor(() => services.connection.state === 'down', 10_000, 'the dead server to be reported down');
      const states: string[] = [];
      const sub = services.connection.onDidChange(() => states.push(services.connection.state));
      try {
        await slow; // the old server's answer arrives now
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        sub.dispose();
      }
      assert.ok(!states.includes('up'), `the late answer of ${proxy.url} flipped ${dead} to "up" for a while (states: ${states.join(' → ')})`);
      note(`after the slow server's late answer: ${services.connection.state} (${services.connection.lastError ?? ''})`);
      assert.equal(services.connection.state, 'down', `the late answer of ${proxy.url} marked ${dead} as ${services.connection.state}`);
      assert.ok(services.connection.lastError?.includes(dead));
    } finally {
      await undo();
    }
  });

  it('(h) a trace panel opened against a failing server says what failed, where, and offers a retry', async () => {
    const spy = spyOnWebviewPanels();
    const server = await startFaultServer('500');
    const undo = await withSetting('geminiTrace', 'trackingUri', server.url);
    try {
      await waitFor(() => services.connection.trackingUri === server.url, 5000, `the tracking URI to become ${server.url}`);
      const traceId = `tr-${'0'.repeat(31)}1`;
      await vscode.commands.executeCommand('geminiTrace.openTrace', { traceId });
      const panel = await waitFor(() => spy.panels.find((p) => p.viewType === 'geminiTrace.trace'), 10_000, 'a trace panel');
      type Failed = { method: string; params: { message: string; canRetry: boolean } };
      const failed = await waitFor(() => panel.posted.find((m): m is Failed => (m as Failed).method === 'failed'), 30_000, 'the panel to be told the load failed');
      note(`panel against 500: ${failed.params.message}`);
      assert.ok(failed.params.message.includes(server.url), `the panel's message does not name ${server.url}: ${failed.params.message}`);
      assert.match(failed.params.message, /500/);
      assert.equal(failed.params.canRetry, true);
      panel.panel.dispose();
    } finally {
      spy.dispose();
      await undo();
      await server.close();
    }
  });

  it('lets nothing escape: no unhandled rejection or exception, no extension error in the host log', async () => {
    // Node reports a rejection once the microtask queue drains, VS Code after a further second;
    // in this host the event arrived only after ~1 s (probed), so late ones get 3 s.
    await new Promise((r) => setTimeout(r, 3000));
    const ours = escaped.filter(({ error }) => {
      const text = error instanceof Error ? `${error.stack ?? error.message}` : String(error);
      return text.includes(getExtension().extensionPath) || /MlflowError|Gemini Trace|MLflow at/.test(text);
    });
    const describe = (e: unknown) => (e instanceof Error ? e.stack ?? e.message : String(e));
    if (escaped.length > ours.length) note(`not ours: ${escaped.filter((e) => !ours.includes(e)).map((e) => `${e.kind}: ${describe(e.error).split('\n')[0]}`).join('; ')}`);
    assert.deepEqual(ours.map((e) => `${e.kind}: ${describe(e.error)}`), [], 'errors escaped the extension');
    const hostErrors = ourHostErrors(services, hostLogSince(services, logMark));
    assert.deepEqual(hostErrors, [], 'the extension host logged errors from the extension');
  });
});
