// Call-site hints: CodeLens and hovers above Gemini calls that have spans in the current experiment.
import * as vscode from 'vscode';
import { affectsSetting } from '../contributions/settings';
import type { Services } from '../core/services';
import { CallSiteIndex } from './callSites';
import { CallSiteHints, CODELENS_SELECTOR } from './codeLens';

export function registerCodeLens(services: Services): void {
  const index = new CallSiteIndex(services);
  const hints = new CallSiteHints(index);
  services.context.subscriptions.push(
    index,
    vscode.languages.registerCodeLensProvider(CODELENS_SELECTOR, hints),
    vscode.languages.registerHoverProvider(CODELENS_SELECTOR, hints),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSetting(e, 'codeLens.enabled')) hints.refresh();
    }),
  );
}
