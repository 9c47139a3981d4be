// Replay: a model call opened as an editable request ("Replay…" on a span), sent again to the
// Gemini endpoint the original used ("Send", after a confirmation each time, with the API key from
// SecretStorage or GEMINI_API_KEY, asked for once), traced as a new trace in the "replays" run, and
// its answer opened in VS Code's diff editor against the original's.
import * as vscode from 'vscode';
import { setting } from '../contributions/settings';
import { COMMAND, CONTEXT, STORAGE } from '../contributions/ids';
import { diffUri } from '../diff/documents';
import { toTraceRef } from '../shared/traceRef';
import type { Services } from '../core/services';
import { replayTrace, type ReplayResult } from './otlp';
import { parseReplayDocument, replayDocument, replayOrigin, restRequest, sseChunks, type ReplayOrigin } from './request';
import { errorMessage } from '../shared/errors';

/** Where requests go when neither the trace nor the settings name an endpoint: Google's own. */
const DEFAULT_BASE = 'https://generativelanguage.googleapis.com';
const SEND_TIMEOUT_MS = 180_000;

export function registerReplay(services: Services): void {
  const docs = new Map<string, ReplayOrigin>();
  const lenses = new vscode.EventEmitter<void>();
  const isReplay = (d: vscode.TextDocument | undefined) => !!d && docs.has(d.uri.toString());
  const updateContext = () => void vscode.commands.executeCommand('setContext', CONTEXT.replayDoc, isReplay(vscode.window.activeTextEditor?.document));
  services.context.subscriptions.push(
    lenses,
    vscode.commands.registerCommand(COMMAND.replay, async (arg?: unknown) => {
      const ref = toTraceRef(arg);
      if (!ref?.spanId) {
        void vscode.window.showErrorMessage('Gemini Trace: Replay needs a model-call span. Pick one in the Traces view or the trace panel.');
        return undefined;
      }
      const trace = await services.traces.get(ref.traceId);
      const span = trace.byId.get(ref.spanId);
      const origin = span ? replayOrigin(span, ref.traceId, ref.experimentId ?? trace.summary.experimentId) : `Span ${ref.spanId} is not in trace ${ref.traceId}.`;
      if (typeof origin === 'string') {
        void vscode.window.showErrorMessage(`Gemini Trace: ${origin}`);
        return undefined;
      }
      const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content: replayDocument(span!, origin) });
      docs.set(doc.uri.toString(), origin);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside });
      lenses.fire();
      updateContext();
      return doc.uri;
    }),
    vscode.commands.registerCommand(COMMAND.replaySend, (uri?: vscode.Uri, opts?: { confirmed?: boolean }) => {
      const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : vscode.window.activeTextEditor?.document;
      const origin = doc && docs.get(doc.uri.toString());
      if (!doc || !origin) {
        void vscode.window.showErrorMessage('Gemini Trace: Send works on a replay document: run "Replay…" on a model-call span first.');
        return undefined;
      }
      // Skipping the confirmation is for the extension's own tests only.
      return send(services, doc, origin, opts?.confirmed === true && services.context.extensionMode === vscode.ExtensionMode.Test);
    }),
    vscode.commands.registerCommand(COMMAND.replaySetApiKey, async () => {
      const key = await askKey();
      if (key) await services.context.secrets.store(STORAGE.geminiApiKey, key);
    }),
    vscode.languages.registerCodeLensProvider({ language: 'jsonc', scheme: 'untitled' }, {
      onDidChangeCodeLenses: lenses.event,
      provideCodeLenses: (d) => {
        const o = docs.get(d.uri.toString());
        if (!o) return [];
        const top = new vscode.Range(0, 0, 0, 0);
        return [
          new vscode.CodeLens(top, { title: '$(play) Send to Gemini', command: COMMAND.replaySend, arguments: [d.uri], tooltip: 'Send this request (you confirm first), trace it, and diff the answer with the original' }),
          new vscode.CodeLens(top, { title: '$(key) Set Gemini API Key…', command: COMMAND.replaySetApiKey }),
        ];
      },
    }),
    vscode.window.onDidChangeActiveTextEditor(updateContext),
    vscode.workspace.onDidCloseTextDocument((d) => docs.delete(d.uri.toString())),
  );
}

async function askKey(): Promise<string | undefined> {
  const key = await vscode.window.showInputBox({ title: 'Gemini API Key', prompt: 'Used to send replays. Kept in VS Code\'s secret storage, never in settings or traces.', password: true, ignoreFocusOut: true });
  return key?.trim() || undefined;
}

/** SecretStorage, else GEMINI_API_KEY (or GOOGLE_API_KEY) from VS Code's environment, else asked for once and kept. */
async function apiKey(services: Services): Promise<string | undefined> {
  const stored = await services.context.secrets.get(STORAGE.geminiApiKey);
  if (stored) return stored;
  const env = process.env.GEMINI_API_KEY || process.env.GOOGLE_API_KEY;
  if (env) return env;
  const asked = await askKey();
  if (asked) await services.context.secrets.store(STORAGE.geminiApiKey, asked);
  return asked;
}

async function send(services: Services, doc: vscode.TextDocument, origin: ReplayOrigin, confirmed: boolean): Promise<{ traceId: string; spanId: string } | undefined> {
  const parsed = parseReplayDocument(doc.getText());
  if (!parsed.ok) {
    void vscode.window.showErrorMessage(`Gemini Trace: ${parsed.message}`);
    return undefined;
  }
  const fallback = setting('replay.baseUrl').trim() || process.env.GOOGLE_GEMINI_BASE_URL || DEFAULT_BASE;
  let http: ReturnType<typeof restRequest>;
  try {
    http = restRequest(origin, parsed.request, fallback);
  } catch (e) {
    void vscode.window.showErrorMessage(`Gemini Trace: ${errorMessage(e)}`);
    return undefined;
  }
  const target = new URL(http.url);
  if (!confirmed) {
    const elsewhere = target.origin !== new URL(DEFAULT_BASE).origin ? `\n\nThis is not Google's Gemini endpoint: your API key goes to ${target.origin}.` : '';
    const ok = await vscode.window.showWarningMessage(
      `Send this request to ${http.model ?? origin.api} at ${target.origin}?`,
      { modal: true, detail: `${origin.api === 'interactions' ? 'interactions.create' : target.pathname.split(':').pop()} with your Gemini API key; it is billed like any call and traced in the "replays" run.${elsewhere}` },
      'Send',
    );
    if (ok !== 'Send') return undefined;
  }
  const key = await apiKey(services);
  if (!key) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Replaying ${origin.spanName}…`, cancellable: true }, async (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
    const startMs = Date.now();
    const base = http.url.slice(0, http.url.indexOf(`/${origin.apiVersion ?? 'v1beta'}/`));
    const r: ReplayResult = { origin, request: parsed.request, model: http.model, url: http.url, base, startMs, endMs: startMs, outputs: null };
    try {
      const res = await fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': key }, body: JSON.stringify(http.body), signal: abort.signal });
      const text = await res.text();
      r.endMs = Date.now();
      r.outputs = res.ok && origin.stream ? sseChunks(text) : safeJson(text);
      if (!res.ok) r.error = `Gemini answered ${res.status}: ${apiErrorMessage(r.outputs) ?? text.slice(0, 300)}`;
    } catch (e) {
      r.endMs = Date.now();
      r.error = abort.signal.aborted ? (token.isCancellationRequested ? 'Cancelled.' : `No answer within ${SEND_TIMEOUT_MS / 1000} s.`) : `The request failed: ${errorMessage(e)}`;
      r.outputs = { error: r.error };
    } finally {
      clearTimeout(timer);
    }
    return r;
  });
  const experimentId = origin.experimentId ?? (await services.traces.get(origin.traceId)).summary.experimentId;
  if (!experimentId) throw new Error('The original trace\'s experiment is unknown, so the replay cannot be traced beside it.');
  const { traceId, spanId, body } = replayTrace(result);
  const client = services.connection.client();
  await client.logSpans(experimentId, body);
  services.log.info(`replay: ${origin.spanName} from ${origin.traceId} sent to ${target.origin}${result.error ? ` (${result.error})` : ''}; traced as ${traceId}`);
  if (result.error) void vscode.window.showErrorMessage(`Gemini Trace: the replay failed: ${result.error} It is traced as ${traceId}.`);
  // The diff reads the new trace back from MLflow, as any trace.
  for (let i = 0; i < 20; i++) {
    try {
      await client.getTraceInfo(traceId);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const label = `${origin.spanName}`;
  await vscode.commands.executeCommand('vscode.diff', diffUri({ traceId: origin.traceId, spanId: origin.spanId }, 'response', label), diffUri({ traceId, spanId }, 'response', `${label} (replay)`), `${label}: original ↔ replay`);
  return { traceId, spanId };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function apiErrorMessage(v: unknown): string | undefined {
  const e = v && typeof v === 'object' ? (v as { error?: { message?: unknown } }).error : undefined;
  return typeof e?.message === 'string' ? e.message : undefined;
}
