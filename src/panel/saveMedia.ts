// "Save as…" for a medium in the panel: its bytes (recorded, or an MLflow attachment) written to
// a file the user picks in VS Code's save dialog. Nothing is written without that choice.
import * as vscode from 'vscode';
import type { SpanSource } from '../model/types';
import { extensionFor } from './media';
import { mediaBytes, mediaPartAt, type AttachmentFetch } from './mediaSource';
import type { ValueRef } from '../contract/protocol';

export async function saveMedia(trace: SpanSource, ref: ValueRef, attachments: AttachmentFetch, log: vscode.LogOutputChannel): Promise<vscode.Uri | undefined> {
  const part = mediaPartAt(trace, ref);
  if (!part) throw new Error('That medium is no longer in the trace (it may have been refreshed).');
  const got = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Gemini Trace: reading the medium…', cancellable: true }, (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return mediaBytes(part, trace.summary.id, attachments, Infinity, abort.signal);
  });
  if (typeof got === 'string') throw new Error(got);
  const span = trace.byId.get(ref.spanId);
  const base = (span?.name ?? 'media').replace(/[^\w.-]+/g, '_').slice(0, 60) || 'media';
  const index = ref.path.filter((x) => typeof x === 'number').join('-');
  const name = `${base}-${index || 'part'}.${extensionFor(part.mimeType, got)}`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: `Save ${part.mimeType ?? 'medium'} (${got.length.toLocaleString('en-US')} bytes)`,
    saveLabel: 'Save',
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(name),
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, got);
  log.info(`trace panel: saved ${got.length} bytes of ${part.mimeType ?? 'media'} from ${trace.summary.id} to ${target.fsPath}`);
  vscode.window.setStatusBarMessage(`$(check) Saved ${target.fsPath}`, 3000);
  return target;
}
