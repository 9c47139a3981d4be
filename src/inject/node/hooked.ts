// The modules the preload hooks as they load, for import-in-the-middle's loader (esm-hook.ts): an
// ESM module is wrapped only when listed here, so every other module loads untouched. CommonJS
// loads are matched by require-in-the-middle against the same packages (instrumentation.ts).
// - bare names: the package's main entry imported by that specifier;
// - patterns: one file of a package, by its resolved URL — the AI SDK's entry and LangChain's
//   callback manager, which the package's own modules import by relative path.
// Every hook only patches: a module loads as it would, with the same exports.
export const ESM_HOOKED: Array<string | RegExp> = [
  '@google/genai',
  '@google/generative-ai',
  'openai',
  '@langchain/google-genai',
  'genkit',
  // AI SDK 6's ESM build (AI SDK 7, `type: module`, is traced without a module hook: its entry,
  // dist/index.js, stays unwrapped).
  /\/node_modules\/ai\/dist\/index\.mjs$/,
  /\/node_modules\/@langchain\/core\/dist\/callbacks\/manager\.js$/,
];
