// Helpers for integration tests that run inside the real VS Code extension host
// (scripts/run-vscode-tests.mjs). They use the real `vscode` API: nothing here is mocked.
import * as vscode from 'vscode';
import type { Services } from '../../src/core/services';
import type { TestApi } from '../../src/testApi';
import { startStandin, type Standin } from '../fixtures/gemini/standin';

export const EXTENSION_ID = 'gemini-trace-explorer.gemini-trace-explorer';

export function getExtension(): vscode.Extension<TestApi | undefined> {
  const ext = vscode.extensions.getExtension<TestApi | undefined>(EXTENSION_ID);
  if (!ext) {
    const dev = vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id);
    throw new Error(`Extension ${EXTENSION_ID} is not loaded in this VS Code (non-built-in extensions: ${dev.join(', ') || 'none'})`);
  }
  return ext;
}

/** Activates the extension (if not yet) and returns its test API (it has one in Test mode only). */
export async function getTestApi(): Promise<TestApi> {
  const api = await getExtension().activate();
  if (!api) throw new Error('The extension returned no test API: it returns one only when VS Code runs it in Test mode (with extensionTestsPath)');
  return api;
}

/** The live Services, through the test API. */
export async function getServices(): Promise<Services> {
  return (await getTestApi()).services;
}

/** What a truthy result of T can be (so `waitFor(() => flag && editor)` yields the editor). */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `cond` until it returns a truthy value (returned) or the time runs out (throws, naming
 * `what` and the last error `cond` threw, so a failing test says what it was waiting for).
 */
export async function waitFor<T>(cond: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition', intervalMs = 100): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as Truthy<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? `: last error: ${last.message}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The MLflow server the runner started the extension host against (GT_MLFLOW_URL). */
export function mlflowUrl(): string {
  const url = process.env.GT_MLFLOW_URL;
  if (!url) throw new Error('GT_MLFLOW_URL is not set in the extension host: run through scripts/run-vscode-tests.mjs');
  return url;
}

/** The opened workspace folder (a temp copy of examples/). */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('No workspace folder is open: the runner opens a copy of examples/');
  return folder.uri.fsPath;
}

/** Commands the manifest declares under contributes.commands. */
export function declaredCommands(): string[] {
  const cmds = (getExtension().packageJSON.contributes?.commands ?? []) as { command: string }[];
  return cmds.map((c) => c.command);
}

/** Sets a user setting for the test and returns a function that restores the previous value. */
export async function withSetting(section: string, key: string, value: unknown): Promise<() => Promise<void>> {
  const cfg = vscode.workspace.getConfiguration(section);
  const before = cfg.inspect(key)?.globalValue;
  await cfg.update(key, value, vscode.ConfigurationTarget.Global);
  return () => Promise.resolve(vscode.workspace.getConfiguration(section).update(key, before, vscode.ConfigurationTarget.Global));
}

/** Runs a suite's undo steps newest first; one failing step is reported and the rest still run. */
export async function undoAll(steps: (() => unknown)[], report: (line: string) => void): Promise<void> {
  for (const undo of steps.reverse()) {
    try {
      await undo();
    } catch (e) {
      report(`cleanup: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Closes all editors so one test's tabs never leak into the next. */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** The one Gemini stand-in of this extension host, its URL in this host's environment. js-debug
 *  gives every program it launches the environment this host had when the first debug session
 *  started (as VS Code's does for a user who exported these before starting it), so a stand-in per
 *  suite would leave the second suite's F5 calling the first suite's closed port. Suites share this
 *  one, reset() it before use and never close it: it ends with the host. It is kept on globalThis
 *  because each test file is its own bundle, with its own copy of this module. */
export function hostStandin(): Promise<Standin> {
  const host = globalThis as { geminiTraceHostStandin?: Promise<Standin> };
  host.geminiTraceHostStandin ??= startStandin().then((standin) => {
    process.env.GOOGLE_GEMINI_BASE_URL = standin.url;
    process.env.GEMINI_API_KEY = 'test-key';
    return standin;
  });
  return host.geminiTraceHostStandin;
}
