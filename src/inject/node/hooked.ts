// The modules the preload hooks as they load, for import-in-the-middle's loader (esm-hook.ts): an
// ESM module is wrapped only when listed here, so every other module loads untouched. CommonJS
// loads are matched by require-in-the-middle against the same packages (instrumentation.ts).
// - bare names: the package's main entry imported by that specifier;
// - patterns: files of a package, by their resolved URL — the AI SDK's entry and LangChain's
//   callback manager and entry points, which the package's own modules import by relative path.
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
  // LangChain's callback manager and the files whose entry points carry the app's line
  // (frameworks/langchain.ts).
  /\/node_modules\/@langchain\/core\/dist\/(callbacks\/manager|runnables\/base|language_models\/chat_models|language_models\/llms|tools\/index)\.js$/,
];
