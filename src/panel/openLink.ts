// A web link from a webview (a cited source, a search result): opened only if it is a plain
// http(s) URL, and only through openExternal, which asks the user first (VS Code's link
// protection) unless they trusted the site. The webviews themselves never navigate.
import * as vscode from 'vscode';
import { safeWebLink } from './webLink';

export async function openWebLink(url: unknown, where: string): Promise<void> {
  const safe = safeWebLink(url);
  if (!safe) throw new Error(`Only http and https links open from the ${where}.`);
  await vscode.env.openExternal(vscode.Uri.parse(safe, true));
}
