// Jump to code: from a span to the line that made it (`geminiTrace.goToCode`), and back from a
// line to the spans made there (`geminiTrace.revealSpan`, in revealSpan.ts).
import * as vscode from 'vscode';
import { COMMAND } from '../contributions/ids';
import type { CodeLocation, Span, Trace } from '../model/types';
import { TAG } from '../shared/runTags';
import { toTraceRef } from '../shared/traceRef';
import type { Services } from '../core/services';
import { findDefinitions, functionCandidates, resolveCodePath } from './locate';
import { registerRevealSpan } from './revealSpan';
import { errorMessage } from '../shared/errors';

const HIGHLIGHT_MS = 1500;
let highlight: vscode.TextEditorDecorationType | undefined;

/** What goToCode did, for callers (and tests) that need to know. */
export type GoToCodeResult =
  | { kind: 'recorded'; uri: vscode.Uri; line: number }
  | { kind: 'by-name'; uri: vscode.Uri; line: number; name: string }
  | { kind: 'none'; message: string };

export function registerJumpToCode(services: Services): void {
  services.context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND.goToCode, async (arg: unknown) => {
      const ref = toTraceRef(arg);
      if (!ref) {
        void vscode.window.showErrorMessage('Gemini Trace: Go to Code needs a span. Use it from a span in the Traces view or the trace panel.');
        return undefined;
      }
      try {
        const trace = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Gemini Trace: finding code…' }, () => services.traces.get(ref.traceId));
        const span = (ref.spanId && trace.byId.get(ref.spanId)) || (!ref.spanId ? trace.spans.find((s) => s.code) ?? trace.roots[0] : undefined);
        if (!span) {
          void vscode.window.showErrorMessage(`Gemini Trace: span ${ref.spanId} is not in trace ${ref.traceId}.`);
          return undefined;
        }
        const result = await goToSpanCode(trace, span);
        if (result.kind === 'none') void vscode.window.showInformationMessage(result.message);
        return result;
      } catch (e) {
        const message = errorMessage(e);
        services.log.warn(`goToCode ${ref.traceId}/${ref.spanId}: ${message}`);
        void vscode.window.showErrorMessage(`Gemini Trace: could not read trace ${ref.traceId}: ${message}`);
        return undefined;
      }
    }),
    { dispose: () => highlight?.dispose() },
  );
  registerRevealSpan(services);
}

export async function goToSpanCode(trace: Trace, span: Span): Promise<GoToCodeResult> {
  const workspace = trace.summary.tags[TAG.workspace];
  if (span.code) {
    const editor = await openCodeLocation(span.code, trace.summary.tags);
    if (editor) return { kind: 'recorded', uri: editor.document.uri, line: span.code.lineno };
  }
  // No usable location: look for the function the span (or an ancestor) is named after.
  const names = functionCandidates(trace, span);
  const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Gemini Trace: searching the workspace…' }, (_p, token) => findDefinitions(names, token));
  const where = span.code ? `${span.code.filepath}:${span.code.lineno}` : undefined;
  if (found.length) {
    let pick = found[0];
    if (found.length > 1 && found.filter((f) => f.name === found[0].name).length > 1) {
      const chosen = await vscode.window.showQuickPick(
        found.map((f) => ({ label: `$(symbol-function) ${f.name}`, description: `${vscode.workspace.asRelativePath(f.uri)}:${f.line}`, f })),
        { title: `Span "${span.name}" recorded ${where ? `a location outside this workspace (${where})` : 'no code location'}: pick a definition`, matchOnDescription: true },
      );
      if (!chosen) return { kind: 'none', message: 'Cancelled.' };
      pick = chosen.f;
    }
    await openCodeLocation({ filepath: pick.uri.fsPath, lineno: pick.line }, undefined, pick.uri);
    vscode.window.setStatusBarMessage(`$(search) No recorded location for "${span.name}": found ${pick.name} by name`, 4000);
    return { kind: 'by-name', uri: pick.uri, line: pick.line, name: pick.name };
  }
  const tried = names.length ? ` and no function named ${names.map((n) => `"${n}"`).join(', ')} was found in the workspace` : '';
  const message = where
    ? `Span "${span.name}" was made at ${where}, which is not in this workspace${workspace ? ` (the app ran in ${workspace})` : ''}${tried}.`
    : `No code location is known for span "${span.name}": it has no code.filepath / code.lineno attributes${tried}. Spans get a location when the app runs with Gemini tracing.`;
  return { kind: 'none', message };
}

/** Opens a recorded location in an editor and briefly highlights the line. */
export async function openCodeLocation(loc: CodeLocation, tags?: Record<string, string>, resolved?: vscode.Uri): Promise<vscode.TextEditor | undefined> {
  const uri = resolved ?? (await resolveCodePath(loc.filepath, tags?.[TAG.workspace]));
  if (!uri) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  const line = Math.min(Math.max(loc.lineno, 1), doc.lineCount) - 1;
  const text = doc.lineAt(line);
  const range = new vscode.Range(line, text.firstNonWhitespaceCharacterIndex, line, text.firstNonWhitespaceCharacterIndex);
  const editor = await vscode.window.showTextDocument(doc, { selection: range, preview: true, viewColumn: codeColumn() });
  editor.revealRange(text.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  flash(editor, text.range);
  return editor;
}

/** From the trace panel, code opens beside it so the panel stays in view; otherwise where code already is. */
function codeColumn(): vscode.ViewColumn {
  const active = vscode.window.tabGroups.activeTabGroup;
  if (active.activeTab?.input instanceof vscode.TabInputWebview) {
    const other = vscode.window.tabGroups.all.find((g) => g !== active && g.tabs.some((t) => t.input instanceof vscode.TabInputText));
    return other?.viewColumn ?? vscode.ViewColumn.Beside;
  }
  return vscode.window.activeTextEditor?.viewColumn ?? vscode.window.visibleTextEditors[0]?.viewColumn ?? vscode.ViewColumn.Active;
}

function flash(editor: vscode.TextEditor, range: vscode.Range): void {
  highlight ??= vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('editor.rangeHighlightBorder'),
  });
  const deco = highlight;
  editor.setDecorations(deco, [range]);
  setTimeout(() => editor.setDecorations(deco, []), HIGHLIGHT_MS);
}
