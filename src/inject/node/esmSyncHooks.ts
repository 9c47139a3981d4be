// The ESM hooks as one in-thread pair for `module.registerHooks` (esmHooks.ts, where Node has
// usable synchronous hooks): `@google/genai`'s own hook (genaiModule.ts), and import-in-the-middle's
// for the other hooked modules (hooked.ts ESM_HOOKED), loaded only when the app first resolves one
// of those. Most traced processes never do (a build tool, a test runner, an app that only uses
// `@google/genai`), and loading and registering import-in-the-middle's loader cost about 5 ms of
// every start. Once it is loaded every resolution and load goes through it, as when it is
// registered at start: its wrappers' own imports carry its marks.
import { redirect, wrapperSource } from './genaiModule';

type Resolved = { url: string; format?: string | null };
export type SyncHooks = {
  resolve: (specifier: string, context: unknown, next: (s: string, c: unknown) => Resolved) => Resolved;
  load: (url: string, context: unknown, next: (u: string, c: unknown) => unknown) => unknown;
};

/** `include`: import-in-the-middle's list (bare specifiers and URL patterns); `loadIitm` makes its
 *  hooks for that list, synchronously (esm-loader.mjs). */
export function syncHooks(include: Array<string | RegExp>, loadIitm: () => SyncHooks): SyncHooks {
  const bare = new Set(include.filter((e): e is string => typeof e === 'string'));
  const patterns = include.filter((e): e is RegExp => e instanceof RegExp);
  let iitm: SyncHooks | undefined;
  const withIitm = (): SyncHooks => (iitm ??= loadIitm());
  return {
    resolve(specifier, context, next) {
      if (!iitm && bare.has(specifier)) withIitm();
      let r = iitm ? iitm.resolve(specifier, context, next) : next(specifier, context);
      if (!iitm && patterns.some((p) => p.test(r.url))) r = withIitm().resolve(specifier, context, next);
      const url = redirect(specifier, r.url, r.format);
      return url ? { ...r, url, format: 'module' } : r;
    },
    load(url, context, next) {
      const source = wrapperSource(url);
      if (source !== undefined) return { format: 'module', source, shortCircuit: true };
      return iitm ? iitm.load(url, context, next) : next(url, context);
    },
  };
}
