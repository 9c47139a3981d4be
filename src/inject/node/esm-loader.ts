// import-in-the-middle's loader hooks, bundled (dist/inject/node/esm-loader.mjs), in both forms
// esmHooks.ts may install: `initialize`/`resolve`/`load` for `module.register` (Node's loader thread
// imports this file), and `iitmSyncHooks` for `module.registerHooks` (esmSyncHooks.ts requires
// this file into the app's thread when it first needs it). Its generated wrapper modules import
// `lib/register.js` next to this file; scripts/build.mjs puts that file there and points
// tracing.cjs's copy of import-in-the-middle at the same registry.
// @ts-expect-error -- plain .mjs module without type declarations
import { createHook } from 'import-in-the-middle/create-hook.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
export { initialize, load, resolve } from 'import-in-the-middle/hook.mjs';

type Hook = { applyOptions: (o: unknown) => void; resolveSync: unknown; loadSync: unknown };

/** import-in-the-middle's synchronous hooks for `options`, not registered (the caller chains them). */
export function iitmSyncHooks(options: { include: Array<string | RegExp> }): { resolve: unknown; load: unknown } {
  // import.meta of this bundle: the wrappers then import lib/register.js beside it.
  const hook = (createHook as (meta: ImportMeta) => Hook)(import.meta);
  hook.applyOptions(options);
  return { resolve: hook.resolveSync, load: hook.loadSync };
}
