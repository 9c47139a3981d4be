// What covers the panel while no trace is on screen (loading, or failed with a Retry), and the
// banner above the panes for notices about the trace that is.
import type { Notifications } from '../src/contract/protocol';
import { clear, el, iconButton } from './dom';

export class Overlay {
  readonly root = el('div', { class: 'overlay' });

  show(message: string, progress: boolean): void {
    clear(this.root);
    this.root.hidden = false;
    if (progress) this.root.appendChild(el('vscode-progress-bar', { attrs: { 'aria-label': 'Loading' } }));
    this.root.appendChild(el('div', { class: 'overlay-message' }, message));
  }

  /** The trace could not be read: the message, and Retry when reading again may help. */
  showFailed(p: Notifications['failed'], retry: () => void): void {
    clear(this.root);
    this.root.hidden = false;
    this.root.appendChild(el('div', { class: 'overlay-message error' }, el('span', { class: 'codicon codicon-error' }), ' ', p.message));
    if (p.canRetry) {
      const button = el('vscode-button', { attrs: { icon: 'refresh' } }, 'Retry');
      button.addEventListener('click', retry);
      this.root.appendChild(button);
    }
  }

  hide(): void {
    this.root.hidden = true;
    clear(this.root);
  }
}

export class Banner {
  readonly root = el('div', { class: 'banner', role: 'status' });

  constructor() {
    this.root.hidden = true;
  }

  notice(message: string, severity: 'info' | 'warning' | 'error'): void {
    clear(this.root);
    this.root.className = `banner ${severity}`;
    this.root.append(el('span', { class: `codicon codicon-${severity === 'info' ? 'info' : severity}` }), el('span', { class: 'banner-text' }, message), iconButton('close', 'Dismiss', () => (this.root.hidden = true)));
    this.root.hidden = false;
  }
}
