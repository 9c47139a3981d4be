// "⟲ 1.2 s · 812 tok · 3 calls in last run · ✗ 1 error" above each Gemini call site that has
// spans, and a hover with the last prompt and response. Hints follow the code through edits by
// the text of the line they were made on, and hide when that is ambiguous.
import * as vscode from 'vscode';
import { setting } from '../contributions/settings';
import { COMMAND } from '../contributions/ids';
import { formatLatency } from '../shared/format';
import type { TraceRef } from '../shared/traceRef';
import { reanchor } from './anchor';
import type { CallSiteIndex, SiteCall } from './callSites';

const LANGUAGES = ['javascript', 'typescript', 'javascriptreact', 'typescriptreact', 'python'];
export const CODELENS_SELECTOR: vscode.DocumentSelector = LANGUAGES.flatMap((language) => [{ language, scheme: 'file' }]);

/** The hint text for the calls at one site, newest first. */
export function lensTitle(calls: SiteCall[]): string {
  const latest = calls[0];
  const inRun = calls.filter((c) => c.runId === latest.runId);
  const errors = inRun.filter((c) => c.error).length;
  const parts = [`⟲ ${formatLatency(latest.durationMs)}`, `${latest.tokens} tok`, `${inRun.length} call${inRun.length === 1 ? '' : 's'} in last run`];
  if (errors) parts.push(`✗ ${errors} error${errors === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

interface Anchored {
  line: number;
  calls: SiteCall[];
}

export class CallSiteHints implements vscode.CodeLensProvider, vscode.HoverProvider {
  /** Line text at the recorded line, per "file:line", taken from the file as saved on disk. */
  private readonly anchors = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly index: CallSiteIndex) {
    index.onDidChange(() => this.emitter.fire());
  }

  refresh(): void {
    this.emitter.fire();
  }

  private enabled(): boolean {
    return setting('codeLens.enabled');
  }

  private async anchored(doc: vscode.TextDocument): Promise<Anchored[]> {
    const sites = this.index.callsIn(doc.uri.fsPath);
    if (!sites?.size) return [];
    const lines = doc.getText().split(/\r?\n/);
    let disk: string[] | undefined;
    const out: Anchored[] = [];
    for (const [lineno, calls] of sites) {
      const key = `${doc.uri.fsPath}:${lineno}`;
      let text = this.anchors.get(key);
      if (text === undefined) {
        // The saved file is the nearest thing to what ran; an unsaved buffer may already differ.
        if (doc.isDirty) disk ??= await readLines(doc.uri);
        text = (doc.isDirty ? disk : lines)?.[lineno - 1] ?? '';
        this.anchors.set(key, text);
      }
      const line = reanchor(lineno - 1, text, lines);
      if (line !== undefined) out.push({ line, calls });
    }
    return out;
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.enabled()) return [];
    return (await this.anchored(doc)).map(({ line, calls }) => {
      const ref: TraceRef = { traceId: calls[0].traceId, spanId: calls[0].spanId };
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: lensTitle(calls),
        tooltip: 'Open the latest trace of this Gemini call',
        command: COMMAND.openTrace,
        arguments: [ref],
      });
    });
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!this.enabled()) return undefined;
    const site = (await this.anchored(doc)).find((a) => a.line === pos.line);
    if (!site) return undefined;
    const [latest, previous] = site.calls;
    const md = new vscode.MarkdownString(undefined, true);
    // Only our own two commands may run from this hover; prompt text sits in code fences, so any
    // link or HTML inside a prompt is shown as characters, never rendered.
    md.isTrusted = { enabledCommands: [COMMAND.openTrace, COMMAND.compare] };
    md.supportHtml = false;
    md.appendMarkdown(`**Gemini call** — ${lensTitle(site.calls)}\n\n`);
    md.appendMarkdown('Prompt:\n');
    md.appendCodeblock(truncate(latest.prompt || '(not recorded)'), 'text');
    md.appendMarkdown('Response:\n');
    md.appendCodeblock(truncate(latest.response || (latest.error ? '(the call failed)' : '(not recorded)')), 'text');
    const open = encodeURIComponent(JSON.stringify([{ traceId: latest.traceId, spanId: latest.spanId }]));
    md.appendMarkdown(`[Open trace](command:geminiTrace.openTrace?${open})`);
    if (previous) {
      const args = encodeURIComponent(
        JSON.stringify([{ left: { traceId: previous.traceId, spanId: previous.spanId }, right: { traceId: latest.traceId, spanId: latest.spanId } }]),
      );
      md.appendMarkdown(` · [Diff with previous](command:geminiTrace.compare?${args})`);
    }
    return new vscode.Hover(md, doc.lineAt(pos.line).range);
  }
}

function truncate(s: string, max = 600): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

async function readLines(uri: vscode.Uri): Promise<string[] | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).split(/\r?\n/);
  } catch {
    return undefined;
  }
}
