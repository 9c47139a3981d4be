// Shapes the Chat tab's renderers share.
import type { MediaResult } from '../src/contract/protocol';
import type { ChatView, ValueRef } from '../src/contract/protocol';
import type { Child } from './dom';
import type { ValueActions } from './longText';

export type Part = ChatView['request'][number]['parts'][number];

export interface ChatActions extends ValueActions {
  /** Ask the host to open a web link (it confirms through VS Code first). */
  openLink(url: string): void;
  /** Ask the host for a medium's bytes (a data: URI), or why it is not shown. */
  media(ref: ValueRef): Promise<MediaResult>;
  /** Ask the host to save a medium's bytes to a file the user picks. */
  saveMedia(ref: ValueRef): void;
}

/** The grounding of the answer a part belongs to, when it has one. */
export type PartGrounding = NonNullable<ChatView['response'][number]['grounding']>;

/** What a part shows: its class, icon, title pieces, and body (none for one-line parts). */
export interface PartView {
  cls: string;
  icon: string;
  title: Child[];
  body?: HTMLElement;
  /** Steps start open unless this says otherwise (thinking starts folded). */
  open?: boolean;
}
