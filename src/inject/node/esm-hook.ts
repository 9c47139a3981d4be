// The ESM half of the preload (dist/inject/node/esm-hook.mjs), loaded with `--import`. It installs
// import-in-the-middle's loader hooks (bundled as esm-loader.mjs) for the hooked modules only
// (hooked.ts), and a lighter hook of its own for `@google/genai` (genaiModule.ts), so that an ESM
// app's imports reach the instrumentation. Every other module loads untouched. It also loads
// preload.cjs itself when only `--import` was given.
//
// Which hook API, by what the running Node supports:
// - `module.registerHooks` (synchronous, in the app's own thread) where its load hook accepts the
//   nullish CommonJS source the loader returns: Node >= 22.22.3, >= 24.11.1, >= 26 (import-in-the-
//   middle's supportsSyncHooks). Node 26 prints a deprecation warning on every `module.register`
//   call, which would change the app's stderr, so it must not be used there.
// - `module.register` (an off-thread loader) on Node 20 and the 22/24 releases before that fix.
// - Neither (before Node 20.6): CommonJS tracing only.
import * as nodeModule from 'node:module';
// @ts-expect-error -- plain .mjs module without type declarations
import { supportsSyncHooks } from 'import-in-the-middle/supports-sync-hooks.mjs';
import { syncHooks, type SyncHooks } from './esmSyncHooks';
import { ESM_HOOKED } from './hooked';

const GUARD = Symbol.for('gemini-trace.node.esm-hook');
type Guarded = { [GUARD]?: boolean };
const OPTIONS = { include: ESM_HOOKED };
// `registerHooks` is newer than the Node 20 type declarations this project builds against.
const mod = nodeModule as typeof nodeModule & { registerHooks?: unknown };

async function start(): Promise<void> {
  const g = globalThis as Guarded;
  const active = (process.env.GEMINI_TRACE_ACTIVE ?? '').trim().toLowerCase();
  if (g[GUARD] || ['0', 'false', 'off', 'no'].includes(active)) return;
  Object.defineProperty(g, GUARD, { value: true, enumerable: false });
  const sync = typeof mod.registerHooks === 'function' && (supportsSyncHooks as () => boolean)();
  if (!sync && typeof mod.register !== 'function') return;
  const require = mod.createRequire(import.meta.url);
  require('./preload.cjs');
  if (sync) {
    // In the app's thread: import-in-the-middle's part loads when first needed (esmSyncHooks.ts).
    const loadIitm = () => (require('./esm-loader.mjs') as { iitmSyncHooks: (o: typeof OPTIONS) => SyncHooks }).iitmSyncHooks(OPTIONS);
    (mod.registerHooks as (hooks: SyncHooks) => void)(syncHooks(ESM_HOOKED, loadIitm));
  } else {
    // Off-thread: `@google/genai`'s hook registered last, so that it runs first.
    mod.register('./esm-loader.mjs', import.meta.url, { data: OPTIONS });
    mod.register('./esm-genai.mjs', import.meta.url);
  }
}

try {
  await start();
} catch {
  // Tracing is best effort: the app must start exactly as it would without us.
}
