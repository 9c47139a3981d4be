// Auto-trace: the debug configuration provider for Node and Python launch configs, the terminal
// env collection and the "add to launch.json" command. The files it injects are the extension's
// own build output in <extension>/dist (the CLI finds the same files next to itself).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import type { Services } from '../core/services';
import { addToLaunchConfig } from './addToLaunchConfig';
import type { AddToLaunchConfigArgs } from './addToLaunchConfig';
import { TRACED_TYPES, TraceDebugConfigurationProvider } from './debugConfig';
import { DebugRunTracker } from './debugRuns';
import { availableRuntimes, injectionFiles } from './env';
import { TerminalTracing } from './terminal';
import { errorMessage } from '../shared/errors';

export function registerLaunch(services: Services): void {
  const { context, log } = services;
  const files = injectionFiles(path.join(context.extensionPath, 'dist'));
  for (const p of availableRuntimes(files).problems) log.warn(p);

  const tracker = new DebugRunTracker(services.runs);
  const provider = new TraceDebugConfigurationProvider(services, files, tracker);
  const terminal = new TerminalTracing(services, files);
  context.subscriptions.push(tracker, terminal, ...TRACED_TYPES.map((type) => vscode.debug.registerDebugConfigurationProvider(type, provider)));

  const report = (what: string) => (e: unknown) => {
    const message = errorMessage(e);
    log.error(`${what}: ${message}`);
    void vscode.window.showErrorMessage(`Gemini Trace: ${what} failed. ${message}`);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND.enableTerminalTracing, async () => {
      try {
        await terminal.enable();
        void vscode.window.showInformationMessage('Gemini Trace: new terminals now trace the Gemini calls of Node and Python programs. Terminals already open are not affected.');
        return true;
      } catch (e) {
        report('Tracing in new terminals')(e);
        return false;
      }
    }),
    vscode.commands.registerCommand(COMMAND.disableTerminalTracing, async () => {
      await terminal.disable().catch(report('Stopping terminal tracing'));
      void vscode.window.showInformationMessage('Gemini Trace: new terminals are no longer traced.');
    }),
    vscode.commands.registerCommand(COMMAND.addToLaunchConfig, (args?: AddToLaunchConfigArgs) =>
      addToLaunchConfig(args).catch((e) => {
        report('Adding geminiTrace to a launch configuration')(e);
        return undefined;
      }),
    ),
  );

  void terminal.restore().catch(report('Restoring terminal tracing'));
}
