// import-in-the-middle's hook registry as the wrappers of ES modules see it (bundled as
// dist/inject/node/lib/register.js; the package's own registry is copied beside it as
// iitm-register.js, see scripts/lib/node-inject.mjs). The loader's wrapper of a hooked module
// calls `register` once the module has run and before the app's code sees its exports: the first
// such call starts the preload's tracing machinery (entry/preload.ts), whose hooks then patch it.
// Everything else is the package's registry, the same objects, shared by tracing.cjs and every
// wrapper. The names are exported one by one: Node finds a CommonJS module's named exports for
// an `import { … }` by reading its source.
import { ACTIVATE } from './hooked';

type Registry = {
  register: (...args: unknown[]) => unknown;
  ModuleBinder: unknown;
  importHooks: unknown[];
  specifiers: Map<string, string>;
  toHook: unknown[];
};

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the copied registry is a plain CommonJS file
const iitm = require('./iitm-register.js') as Registry;

export const ModuleBinder = iitm.ModuleBinder;
export const importHooks = iitm.importHooks;
export const specifiers = iitm.specifiers;
export const toHook = iitm.toHook;

export function register(...args: unknown[]): unknown {
  try {
    (globalThis as { [ACTIVATE]?: () => unknown })[ACTIVATE]?.();
  } catch {
    /* the module loads untraced */
  }
  return iitm.register(...args);
}
