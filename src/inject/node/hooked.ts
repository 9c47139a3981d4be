// The modules the preload hooks as they load, for import-in-the-middle's loader (esmHooks.ts): an
// ESM module is wrapped only when listed here, so every other module loads untouched. CommonJS
// loads are matched by require-in-the-middle against the same packages (instrumentation.ts).
// - bare names: the package's main entry imported by that specifier;
// - patterns: files of a package, by their resolved URL — the AI SDK's entry and LangChain's
//   callback manager and entry points, which the package's own modules import by relative path.
// Every hook only patches: a module loads as it would, with the same exports.
// `@google/genai` is not here: its ESM build gets a lighter hook of its own (genaiModule.ts).
export const ESM_HOOKED: Array<string | RegExp> = [
  '@google/generative-ai',
  'openai',
  '@langchain/google-genai',
  'genkit',
  // AI SDK 6's ESM build (AI SDK 7, `type: module`, is traced without a module hook: its entry,
  // dist/index.js, stays unwrapped).
  /\/node_modules\/ai\/dist\/index\.mjs$/,
  // LangChain's callback manager and the files whose entry points carry the app's line
  // (frameworks/langchain.ts).
  /\/node_modules\/@langchain\/core\/dist\/(callbacks\/manager|runnables\/base|language_models\/chat_models|language_models\/llms|tools\/index)\.js$/,
];

// The packages whose first `require` starts the tracing machinery (entry/preload.ts): every package
// a module definition of instrumentation.ts names. A module is matched by its bare name, a subpath
// of it, or a path into its folder under node_modules. test/unit/preload-boot.test.ts holds this
// list to the definitions. `@google/genai` is not here: the preload makes its clients lazy itself
// (lazyGenAI.ts), and tracing starts on a client's first use.
export const HOOKED_PACKAGES: readonly string[] = ['@google/generative-ai', 'openai', 'ai', '@langchain/core', '@langchain/google-genai', 'genkit'];

const PREFIXES = HOOKED_PACKAGES.map((name) => `${name}/`);
const IN_NODE_MODULES = HOOKED_PACKAGES.map((name) => `/node_modules/${name}`);

/** Whether `require(id)` may load one of the hooked packages: a cheap test on the string only, as
 *  it runs for every require until tracing starts. */
export function mayLoadHooked(id: string): boolean {
  if (id.charCodeAt(0) === 46 /* . */ && !id.includes('node_modules')) return false;
  const path = id.includes('\\') ? id.replace(/\\/g, '/') : id;
  for (let i = 0; i < HOOKED_PACKAGES.length; i++) {
    if (path === HOOKED_PACKAGES[i] || path.startsWith(PREFIXES[i])) return true;
    const at = path.indexOf(IN_NODE_MODULES[i]);
    if (at >= 0) {
      const next = path.charCodeAt(at + IN_NODE_MODULES[i].length);
      if (Number.isNaN(next) || next === 47 /* / */) return true;
    }
  }
  return false;
}

/** Where the preload's start-up leaves the function that starts tracing (absent when it is off). */
export const ACTIVATE = Symbol.for('gemini-trace.node.activate');

/** Where it leaves the function that makes `GoogleGenAI` lazy (lazyGenAI.ts), for an ES module
 *  app's import (genaiModule.ts). */
export const LAZY_GENAI = Symbol.for('gemini-trace.node.lazy-genai');

/** Whether `require(id)` names `@google/genai` (its main entry or a subpath export). */
export function isGenAI(id: string): boolean {
  return id.length >= 13 && id.startsWith('@google/genai') && (id.length === 13 || id.charCodeAt(13) === 47 /* / */);
}
