// activate() wires the parts together and does nothing else: no network request runs here,
// so activation never waits on a slow or absent MLflow server.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCodeLens } from './code/register';
import { registerJumpToCode } from './code/jump';
import { registerConnection } from './connection/register';
import { registerDiff } from './diff/register';
import { registerExplorer } from './explorer/register';
import { registerFeedback } from './feedback/register';
import { registerReplay } from './replay/register';
import { registerLaunch } from './launch/register';
import { RunRegistryImpl } from './launch/runs';
import { registerPanel } from './panel/register';
import type { Services } from './core/services';
import { panelRecorder, type TestApi } from './testApi';
import { TraceStoreImpl } from './core/traceStore';
import type { Assessment } from './model/assessments';
import type { TraceSummary } from './model/types';
import { errorMessage, errorStack } from './shared/errors';

export function activate(context: vscode.ExtensionContext): TestApi | undefined {
  const log = vscode.window.createOutputChannel('Gemini Trace', { log: true });
  const connection = registerConnection(context, log);
  const runs = new RunRegistryImpl();
  const newTraces = new vscode.EventEmitter<TraceSummary[]>();
  const assessed = new vscode.EventEmitter<{ traceId: string; assessments: Assessment[] }>();
  context.subscriptions.push(log, connection, runs, newTraces, assessed);

  const services: Services = {
    context,
    log,
    connection,
    runs,
    traces: new TraceStoreImpl(connection, log),
    activitySignal: activitySignalFile(context, log),
    onDidSeeNewTraces: newTraces.event,
    fireNewTraces: (t) => newTraces.fire(t),
    onDidChangeAssessments: assessed.event,
    fireAssessments: (traceId, assessments) => assessed.fire({ traceId, assessments }),
  };

  // One broken feature must not take the others down with it.
  const register = <T>(name: string, start: () => T): T | undefined => {
    try {
      return start();
    } catch (e) {
      log.error(`Gemini Trace: ${name} failed: ${errorStack(e)}`);
      return undefined;
    }
  };
  const testing = context.extensionMode === vscode.ExtensionMode.Test;
  const recorder = testing ? panelRecorder() : undefined;
  register('launch', () => registerLaunch(services));
  const explorer = register('explorer', () => registerExplorer(services));
  const panels = register('panel', () => registerPanel(services, recorder));
  register('jump to code', () => registerJumpToCode(services));
  register('diff', () => registerDiff(services));
  register('CodeLens', () => registerCodeLens(services));
  register('feedback', () => registerFeedback(services));
  register('replay', () => registerReplay(services));
  log.info(`Gemini Trace Explorer ${context.extension.packageJSON.version} active (VS Code ${vscode.version})`);
  // Integration tests reach the live parts through this; other extensions get nothing.
  return recorder && { services, explorer, panels, panelStats: recorder.stats };
}

/** Per workspace (so it survives a reload, as the terminals' persisted environment does). The
 *  folder must exist: the injected processes write the file but never create folders. */
function activitySignalFile(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): string | undefined {
  const dir = (context.storageUri ?? context.globalStorageUri).fsPath;
  try {
    mkdirSync(dir, { recursive: true });
    return path.join(dir, 'activity.signal');
  } catch (e) {
    log.warn(`live updates: cannot create ${dir} (${errorMessage(e)}); the Traces view asks MLflow on every tick while a traced run is active, and every idlePollInterval otherwise`);
    return undefined;
  }
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
