// Shapes the Chat tab's renderers share.
import type { ChatView } from '../src/panel/protocol';
import type { Child } from './dom';
import type { ValueActions } from './longText';

export type Part = ChatView['request'][number]['parts'][number];

export interface ChatActions extends ValueActions {
  /** Ask the host to open a web link (it confirms through VS Code first). */
  openLink(url: string): void;
}

/** What a part shows: its class, icon, title pieces, and body (none for one-line parts). */
export interface PartView {
  cls: string;
  icon: string;
  title: Child[];
  body?: HTMLElement;
  /** Steps start open unless this says otherwise (thinking starts folded). */
  open?: boolean;
}
