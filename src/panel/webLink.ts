// Web links from trace content (search results, cited sources) are hostile input: only plain
// http(s) links without credentials, of a sane length, are handed to VS Code to open.

export function safeWebLink(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 8192) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return undefined;
  return u.href;
}
