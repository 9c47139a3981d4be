// The trace panel's webview entry. Loads only the web components the panel uses (the bundle
// budget is 400 KB), adopts the panel's stylesheets (constructed sheets need no inline styles
// under the CSP), and starts the app once the host channel is open.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-split-layout/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { App } from './app';
import baseCss from './base.css';
import compareCss from './compare.css';
import detailsCss from './details.css';
import mediaCss from './media.css';
import timelineCss from './timeline.css';
import { Host } from './rpc';
import { SessionApp } from './sessionApp';

function adoptStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`${baseCss}\n${timelineCss}\n${detailsCss}\n${mediaCss}\n${compareCss}`);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

function start(): void {
  adoptStyles();
  const host = new Host();
  // One bundle, two pages: the shell says which (src/panel/html.ts).
  const app = document.body.dataset.view === 'session' ? new SessionApp(host) : new App(host);
  document.body.appendChild(app.root);
  host.command('ready', {});
}

start();
