// How an ES module app's `import … from '@google/genai'` reaches the preload, without
// import-in-the-middle: the SDK's ESM build is one 1.2 MB file, and import-in-the-middle reads all
// of it to learn its export names before it can wrap it (about 15–25 ms of every traced start that
// loads the SDK). Only `GoogleGenAI` needs replacing, so the resolve hook points the bare specifier
// at a small module of ours instead, which re-exports the SDK's whole namespace (`export *` needs
// no names) and exports its own `GoogleGenAI`: the class as the preload's start-up makes it lazy
// (lazyGenAI.ts: tracing starts on a client's first use). A local export takes precedence over
// the star, so the app gets every other export as it is. Any other specifier, and the SDK's own
// file imported by URL (the benchmarks' untraced twin), load untouched.
//
// Used in both hook forms (esmHooks.ts: in the app's thread; genaiLoader.ts: Node 20's loader
// thread); pure, so both share it.

import { LAZY_GENAI } from './hooked';

const SPECIFIER = '@google/genai';
const MARK = 'gemini-trace=genai';

/** The URL our module is loaded under when `specifier` resolved to `url`, or undefined to leave it. */
export function redirect(specifier: string, url: string, format: string | null | undefined): string | undefined {
  // Only the SDK's ESM build: a CommonJS one is require-hooked (instrumentation.ts).
  if (specifier !== SPECIFIER || !url.startsWith('file:') || url.includes(MARK)) return undefined;
  if (format !== 'module' && !(format == null && url.endsWith('.mjs'))) return undefined;
  return `${url}${url.includes('?') ? '&' : '?'}${MARK}`;
}

/** Our module's source when `url` is a URL redirect() made, else undefined. */
export function wrapperSource(url: string): string | undefined {
  const at = url.indexOf(MARK);
  if (at < 0) return undefined;
  const original = url.slice(0, at - 1) + url.slice(at + MARK.length);
  const sdk = JSON.stringify(original);
  return [
    `import * as sdk from ${sdk};`,
    `export * from ${sdk};`,
    'let traced = sdk.GoogleGenAI;',
    'try {',
    `  traced = globalThis[Symbol.for(${JSON.stringify(LAZY_GENAI.description)})]?.(traced) ?? traced;`,
    '} catch {}',
    'export { traced as GoogleGenAI };',
    '',
  ].join('\n');
}
