// Codicon glyphs as text, for the row canvas, which can only draw icons as characters of the
// codicon font. The code points are read from the codicon stylesheet itself (once per icon name),
// so the bundled font and the names never drift apart.

const cache = new Map<string, string>();

/** The character codicon `name` draws, or '' when the stylesheet does not know it (yet). */
export function glyph(name: string): string {
  const known = cache.get(name);
  if (known !== undefined) return known;
  const probe = document.createElement('span');
  probe.className = `codicon codicon-${name}`;
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  document.body.appendChild(probe);
  const content = getComputedStyle(probe, '::before').content;
  probe.remove();
  const g = /^(["'])(.+)\1$/su.exec(content)?.[2] ?? '';
  // A miss is not remembered: the stylesheet may still be loading.
  if (g) cache.set(name, g);
  return g;
}
