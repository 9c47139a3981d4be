// Keeps a call-site hint on the right line after edits. A span records the line number at run
// time; we also keep that line's text. After edits, the hint goes to the line holding the same
// text, and is hidden when no line, or more than one equally near line, holds it.

/** 0-based line now holding `text`, or undefined when unsure. */
export function reanchor(line: number, text: string, lines: readonly string[]): number | undefined {
  const want = text.trim();
  if (!want) return undefined;
  if (lines[line]?.trim() === want) return line;
  let best: number | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== want) continue;
    const d = Math.abs(i - line);
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) tie = true;
  }
  return tie ? undefined : best;
}
