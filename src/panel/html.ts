// The panel's HTML shell: no trace content ever goes in here (the webview fetches it by message
// and draws it with textContent), one script tag carrying a fresh nonce, and a policy that allows
// nothing else: no inline script, no eval, no remote source of any kind; images and audio only
// from data: URIs the host made from the trace's own bytes.
import { randomBytes } from 'node:crypto';

export interface ShellUris {
  /** `webview.cspSource`. */
  cspSource: string;
  script: string;
  codicons: string;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, (c) => ({ '+': '-', '/': '_', '=': '' })[c] ?? '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The web components adopt constructed stylesheets, which this policy does not govern; only
    // the codicon sheet is loaded by URL.
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    // Media from the trace arrive as data: URIs built by the host (panel/media.ts), never by URL.
    `img-src ${cspSource} data:`,
    'media-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** `view`: which page the webview bundle draws (webview/main.ts reads it from <body>). */
export function panelHtml(uris: ShellUris, nonce = newNonce(), title = 'Gemini Trace', view: 'trace' | 'session' = 'trace'): string {
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(uris.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${attr(uris.codicons)}">
<title>${attr(title)}</title>
</head>
<body data-view="${view}">
<script nonce="${attr(nonce)}" src="${attr(uris.script)}"></script>
</body>
</html>`;
}
