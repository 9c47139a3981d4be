// The ESM half of the preload (dist/inject/node/esm-hook.mjs), loaded with `--import`. It registers
// import-in-the-middle's loader (bundled as esm-loader.mjs) for the hooked modules only (hooked.ts),
// so an ESM app's `import { GoogleGenAI } from '@google/genai'` reaches the instrumentation in
// preload.cjs. Every other module loads untouched. It also loads preload.cjs itself when only
// `--import` was given.
import { createRequire, register } from 'node:module';
import { ESM_HOOKED } from './hooked';

const GUARD = Symbol.for('gemini-trace.node.esm-hook');
type Guarded = { [GUARD]?: boolean };

function start(): void {
  const g = globalThis as Guarded;
  const active = (process.env.GEMINI_TRACE_ACTIVE ?? '').trim().toLowerCase();
  if (g[GUARD] || ['0', 'false', 'off', 'no'].includes(active)) return;
  Object.defineProperty(g, GUARD, { value: true, enumerable: false });
  // `module.register` arrived in Node 20.6 / 18.19; older runtimes keep CommonJS tracing only.
  if (typeof register !== 'function') return;
  createRequire(import.meta.url)('./preload.cjs');
  register('./esm-loader.mjs', import.meta.url, { data: { include: ESM_HOOKED } });
}

try {
  start();
} catch {
  // Tracing is best effort: the app must start exactly as it would without us.
}
