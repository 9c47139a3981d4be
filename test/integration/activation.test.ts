// Runs inside a real VS Code (a code-server build of it, web workbench; which one: GT_VSCODE and
// scripts/lib/vscode-install.mjs): the extension loads from the
// repository, activates lazily, hands back its test API (in Test mode), and registers every command
// its manifest declares and no other.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, declaredCommands, getExtension, getServices, getTestApi, mlflowUrl, waitFor, workspaceDir } from '../helpers/vscode';

// Read when mocha loads the file, before any test can have asked for the extension.
const activeAtLoad = vscode.extensions.getExtension(EXTENSION_ID)?.isActive;

describe('activation in a real VS Code', () => {
  it('runs in a real VS Code extension host, on the copy of examples/', () => {
    // The runner names the build it started: the matrix runs the VS Code it says it does.
    assert.equal(vscode.version, process.env.GT_VSCODE_VERSION, 'VS Code version of this run');
    const engine = String(getExtension().packageJSON.engines.vscode);
    const [, wantMajor, wantMinor] = /^\^(\d+)\.(\d+)\./.exec(engine) ?? [];
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major === Number(wantMajor) && minor >= Number(wantMinor), `VS Code ${vscode.version} does not meet the manifest's ${engine}`);
    const ws = workspaceDir();
    assert.ok(existsSync(join(ws, 'node-app')) && existsSync(join(ws, 'python-app')), `${ws} is not a copy of examples/`);
  });

  it('is loaded from the repository and activates lazily, not at start-up', () => {
    const ext = getExtension();
    assert.ok(existsSync(join(ext.extensionPath, 'dist', 'extension.js')), `no dist/extension.js under ${ext.extensionPath}`);
    assert.equal(activeAtLoad, false, 'the extension was already active before anything asked for it');
    const events = (ext.packageJSON.activationEvents ?? []) as string[];
    assert.ok(!events.includes('*'), 'activationEvents must not contain "*"');
  });

  it('returns its test API on activation in Test mode', async () => {
    const api = await getTestApi();
    const services = api.services;
    assert.ok(api.explorer?.provider && api.panels?.manager, 'the test API holds the Traces view and the panels');
    const ext = getExtension();
    assert.equal(ext.isActive, true);
    assert.equal(services.context.extension.id, EXTENSION_ID);
    assert.equal(services.context.extensionMode, vscode.ExtensionMode.Test);
    for (const key of ['log', 'connection', 'runs', 'traces', 'onDidSeeNewTraces'] as const) assert.ok(services[key], `Services.${key} is missing`);
    assert.equal(typeof services.fireNewTraces, 'function');
    assert.equal(typeof services.connection.client, 'function');
    assert.equal(typeof services.traces.get, 'function');
    // The runner presets the user setting to the run's MLflow: proves settings reach the extension.
    assert.equal(services.connection.trackingUri, mlflowUrl());
  });

  it('registers every command declared in package.json', async () => {
    await getServices();
    const declared = declaredCommands();
    assert.ok(declared.length > 10, `only ${declared.length} commands declared`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.equal(missing.length, 0, `${missing.length} of ${declared.length} commands declared in package.json but not registered after activation: ${missing.join(', ')}`);
    // No undeclared command (a test hook, say): VS Code makes the view's own (geminiTrace.traces.*).
    const undeclared = [...registered].filter((c) => c.startsWith('geminiTrace.') && !c.startsWith('geminiTrace.traces.') && !declared.includes(c));
    assert.deepEqual(undeclared, [], 'commands registered but not declared in package.json');
  });

  it('contributes the Gemini Traces view container with its Traces view', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    // VS Code generates these commands for every contributed container and view.
    assert.ok(registered.has('workbench.view.extension.geminiTrace'), 'no Gemini Traces view container');
    assert.ok(registered.has('geminiTrace.traces.focus'), 'no Traces view');
    await vscode.commands.executeCommand('geminiTrace.traces.focus');
    await waitFor(() => getExtension().isActive, 10_000, 'the extension to be active with its view shown');
  });
});
