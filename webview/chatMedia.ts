// Media in a model call: images as thumbnails (size and dimensions, a click enlarges them), audio
// in an <audio> player, video, PDFs and unknown types as metadata with "Save as…". Bytes are asked
// of the host only when a medium scrolls into view, and arrive as a data: URI the host built from
// the trace's own bytes: the only image and media source the panel's CSP allows. A file or URL
// reference is shown as text and never loaded.
import type { ValueRef } from '../src/contract/protocol';
import type { MediaResult } from '../src/contract/protocol';
import { clear, el, icon, linkButton } from './dom';
import { bytes, count, duration } from './format';
import type { ChatActions, Part, PartView } from './chatTypes';
import { textOf } from './longText';
import { errorMessage } from '../src/shared/errors';

type Media = Extract<Part, { kind: 'media' }>;

const KIND_ICON: Record<string, string> = { image: 'file-media', audio: 'unmute', video: 'device-camera-video', application: 'file-pdf' };

function kindOf(mime: string): string {
  return mime.split('/')[0] ?? '';
}

function facts(p: Media, extra: string[] = []): string {
  const out = [textOf(p.mimeType) || 'unknown type'];
  if (typeof p.bytes === 'number') out.push(bytes(p.bytes));
  if (typeof p.durationMs === 'number') out.push(duration(p.durationMs));
  if (typeof p.chunks === 'number') out.push(`${count(p.chunks)} chunks`);
  return [...out, ...extra].join(' · ');
}

/** Asks for the bytes once the element is (nearly) on screen: a trace of many images costs
 *  nothing until it is scrolled to. */
const watcher = typeof IntersectionObserver === 'function'
  ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        watcher?.unobserve(e.target);
        (e.target as HTMLElement & { gtLoad?: () => void }).gtLoad?.();
      }
    }, { rootMargin: '200px' })
  : undefined;

export function mediaView(p: Media, ref: ValueRef, ctx: ChatActions): PartView {
  const mime = textOf(p.mimeType);
  const kind = kindOf(mime);
  const ico = KIND_ICON[kind] ?? (mime === 'application/pdf' ? 'file-pdf' : 'file-binary');
  if (p.uri) return { cls: 'part-data', icon: 'file', title: [' File: ', el('span', { class: 'md-link' }, textOf(p.uri)), mime ? ` (${mime})` : ''] };
  // The host posts `data` as '' when it holds the bytes (panel/details.ts); an attachment it fetches.
  if (p.data === undefined && !p.attachment) {
    return { cls: 'part-data media-meta', icon: ico, title: [` ${facts(p)}`, el('span', { class: 'muted' }, ` — bytes not recorded${p.elided ? `: ${textOf(p.elided)}` : ''}`)] };
  }
  const box = el('div', { class: `media media-${kind || 'other'}`, attrs: { 'data-state': 'waiting' } });
  const caption = el('div', { class: 'media-caption' }, icon(ico), ` ${facts(p)}`);
  const body = el('div', { class: 'media-body' });
  box.append(body, caption);
  if (kind === 'image' || kind === 'audio') {
    body.appendChild(el('div', { class: 'media-loading muted' }, icon('loading', 'codicon-modifier-spin'), ' Loading…'));
    (box as HTMLElement & { gtLoad?: () => void }).gtLoad = () => void load(box, body, caption, p, ref, ctx);
    if (watcher) watcher.observe(box);
    else queueMicrotask(() => (box as HTMLElement & { gtLoad?: () => void }).gtLoad?.());
  } else {
    showMetadata(box, body, p, ref, ctx, kind === 'video' ? 'Video is not played in the panel.' : mime === 'application/pdf' ? 'PDF documents are not shown in the panel.' : `The panel does not show ${mime || 'content of an unknown type'}.`, true);
  }
  return { cls: 'part-media', icon: ico, title: [` ${kind === 'image' ? 'Image' : kind === 'audio' ? 'Audio' : kind === 'video' ? 'Video' : 'Media'}`], body: box };
}

/** One medium in flight at a time: megabytes arriving together would all be parsed in one frame. */
let queue: Promise<unknown> = Promise.resolve();

async function load(box: HTMLElement, body: HTMLElement, caption: HTMLElement, p: Media, ref: ValueRef, ctx: ChatActions): Promise<void> {
  box.dataset.state = 'loading';
  let r: MediaResult;
  const ask = queue.then(() => ctx.media(ref));
  queue = ask.catch(() => undefined);
  try {
    r = await ask;
  } catch (e) {
    r = { kind: 'metadata', reason: `Could not load it: ${errorMessage(e)}`, canSave: false };
  }
  if (r.kind !== 'shown') {
    showMetadata(box, body, p, ref, ctx, r.reason, r.canSave);
    return;
  }
  clear(body);
  // Only a data: URI of the kind asked for is ever assigned as a source (the CSP would refuse
  // anything else; this keeps a confused host from trying).
  const expected = r.as === 'image' ? 'data:image/' : 'data:audio/';
  if (typeof r.dataUri !== 'string' || !r.dataUri.startsWith(expected)) {
    showMetadata(box, body, p, ref, ctx, 'The host sent an unexpected source.', false);
    return;
  }
  const dims = r.width && r.height ? [`${r.width}×${r.height}`] : [];
  clear(caption);
  caption.append(icon(r.as === 'image' ? 'file-media' : 'unmute'), ` ${[r.mimeType, bytes(r.bytes), ...dims].join(' · ')}`, r.note ? el('span', { class: 'muted' }, ` (${r.note})`) : '', ' ', saveButton(ref, ctx));
  if (r.as === 'image') {
    const img = el('img', { class: 'media-thumb', attrs: { alt: `${r.mimeType} image${dims.length ? `, ${dims[0]}` : ''}`, decoding: 'async' } });
    img.src = r.dataUri;
    // Decoded off the main thread before it is placed, so placing it costs a frame nothing.
    await img.decode().catch(() => undefined);
    const open = el('button', { class: 'media-open', title: 'Enlarge (Enter); Escape closes', attrs: { type: 'button', 'aria-label': `Enlarge the ${r.mimeType} image` }, on: { click: () => enlarge(r.dataUri, img.alt) } }, img);
    body.appendChild(open);
  } else {
    const audio = el('audio', { class: 'media-audio', attrs: { controls: '', preload: 'metadata', 'aria-label': `${r.mimeType} audio` } });
    audio.src = r.dataUri;
    body.appendChild(audio);
  }
  box.dataset.state = 'shown';
}

function showMetadata(box: HTMLElement, body: HTMLElement, _p: Media, ref: ValueRef, ctx: ChatActions, reason: string, canSave: boolean): void {
  clear(body);
  body.append(el('div', { class: 'media-reason muted' }, icon('info'), ` ${reason}`));
  if (canSave) body.append(saveButton(ref, ctx));
  box.dataset.state = 'metadata';
}

function saveButton(ref: ValueRef, ctx: ChatActions): HTMLElement {
  return linkButton('Save as…', 'Save these bytes to a file (VS Code asks where)', () => ctx.saveMedia(ref), 'media-save');
}

/** The image at full size over the panel; Escape, a click or the close button puts it away. */
function enlarge(src: string, alt: string): void {
  const before = document.activeElement as HTMLElement | null;
  const img = el('img', { class: 'lightbox-image', attrs: { alt } });
  img.src = src;
  const close = el('button', { class: 'icon-button lightbox-close', title: 'Close (Escape)', attrs: { type: 'button', 'aria-label': 'Close' } }, icon('close'));
  const overlay = el('div', { class: 'lightbox', role: 'dialog', attrs: { 'aria-modal': 'true', 'aria-label': alt }, tabIndex: -1 }, close, img);
  const done = () => {
    overlay.remove();
    before?.focus();
  };
  overlay.addEventListener('click', (e) => {
    if (e.target === overlay || e.target === img || (e.target as Element).closest('.lightbox-close')) done();
  });
  overlay.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      e.stopPropagation();
      done();
    }
  });
  document.body.appendChild(overlay);
  close.focus();
}
