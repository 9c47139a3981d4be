// What the trace panel and the session view both do with a piece of trace content the webview
// points at: copy it, open it whole in an editor, save a medium's bytes, open a web link. One
// place, so both behave alike.
import * as vscode from 'vscode';
import type { SpanSource } from '../model/types';
import { fullValueText, VALUE_GONE } from './details';
import type { AttachmentFetch } from './mediaSource';
import { openWebLink } from './openLink';
import type { Commands, ValueRef } from '../contract/protocol';
import { saveMedia } from './saveMedia';

export interface ContentContext {
  /** The trace a ref belongs to, and the ref as it reads in that trace. */
  locate(ref: ValueRef): { trace: SpanSource; ref: ValueRef } | undefined;
  attachments: AttachmentFetch;
  log: vscode.LogOutputChannel;
  /** How the page is named in messages ("trace panel", "session view"). */
  where: string;
}

/** Handles the command when it is a content action; false for any other command. */
export async function contentAction(method: keyof Commands, p: Commands[keyof Commands], ctx: ContentContext): Promise<boolean> {
  switch (method) {
    case 'copy': {
      const c = p as Commands['copy'];
      await vscode.env.clipboard.writeText(c.text);
      vscode.window.setStatusBarMessage(`$(check) Copied ${c.what}`, 2500);
      return true;
    }
    case 'openInEditor': {
      const c = p as Commands['openInEditor'];
      const found = ctx.locate(c.ref);
      if (!found) throw new Error(VALUE_GONE);
      const text = fullValueText(found.trace, found.ref);
      const doc = await vscode.workspace.openTextDocument({ content: text, language: c.language ?? (/^\s*[[{]/.test(text) ? 'json' : 'markdown') });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
      return true;
    }
    case 'saveMedia': {
      const found = ctx.locate((p as Commands['saveMedia']).ref);
      if (found) await saveMedia(found.trace, found.ref, ctx.attachments, ctx.log);
      return true;
    }
    case 'openLink':
      await openWebLink((p as Commands['openLink']).url, ctx.where);
      return true;
    default:
      return false;
  }
}
