// The loader thread's hooks (dist/inject/node/esm-loader.mjs): import-in-the-middle's, bundled.
// Its generated wrapper modules import `lib/register.js` next to this file; scripts/build.mjs copies
// that file there and points preload.cjs's copy of import-in-the-middle at the same file, so both
// sides share one registry of hooks.
// @ts-expect-error -- plain .mjs module without type declarations
export { initialize, load, resolve } from 'import-in-the-middle/hook.mjs';
