// The connection as a user meets it, in the real VS Code against a real MLflow:
//  1. Credentials typed into the prompts. "Set MLflow Credentials…" (and the status bar's menu)
//     run with no arguments; the test answers the real quick pick and input boxes with the
//     keyboard commands (see test/helpers/quickInput.ts). The server is a real MLflow behind a
//     proxy that refuses any request without the expected Authorization header, so "connected"
//     proves the typed secret is what the extension sends. Escape at every step changes nothing;
//     Clear Credentials from the menu removes them.
//  2. Finding a Python for "Start Local MLflow Server" with geminiTrace.localServer.python unset:
//     a workspace .venv with mlflow is found, named in the log, and runs the server; a server
//     that dies at start ends the command with its reason (and Start works again); a port another
//     process takes while it starts is said, and that process is not taken for the server; when no
//     candidate has mlflow the offer to create a venv appears, and dismissing it creates nothing.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionImpl } from '../../src/connection/connection';
import { secretKey } from '../../src/connection/credentials';
import { managedVenvDir } from '../../src/connection/python';
import type { Services } from '../../src/core/services';
import { startAuthProxy, type AuthProxy } from '../helpers/authProxy';
import { note, readExtensionLog } from '../helpers/hostSpy';
import { driveQuickInput, type QuickInputDriver } from '../helpers/quickInput';
import { getExtension, getServices, mlflowUrl, waitFor, undoAll, withSetting, workspaceDir } from '../helpers/vscode';

const tag = Math.random().toString(36).slice(2, 10);
const TOKEN = `gtTypedToken-${tag}-41b7`;
const USER = `gt-typed-user-${tag}`;
const PASSWORD = `gtTypedPassword-${tag}-9d2c`;
const DB_HOST = `https://adb-${tag}.example.azuredatabricks.net`;
const DB_TOKEN = `dapiTyped${tag}0f3e`;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

const labels = (items: vscode.QuickPickItem[]) => items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator).map((i) => i.label);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

describe('connection: credentials typed into the prompts; a Python for the local server', function () {
  this.timeout(90_000);
  let services: Services;
  let connection: ConnectionImpl;
  let proxy: AuthProxy;
  let ui: QuickInputDriver | undefined;
  const restore: (() => Thenable<void> | void)[] = [];

  const stored = async () => {
    const raw = await services.context.secrets.get(secretKey(proxy.url));
    return raw === undefined ? undefined : (JSON.parse(raw) as unknown);
  };
  const logSince = (mark: number) => readExtensionLog(services).slice(mark);

  /** Every settings file VS Code keeps for this session, and the workspace's. */
  function settingsText(): string {
    const user = path.join(path.dirname(path.dirname(services.context.globalStorageUri.fsPath)), 'settings.json');
    assert.ok(existsSync(user), `no user settings at ${user}`);
    const files = [user, path.join(workspaceDir(), '.vscode', 'settings.json')].filter(existsSync);
    return files.map((f) => readFileSync(f, 'utf8')).join('\n') + JSON.stringify(vscode.workspace.getConfiguration('geminiTrace'));
  }

  /** After credentials change: the connection asks again and gets through the auth proxy. */
  async function connectsWith(header: string, what: string): Promise<void> {
    proxy.expect = header;
    const mark = proxy.seen.length;
    await vscode.commands.executeCommand('geminiTrace.refresh');
    await waitFor(() => connection.state === 'up', 15_000, `the connection to come up with ${what} (state ${connection.state}: ${connection.lastError ?? ''})`);
    const r = await services.connection.client().searchExperiments({ maxResults: 5 });
    assert.ok(r.experiments.length > 0, 'the real MLflow behind the proxy answered');
    const sent = proxy.seen.slice(mark);
    assert.ok(sent.length > 0 && sent.every((s) => s.allowed && s.authorization === header), `requests went out without ${what}: ${JSON.stringify(sent.map((s) => [s.url, s.allowed]))}`);
  }

  before(async () => {
    services = await getServices();
    connection = services.connection as ConnectionImpl;
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
    await waitFor(() => services.log.logLevel <= vscode.LogLevel.Debug, 5000, 'the extension log at debug level');
    restore.push(() => vscode.commands.executeCommand('_extensionTests.setLogLevel', 'info'));
    proxy = await startAuthProxy(mlflowUrl());
    restore.push(() => proxy.close());
    restore.push(await withSetting('geminiTrace', 'trackingUri', proxy.url));
    restore.push(() => connection.credentials.clear(proxy.url));
    await waitFor(() => connection.trackingUri === proxy.url, 5000, 'the tracking URI to be the auth proxy');
  });

  afterEach(() => {
    ui?.dispose();
    ui = undefined;
  });

  after(async () => {
    await undoAll(restore, note);
  });

  it('is refused without credentials, then connects with a Bearer token typed into "Set MLflow Credentials…"', async () => {
    assert.equal(await stored(), undefined, 'credentials left over for the proxy');
    proxy.expect = `Bearer ${TOKEN}`;
    await vscode.commands.executeCommand('geminiTrace.refresh');
    await waitFor(() => connection.state === 'unauthorized', 15_000, `"credentials refused" without credentials (state ${connection.state})`);

    ui = driveQuickInput();
    ui.answer(TOKEN);
    const mark = readExtensionLog(services).length;
    const done = vscode.commands.executeCommand('geminiTrace.setCredentials');
    const kinds = await ui.pick(0);
    assert.equal(kinds.options?.title, `MLflow credentials for ${proxy.url}`);
    assert.deepEqual(labels(kinds.items), ['$(account) Username and password', '$(key) Token', '$(cloud) Databricks']);
    assert.match(kinds.active?.label ?? '', /Username and password/, 'the first kind is focused');
    await ui.choose(kinds, /Token/);
    const box = await ui.input(0);
    assert.equal(box.options.prompt, 'Token');
    assert.equal(box.options.password, true, 'the token box hides what is typed');
    await ui.enter();
    await done;

    assert.deepEqual(await stored(), { kind: 'bearer', token: TOKEN }, 'SecretStorage holds the typed token');
    await waitFor(() => connection.credentialsInUse?.kind === 'bearer', 5000, 'the token in use');
    assert.equal((await services.connection.injectionEnv()).MLFLOW_TRACKING_TOKEN, TOKEN, 'traced apps get the token');
    await connectsWith(`Bearer ${TOKEN}`, 'the typed token');
    assert.ok(ui.messages.some((m) => /credentials for .* saved in VS Code's secret storage/.test(m.message)), 'no confirmation was shown');
    assert.ok(!settingsText().includes(TOKEN), 'the token is in a settings file');
    const log = logSince(mark);
    assert.match(log, /credentials for .* set \(bearer\)/);
    assert.ok(!log.includes(TOKEN), 'the token is in the log');
  });

  it('takes a username and password through the status bar menu, with the current credentials named there', async () => {
    ui = driveQuickInput();
    ui.answer(USER, PASSWORD);
    const done = vscode.commands.executeCommand('geminiTrace.connection');
    const menu = await ui.pick(0);
    const set = menu.items.find((i) => /Set Credentials/.test(i.label));
    assert.equal(set?.description, 'now: Bearer token', 'the menu names the credentials in use');
    assert.ok(labels(menu.items).some((l) => /Clear Credentials/.test(l)), 'Clear Credentials is offered while some are set');
    await ui.choose(menu, /Set Credentials/);
    const kinds = await ui.pick(1);
    await ui.choose(kinds, /Username and password/);
    const user = await ui.input(0);
    assert.equal(user.options.prompt, 'Username');
    assert.ok(!user.options.password, 'the username is shown as typed');
    await ui.enter();
    const pass = await ui.input(1);
    assert.equal(pass.options.prompt, `Password for ${USER}`);
    assert.equal(pass.options.password, true);
    await ui.enter();
    await done;

    assert.deepEqual(await stored(), { kind: 'basic', username: USER, password: PASSWORD });
    await waitFor(() => connection.credentialsInUse?.kind === 'basic', 5000, 'Basic credentials in use');
    await connectsWith(basic(USER, PASSWORD), 'the typed username and password');
    assert.ok(!settingsText().includes(PASSWORD), 'the password is in a settings file');
  });

  it('Escape at any step, or Enter on an invalid value, leaves the stored credentials as they were', async () => {
    const before = await services.context.secrets.get(secretKey(proxy.url));
    assert.ok(before?.includes(PASSWORD), 'the Basic credentials of the previous case are stored');
    const mark = readExtensionLog(services).length;
    /** Runs the command, walks to one step, and leaves it there with Escape. */
    const cancelAt = async (what: string, walk: (ui: QuickInputDriver) => Promise<void>, answers: string[] = []) => {
      const d = driveQuickInput();
      try {
        d.answer(...answers);
        const done = vscode.commands.executeCommand('geminiTrace.setCredentials');
        await walk(d);
        await d.escape();
        await waitFor(() => Promise.race([done.then(() => true), sleep(100).then(() => false)]), 5000, `the command to end after Escape at ${what}`);
        assert.equal(await services.context.secrets.get(secretKey(proxy.url)), before, `Escape at ${what} changed the stored credentials`);
        assert.equal(connection.credentialsInUse?.kind, 'basic', `Escape at ${what} changed the credentials in use`);
      } finally {
        d.dispose();
      }
    };
    /** Enter on a value the box refuses: it stays open with the reason, nothing resolves. */
    const refused = async (box: Awaited<ReturnType<QuickInputDriver['input']>>, d: QuickInputDriver, reason: RegExp) => {
      await d.enter();
      await sleep(500);
      assert.equal(box.settled, false, `the box accepted "${box.validations.at(-1)?.value}"`);
      assert.match(String(box.validations.at(-1)?.message ?? ''), reason);
    };

    await cancelAt('the kind', async (d) => void (await d.pick(0)));
    await cancelAt('the username', async (d) => {
      await d.choose(await d.pick(0), /Username/);
      await d.input(0);
    });
    await cancelAt('the password', async (d) => {
      await d.choose(await d.pick(0), /Username/);
      await d.input(0);
      await d.enter();
      await d.input(1);
    }, ['someone-else']);
    await cancelAt('the token', async (d) => {
      await d.choose(await d.pick(0), /Token/);
      await refused(await d.input(0), d, /Required/);
    }, ['   ']);
    await cancelAt('the Databricks host', async (d) => {
      await d.choose(await d.pick(0), /Databricks/);
      const host = await d.input(0);
      assert.equal(host.options.value, '', 'no host guessed from an http:// server');
      await refused(host, d, /https:\/\/ workspace URL/);
    }, ['http://not-a-workspace']);
    await cancelAt('the Databricks token', async (d) => {
      await d.choose(await d.pick(0), /Databricks/);
      await d.input(0);
      await d.enter();
      const token = await d.input(1);
      assert.equal(token.options.password, true);
    }, [DB_HOST]);

    assert.doesNotMatch(logSince(mark), /credentials for .* (set|cleared)/, 'a cancelled prompt wrote credentials');
    await connectsWith(basic(USER, PASSWORD), 'the Basic credentials still');
  });

  it('takes a Databricks host and token, then Clear Credentials in the menu removes them', async () => {
    ui = driveQuickInput();
    ui.answer(`${DB_HOST}/`, DB_TOKEN);
    const done = vscode.commands.executeCommand('geminiTrace.setCredentials');
    await ui.choose(await ui.pick(0), /Databricks/);
    await ui.input(0);
    await ui.enter();
    const token = await ui.input(1);
    assert.equal(token.options.prompt, 'Personal access token');
    await ui.enter();
    await done;
    assert.deepEqual(await stored(), { kind: 'databricks', host: DB_HOST, token: DB_TOKEN }, 'the host is stored without its trailing slash');
    await waitFor(() => connection.credentialsInUse?.kind === 'databricks', 5000, 'Databricks credentials in use');
    const env = await services.connection.injectionEnv();
    assert.deepEqual([env.DATABRICKS_HOST, env.DATABRICKS_TOKEN], [DB_HOST, DB_TOKEN]);
    await connectsWith(`Bearer ${DB_TOKEN}`, 'the Databricks token');

    const mark = readExtensionLog(services).length;
    const cleared = vscode.commands.executeCommand('geminiTrace.connection');
    const menu = await ui.pick(1);
    assert.match(menu.items.find((i) => /Set Credentials/.test(i.label))?.description ?? '', new RegExp(`now: Databricks \\(${DB_HOST.replace(/[.:/]/g, '\\$&')}\\)`));
    await ui.choose(menu, /Clear Credentials/);
    await cleared;
    assert.equal(await stored(), undefined, 'Clear Credentials left them in SecretStorage');
    await waitFor(() => connection.credentialsInUse === undefined, 5000, 'no credentials in use');
    assert.match(logSince(mark), /credentials for .* cleared/);
    await vscode.commands.executeCommand('geminiTrace.refresh');
    await waitFor(() => connection.state === 'unauthorized', 15_000, `"credentials refused" once cleared (state ${connection.state})`);
    assert.ok(proxy.seen.at(-1)?.authorization === undefined, 'a request still carried a header after Clear');

    const again = vscode.commands.executeCommand('geminiTrace.connection');
    const menu2 = await ui.pick(2);
    assert.equal(menu2.items.find((i) => /Set Credentials/.test(i.label))?.description, 'now: none');
    assert.ok(!labels(menu2.items).some((l) => /Clear Credentials/.test(l)), 'Clear Credentials offered with nothing to clear');
    await ui.escape();
    await again;
    const text = settingsText();
    assert.deepEqual([TOKEN, PASSWORD, DB_TOKEN].filter((s) => text.includes(s)), [], 'a secret is in a settings file');
  });

  describe('a Python with mlflow for "Start Local MLflow Server"', () => {
    const ws = () => workspaceDir();
    const projectPython = () => path.join(getExtension().extensionPath, '.venv', 'bin', 'python');

    beforeEach(() => {
      const i = vscode.workspace.getConfiguration('geminiTrace').inspect<string>('localServer.python');
      assert.equal(i?.globalValue ?? i?.workspaceValue ?? i?.workspaceFolderValue, undefined, 'geminiTrace.localServer.python is set');
      assert.equal(vscode.extensions.getExtension('ms-python.python'), undefined, 'the Python extension is installed: its interpreter would be asked first');
      assert.ok(!existsSync(managedVenvDir(services.context)), `the managed venv ${managedVenvDir(services.context)} exists: it would be found first`);
      for (const d of ['.venv', 'venv']) assert.ok(!existsSync(path.join(ws(), d)), `the workspace already has ${d}/`);
    });

    it('finds the workspace .venv when no Python is set, names it in the log, and runs the server from it', async function () {
      this.timeout(120_000);
      // The project's venv, seen by the workspace as its own .venv (a directory link keeps its pyvenv.cfg beside bin/).
      symlinkSync(path.dirname(path.dirname(projectPython())), path.join(ws(), '.venv'), 'dir');
      const target = `http://127.0.0.1:${await freePort()}`;
      const undoUri = await withSetting('geminiTrace', 'trackingUri', target);
      try {
        await waitFor(() => connection.state === 'down', 30_000, `nothing to answer at ${target}`);
        const mark = readExtensionLog(services).length;
        const t0 = Date.now();
        const url = await vscode.commands.executeCommand<string | undefined>('geminiTrace.startLocalServer');
        note(`local server from the workspace .venv up in ${Date.now() - t0} ms`);
        assert.equal(url, target);
        const found = path.join(ws(), '.venv', 'bin', 'python');
        const log = logSince(mark);
        assert.match(log, new RegExp(`local server: using ${found.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(mlflow \\d+\\.\\d+\\.\\d+, workspace \\.venv\\)`), `the log does not name the workspace .venv:\n${log.slice(-2000)}`);
        await waitFor(() => connection.state === 'up', 30_000, 'the connection to the local server');
        // MLflow's job runner starts with the server, before it answers; it is meant to be off.
        const group = serverGroup(Number(new URL(target).port));
        assert.ok(group.length, `no process of the server on ${target} was found`);
        const jobs = group.filter((p) => /mlflow\.server\.jobs|huey/.test(p));
        assert.deepEqual(jobs, [], "MLflow's job runner runs beside the local server");
        await vscode.commands.executeCommand('geminiTrace.stopLocalServer');
        assert.ok(await fetch(`${target}/health`).then(() => false, () => true), 'the server still answers after Stop');
      } finally {
        await vscode.commands.executeCommand('geminiTrace.stopLocalServer'); // a failed assertion above left it running
        await undoUri();
        rmSync(path.join(ws(), '.venv'));
      }
    });

    it('a server that fails to start ends the command with its reason, and Start works again while the error is still on screen', async function () {
      // A Python that has mlflow, but whose `mlflow server` dies at once (as a broken install would).
      const dir = mkdtempSync(path.join(tmpdir(), 'gt-brokenmlflow-'));
      const broken = path.join(dir, 'python');
      writeFileSync(broken, `#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "mlflow" ]; then echo "gt-fixture: mlflow server cannot start here" >&2; exit 3; fi\nexec "${projectPython()}" "$@"\n`, { mode: 0o755 });
      const target = `http://127.0.0.1:${await freePort()}`;
      const undo = [await withSetting('geminiTrace', 'trackingUri', target), await withSetting('geminiTrace', 'localServer.python', broken)];
      const d = (ui = driveQuickInput());
      try {
        await waitFor(() => connection.state === 'down', 30_000, `nothing to answer at ${target}`);
        for (const attempt of [1, 2]) {
          const mark = readExtensionLog(services).length;
          const url = await Promise.race([
            vscode.commands.executeCommand<string | undefined>('geminiTrace.startLocalServer'),
            sleep(45_000).then(() => Promise.reject(new Error(`attempt ${attempt}: Start Local MLflow Server did not end while its error notification was open`))),
          ]);
          assert.equal(url, undefined, `attempt ${attempt} reported a server`);
          const errors = d.messages.filter((m) => m.severity === 'error');
          assert.equal(errors.length, attempt, `attempt ${attempt}: ${errors.length} error messages`);
          assert.match(errors[attempt - 1].message, /local MLflow server did not start — mlflow server exited: gt-fixture: mlflow server cannot start here/);
          assert.equal(errors[attempt - 1].settled, false, 'the command waited for the error to be closed');
          const log = logSince(mark);
          assert.match(log, new RegExp(`local server: using ${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(mlflow [\\d.]+, setting geminiTrace\\.localServer\\.python\\)`), `attempt ${attempt} did not look for a Python:\n${log.slice(-1500)}`);
          assert.match(log, /local server: did not start — mlflow server exited/);
        }
        assert.equal(connection.trackingUri, target);
      } finally {
        await vscode.commands.executeCommand('notifications.clearAll');
        for (const u of undo.reverse()) await u();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('says so when another process takes the port while the server starts, and reports no server', async function () {
      this.timeout(150_000);
      const port = await freePort();
      const target = `http://127.0.0.1:${port}`;
      const undo = [await withSetting('geminiTrace', 'trackingUri', target), await withSetting('geminiTrace', 'localServer.python', projectPython())];
      const d = (ui = driveQuickInput());
      // Another server (a second window starting its own, say) that answers /health as MLflow does.
      const other = createHttpServer((_req, res) => res.end('OK'));
      try {
        await waitFor(() => connection.state === 'down', 30_000, `nothing to answer at ${target}`);
        const mark = readExtensionLog(services).length;
        const started = vscode.commands.executeCommand<string | undefined>('geminiTrace.startLocalServer');
        // Bound once ours is spawned, before it binds (MLflow takes seconds to import).
        await waitFor(() => logSince(mark).includes(`--port ${port} `), 30_000, 'the server spawned');
        await new Promise<void>((resolve, reject) => other.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
        const url = await Promise.race([started, sleep(120_000).then(() => Promise.reject(new Error('Start Local MLflow Server did not end')))]);
        assert.equal(url, undefined, 'it reported the other process as its server');
        const errors = d.messages.filter((m) => m.severity === 'error');
        assert.match(errors.at(-1)?.message ?? '(no error message)', new RegExp(`local MLflow server did not start — another process took port ${port} while it started; run the command again`));
        assert.match(logSince(mark), /local server: did not start — another process took port/);
      } finally {
        // Had it taken the other server for its own, the next test's Start would find it running.
        await vscode.commands.executeCommand('geminiTrace.stopLocalServer');
        await vscode.commands.executeCommand('notifications.clearAll');
        other.close();
        for (const u of undo.reverse()) await u();
      }
    });

    it('offers to create a venv when no candidate has mlflow; dismissing the offer creates nothing and says why', async function () {
      // A PATH whose only python3 is a real interpreter without mlflow: the project venv's base Python.
      const bin = path.join(mkdtempSync(path.join(tmpdir(), 'gt-nopython-')), 'bin');
      mkdirSync(bin);
      const bare = path.join(bin, 'python3');
      symlinkSync(realpathSync(projectPython()), bare);
      const probe = await new Promise<string>((r) => execFile(bare, ['-c', 'import mlflow'], (e, _o, err) => r(e ? err : 'imported')));
      assert.match(probe, /No module named 'mlflow'/, 'the base interpreter has mlflow: nothing would be missing');
      const savedPath = process.env.PATH;
      process.env.PATH = bin;
      const target = `http://127.0.0.1:${await freePort()}`;
      const undo = [await withSetting('geminiTrace', 'trackingUri', target), await withSetting('geminiTrace', 'localServer.python', bare)];
      ui = driveQuickInput();
      try {
        await waitFor(() => connection.state === 'down', 30_000, `nothing to answer at ${target}`);
        const mark = readExtensionLog(services).length;
        const started = vscode.commands.executeCommand<string | undefined>('geminiTrace.startLocalServer');
        const offer = await ui.message(/no Python with MLflow was found/);
        assert.deepEqual(offer.items.filter((i) => typeof i === 'string'), ['Install MLflow', 'Set Python Path…']);
        // The notification's close button, as VS Code's own "Clear All Notifications".
        await waitFor(async () => {
          await vscode.commands.executeCommand('notifications.clearAll');
          await sleep(200);
          return offer.settled;
        }, 10_000, 'the offer to close');
        assert.equal(offer.result, undefined);
        assert.equal(await started, undefined, 'a server was started anyway');

        const log = logSince(mark);
        assert.match(log, new RegExp(`${bare.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(setting geminiTrace\\.localServer\\.python\\) has no mlflow`));
        assert.match(log, /python3 \(PATH\) has no mlflow/);
        assert.match(log, /cannot import mlflow — install it there/, 'no warning that the configured Python lacks mlflow');
        assert.match(log, /no Python with mlflow among /);
        assert.match(log, /local server: not started/, `no line says why nothing started:\n${log.slice(-2000)}`);
        assert.doesNotMatch(log, /local server: using|\[mlflow\]|\$ .* -m venv/, 'something was installed or started');
        assert.ok(!existsSync(managedVenvDir(services.context)), 'a venv was created although the offer was dismissed');
        assert.equal(connection.trackingUri, target, 'the connection was re-pointed');
      } finally {
        process.env.PATH = savedPath;
        for (const u of undo.reverse()) await u();
        rmSync(path.dirname(bin), { recursive: true, force: true });
      }
    });
  });
});

/** The command lines of the process group whose `mlflow server` listens on `port`, read from /proc
 *  (a fresh machine may have no `ps`). */
function serverGroup(port: number): string[] {
  const processes: { pgid: string; args: string }[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // pgid is the fifth field of stat, counted after the parenthesised command name.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const pgid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
      processes.push({ pgid, args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      /* gone meanwhile */
    }
  }
  const lead = processes.find((p) => /mlflow server/.test(p.args) && p.args.includes(`--port ${port} `));
  return lead ? processes.filter((p) => p.pgid === lead.pgid).map((p) => p.args) : [];
}
