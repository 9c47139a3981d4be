// Random JSON documents for the parser tests: nested containers of hostile strings, big and small
// numbers and whitespace, one in five broken somewhere (to compare errors too). Deterministic.

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomJsonDocs(seed: number, count: number): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const str = () => JSON.stringify(pick(['', 'a', 'é"\\', '\u2028', '😀', '{"x": 1}', '1767225600123456789']) + 'x'.repeat(Math.floor(r() * 5)));
  const num = () => pick(['0', '-1', '3.25', '1e21', '12345678901234567890', '-9007199254740993', '9007199254740991']);
  const ws = () => pick([' ', '', '\n', '\t ']);
  const value = (depth: number): string => {
    const k = r();
    if (depth > 4 || k < 0.3) return pick([str, num, () => 'true', () => 'null'])();
    const n = Math.floor(r() * 5);
    if (k < 0.65) return `[${ws()}${Array.from({ length: n }, () => value(depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
    return `{${ws()}${Array.from({ length: n }, () => `${str()}${ws()}:${ws()}${value(depth + 1)}`).join(',')}${ws()}}`;
  };
  const docs: string[] = [];
  for (let k = 0; k < count; k++) {
    let text = ws() + value(0) + ws();
    if (k % 5 === 4) {
      const at = Math.floor(r() * text.length);
      text = text.slice(0, at) + pick([',', '}', '"', '']) + text.slice(at + 1);
    }
    docs.push(text);
  }
  return docs;
}
