// import-in-the-middle's loader hooks, bundled (dist/inject/node/esm-loader.mjs), in both forms
// esm-hook.ts may install: `initialize`/`resolve`/`load` for `module.register` (Node's loader thread
// imports this file), and `registerSync` for `module.registerHooks` (esm-hook imports it into the
// app's thread). Its generated wrapper modules import `lib/register.js` next to this file;
// scripts/build.mjs copies that file there and points preload.cjs's copy of import-in-the-middle at
// the same file, so both sides share one registry of hooks.
// @ts-expect-error -- plain .mjs module without type declarations
export { initialize, load, resolve } from 'import-in-the-middle/hook.mjs';
export { register as registerSync } from 'import-in-the-middle/register-hooks.mjs';
