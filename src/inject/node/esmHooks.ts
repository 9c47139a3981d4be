// The ESM hooks, installed by the preload itself (entry/preload.ts), so that one `--require` covers
// both module systems. Each preload flag costs Node about 1 ms of every start (2026-12-05, Node 24:
// `--require` 1.03×, `--import` 1.04×, the pair 1.07× on a 26 ms program; on Node 20 `--import`
// alone 1.15×, as it starts the ESM loader even for a CommonJS app), and every traced process pays
// it, most never reaching Gemini. They install import-in-the-middle's loader hooks (esm-loader.mjs)
// for the hooked modules only (hooked.ts), and a lighter hook of our own for `@google/genai`
// (genaiModule.ts), so that an ESM app's imports reach the instrumentation. Every other module
// loads untouched.
//
// Which hook API, by what the running Node supports:
// - `module.registerHooks` (synchronous, in the app's own thread) where its load hook accepts the
//   nullish CommonJS source the loader returns: Node >= 22.22.3, >= 24.11.1, >= 26 (import-in-the-
//   middle's supportsSyncHooks). Node 26 prints a deprecation warning on every `module.register`
//   call, which would change the app's stderr, so it must not be used there.
// - `module.register` (an off-thread loader) on Node 20 and the 22/24 releases before that fix.
//   Starting that loader's thread costs a program ~50 ms. On Node 20 a CommonJS main
//   (mainFormat.ts) puts it off until a CommonJS module about to run holds an `import(` or ES module
//   syntax (which Node 20.19+ detects and loads as ES modules): before that no ES module loads
//   through the loader. Node 20 runs no loader hook for require() of an ES module, registered
//   early or not. Later Nodes, whose require() of ES modules may run those hooks, register at once.
// - Neither (before Node 20.6): CommonJS tracing only.
import { Module } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';
import { mainRunsAsCommonJs } from './mainFormat';
// @ts-expect-error -- plain .mjs module without type declarations
import { supportsSyncHooks } from 'import-in-the-middle/supports-sync-hooks.mjs';
import { syncHooks, type SyncHooks } from './esmSyncHooks';
import { ESM_HOOKED } from './hooked';

const OPTIONS = { include: ESM_HOOKED };
// The module class, whose statics are node:module's exports (a named import: codeCache.ts says
// why). `registerHooks` is newer than the Node 20 type declarations this project builds against.
const mod = Module as typeof Module & { registerHooks?: (hooks: SyncHooks) => void };

/** How the hooks stand in this thread (the preload's marker carries it, for the tests). */
export type EsmHooks = 'in-thread' | 'off-thread' | 'deferred' | 'none';

/** What in a CommonJS module's source may load an ES module: an `import(`, or a line that starts
 *  with `import` or `export` (ES module syntax). A comment that matches only starts the loader. */
const MAY_IMPORT = /\bimport\s*\(|^[\s;]*(?:import|export)\b/m;

/** Installs the hooks for this thread, or arranges to; `dir` holds the preload's bundles. `state`
 *  hears how they stand, now and when that changes. */
export function installEsmHooks(dir: string, state: (s: EsmHooks) => void): void {
  if (typeof mod.registerHooks === 'function' && (supportsSyncHooks as () => boolean)()) {
    // import-in-the-middle's part loads when first needed (esmSyncHooks.ts).
    const require = mod.createRequire(`${dir}/preload.cjs`);
    const loadIitm = () => (require(`${dir}/esm-loader.mjs`) as { iitmSyncHooks: (o: typeof OPTIONS) => SyncHooks }).iitmSyncHooks(OPTIONS);
    mod.registerHooks(syncHooks(ESM_HOOKED, loadIitm));
    state('in-thread');
  } else if (typeof mod.register === 'function') {
    const register = (): void => {
      // Not in the loader's own thread (a worker with no parentPort, where Node 20 runs --require
      // preloads too); a user's Worker has a parentPort, and hooks of its own. worker_threads is
      // required only here: it loads node:stream with it, about 1 ms of a start, which register()
      // pays anyway to start its thread.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { isMainThread, parentPort } = require('node:worker_threads') as typeof WorkerThreads;
      if (!isMainThread && !parentPort) return;
      // Off-thread: `@google/genai`'s hook registered last, so that it runs first.
      const parent = pathToFileURL(`${dir}/preload.cjs`);
      mod.register('./esm-loader.mjs', parent, { data: OPTIONS });
      mod.register('./esm-genai.mjs', parent);
      state('off-thread');
    };
    if (process.versions.node.split('.')[0] === '20' && mainRunsAsCommonJs()) registerOnFirstImport(register, state);
    else register();
  } else state('none');
}

/** Calls `register` just before the first CommonJS module that may load an ES module runs. */
function registerOnFirstImport(register: () => void, state: (s: EsmHooks) => void): void {
  type Compile = (this: unknown, content: unknown, filename: unknown) => unknown;
  const proto = (mod as unknown as { prototype: { _compile: Compile } }).prototype;
  const compile = proto._compile;
  let pending = true;
  // Left in place once it has fired (a tool may have wrapped it since): a pass-through then.
  proto._compile = function (this: unknown, content: unknown) {
    if (pending && typeof content === 'string' && MAY_IMPORT.test(content)) {
      pending = false;
      try {
        register();
      } catch {
        // ES modules go untraced; CommonJS tracing stands.
      }
    }
    // eslint-disable-next-line prefer-rest-params -- the arguments exactly as given
    return Reflect.apply(compile, this, arguments);
  };
  state('deferred');
}
