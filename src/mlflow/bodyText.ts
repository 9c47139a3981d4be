// A response body as text, decoded chunk by chunk as it arrives. `Response.text()` decodes the
// whole body in one call once it is all in: for a 100,000-span traces.json (84 MB) that blocked
// the extension host, which every extension shares, for 200–300 ms (bench/host-read.mjs).

export async function bodyText(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder(); // UTF-8, replacing bad bytes and dropping a BOM, as text() does
  const parts: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}
