// Media bytes made safe to show: decoded from the recorded base64, checked against what they claim
// to be (a PNG must start like a PNG), sized, and handed to the webview as a `data:` URI, the only
// source its Content-Security-Policy allows for images and audio. Raw PCM (Gemini's speech output)
// is wrapped in a WAV header so an <audio> element can play it. Pure: no vscode.
import type { MediaResult } from '../contract/protocol';


/** Bytes above this are not posted to the webview: it offers "Save as…" instead. */
export const MEDIA_RENDER_LIMIT = 10 * 1024 * 1024;

export type MediaKind = 'image' | 'audio' | 'video' | 'pdf' | 'other';

const IMAGE = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/webp', 'image/gif']);

export function mediaKind(mime: string | undefined): MediaKind {
  const m = (mime ?? '').toLowerCase();
  if (m.startsWith('image/')) return 'image';
  if (m.startsWith('audio/')) return 'audio';
  if (m.startsWith('video/')) return 'video';
  if (m === 'application/pdf') return 'pdf';
  return 'other';
}

/** Base64 (or a `data:` URI) → bytes, or undefined when it is not base64 at all. */
export function decodeBase64(text: string): Buffer | undefined {
  const body = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
  const t = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
}

/** What the first bytes say the content is (a few formats the panel can show or name). */
export function sniff(b: Buffer): string | undefined {
  const ascii = (at: number, s: string) => b.length >= at + s.length && b.toString('latin1', at, at + s.length) === s;
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'RIFF') && ascii(8, 'WAVE')) return 'audio/wav';
  if (ascii(0, 'OggS')) return 'audio/ogg';
  if (ascii(0, 'fLaC')) return 'audio/flac';
  if (ascii(0, 'ID3') || (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0)) return 'audio/mpeg';
  if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
  if (ascii(4, 'ftyp')) return 'video/mp4';
  if (ascii(0, '%PDF')) return 'application/pdf';
  return undefined;
}

/** Width and height from a PNG, GIF, WebP or JPEG header; undefined when it cannot tell. */
export function imageSize(b: Buffer, type: string): { width: number; height: number } | undefined {
  try {
    if (type === 'image/png' && b.length >= 24) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    if (type === 'image/gif' && b.length >= 10) return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
    if (type === 'image/webp' && b.length >= 30) {
      const chunk = b.toString('latin1', 12, 16);
      if (chunk === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
      if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
      if (chunk === 'VP8L') {
        const bits = b.readUInt32LE(21);
        return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
      }
    }
    if (type === 'image/jpeg') {
      let i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) return undefined;
        const marker = b[i + 1];
        const len = b.readUInt16BE(i + 2);
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
        i += 2 + len;
      }
    }
  } catch {
    /* a truncated header: no size */
  }
  return undefined;
}

/** `audio/L16;codec=pcm;rate=24000` (Gemini's speech) or `audio/pcm;rate=16000` → its sample rate;
 *  undefined for any other type. */
export function pcmRate(mime: string): number | undefined {
  const [base, ...params] = mime.toLowerCase().split(';').map((s) => s.trim());
  if (base !== 'audio/l16' && base !== 'audio/pcm' && !params.includes('codec=pcm')) return undefined;
  const rate = params.map((p) => /^rate=(\d+)$/.exec(p)).find(Boolean);
  const n = rate ? Number(rate[1]) : 24000;
  return n >= 1000 && n <= 192000 ? n : 24000;
}

/** 16-bit little-endian mono PCM (what Gemini sends) behind a 44-byte WAV header. */
export function wavFromPcm(pcm: Buffer, rate: number, channels = 1): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

export const bytesText = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

/** How the panel shows these bytes, which claim to be `declared`. `base64`: the bytes' own
 *  recorded encoding when it is plain standard base64, reused instead of encoding them again. */
export function presentMedia(b: Buffer, declared: string | undefined, base64?: string): MediaResult {
  const mime = (declared ?? '').toLowerCase();
  const seen = sniff(b);
  const kind = mediaKind(mime || seen);
  const meta = (reason: string): MediaResult => ({ kind: 'metadata', reason, mimeType: declared ?? seen, bytes: b.length, canSave: true });
  if (b.length > MEDIA_RENDER_LIMIT) return meta(`${bytesText(b.length)} is over the panel's ${bytesText(MEDIA_RENDER_LIMIT)} limit for showing media.`);
  if (kind === 'image') {
    // Only formats every webview decodes, and only when the bytes agree (SVG, which can carry
    // script, is never shown).
    if (!seen || !IMAGE.has(seen)) return meta(`The bytes are not a PNG, JPEG, WebP or GIF image${declared ? ` (declared ${declared})` : ''}.`);
    const said = mime.replace(/^image\/jpg$/, 'image/jpeg');
    return { ...shown('image', seen, b, base64), ...(said && said !== seen ? { note: `declared ${declared}, but the bytes are ${seen}` } : {}) };
  }
  if (kind === 'audio') {
    const rate = pcmRate(mime);
    if (rate !== undefined && seen !== 'audio/wav') return { ...shown('audio', 'audio/wav', wavFromPcm(b, rate)), bytes: b.length, note: `raw PCM at ${rate} Hz, played as WAV` };
    if (seen && seen.startsWith('audio/')) return shown('audio', seen, b, base64);
    if (seen === 'video/webm') return shown('audio', 'audio/webm', b, base64);
    return meta(`The panel cannot play ${declared ?? 'this audio'}: the bytes are not WAV, MP3, Ogg, FLAC or WebM audio.`);
  }
  if (kind === 'video') return meta('Video is not played in the panel.');
  if (kind === 'pdf') return meta('PDF documents are not shown in the panel.');
  return meta(`The panel does not show ${declared || 'content of an unknown type'}.`);
}

function shown(as: 'image' | 'audio', mimeType: string, b: Buffer, base64?: string): Extract<MediaResult, { kind: 'shown' }> {
  const out: Extract<MediaResult, { kind: 'shown' }> = { kind: 'shown', as, mimeType, bytes: b.length, dataUri: `data:${mimeType};base64,${base64 ?? b.toString('base64')}` };
  if (as === 'image') Object.assign(out, imageSize(b, mimeType) ?? {});
  return out;
}

/** A file name extension for saving. */
export function extensionFor(mime: string | undefined, b?: Buffer): string {
  const m = ((b && sniff(b)) ?? mime ?? '').toLowerCase().split(';')[0];
  const known: Record<string, string> = {
    'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/svg+xml': 'svg', 'image/heic': 'heic',
    'audio/wav': 'wav', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/ogg': 'ogg', 'audio/flac': 'flac', 'audio/webm': 'weba', 'audio/l16': 'pcm', 'audio/pcm': 'pcm',
    'video/mp4': 'mp4', 'video/webm': 'webm', 'video/quicktime': 'mov', 'application/pdf': 'pdf', 'text/plain': 'txt', 'application/json': 'json',
  };
  return known[m] ?? 'bin';
}
