// The Node preload's start-up (dist/inject/node/preload.cjs), loaded into the user's process with
// `NODE_OPTIONS=--require <preload>` (src/launch/env.ts). It stays small on
// purpose: every traced process pays for it at start, most never reach Gemini. It reads the
// configuration, then only sets tripwires; the tracing machinery (tracing.cjs, entry/tracing.ts:
// OpenTelemetry, the module hooks, the wrappers) loads the first time one of them is crossed:
// - `@google/genai`: a client's first use (lazyGenAI.ts), not the package's load: the class the
//   app gets is made lazy here, on `require` or through genaiModule.ts on `import`;
// - CommonJS: a `require` of another package it traces (hooked.ts), caught before the package loads;
// - ES modules: the loader's wrapper of such a module registering itself (lib/register.js, see
//   esmRegistry.ts), before the app's code sees its exports;
// - the AI SDK 7 or Genkit using the global hook put in place for them (frameworks/globalHooks.ts).
//
// Once per process: a guard on globalThis and on `process` (shared by every realm of a thread)
// keeps a second copy (another install, a second --require) from tracing twice. Child processes
// inherit NODE_OPTIONS and are traced once each; worker threads are their own JS realm with their
// own guard, so Gemini calls made in a worker are traced by that worker's copy.
// GEMINI_TRACE_ACTIVE=0 turns it off while leaving NODE_OPTIONS alone.
//
// Anything thrown while starting (here or in tracing.cjs) leaves the app running untraced.
import { Module } from 'node:module';
import { requireCached, type CacheUse } from '../codeCache';
import { readConfig, tracingDisabled } from '../config';
import { installEsmHooks, type EsmHooks } from '../esmHooks';
import { installAiSdkIntegration, watchGenkit } from '../frameworks/globalHooks';
import { ACTIVATE, isGenAI, LAZY_GENAI, mayLoadHooked } from '../hooked';
import { lazyGenAIClass, patchGenAIExports } from '../lazyGenAI';
import type * as TracingEntry from './tracing';

// The extension's version, from package.json at build time (scripts/lib/node-inject.mjs).
declare const GEMINI_TRACE_VERSION: string;
const VERSION = typeof GEMINI_TRACE_VERSION === 'string' ? GEMINI_TRACE_VERSION : '0.0.0-dev';
const GUARD = Symbol.for('gemini-trace.node.preload');
const BUNDLES = ['preload.cjs', 'tracing.cjs', 'esm-loader.mjs', 'esm-genai.mjs'];

type Marker = { version: string; file: string; codeCache?: CacheUse; esmHooks?: EsmHooks };
type Guarded = { [GUARD]?: Marker; [ACTIVATE]?: () => unknown; [LAZY_GENAI]?: (original: unknown) => unknown };
type RequireFn = (this: unknown, id: string) => unknown;

function start(): void {
  const g = globalThis as Guarded;
  const proc = process as unknown as Guarded;
  if (g[GUARD] || proc[GUARD] || tracingDisabled()) return;
  const marker: Marker = { version: VERSION, file: __filename };
  Object.defineProperty(g, GUARD, { value: marker, enumerable: false });
  Object.defineProperty(proc, GUARD, { value: marker, enumerable: false });
  // The environment as the process started (the app may change it before it loads the SDK), read
  // into a configuration only when tracing starts: parsing its URL is ~0.5 ms of every start.
  const env = { ...process.env };
  const dir = __dirname;

  let tracing: TracingEntry.Tracing | null | undefined;
  // Once tracing started (by whichever wire), the require test below is skipped.
  let crossed = false;
  const activate = (): TracingEntry.Tracing | undefined => {
    if (tracing === undefined) {
      tracing = null;
      crossed = true;
      try {
        const loaded = requireCached(`${dir}/tracing.cjs`, VERSION, module);
        tracing = (loaded.exports as typeof TracingEntry).activate({ version: VERSION, cfg: readConfig(env), files: BUNDLES.map((f) => `${dir}/${f}`) }) ?? null;
        // The marker tells the tests how the cache was used. It is written (once per build and
        // Node version) as the process ends, so that it holds what the calls and the export
        // compiled too: a later process then compiles none of it.
        marker.codeCache = loaded.use;
        if (loaded.use !== 'hit') process.once('exit', () => loaded.save());
      } catch {
        // The app goes on untraced.
      }
    }
    return tracing ?? undefined;
  };
  Object.defineProperty(g, ACTIVATE, { value: activate, enumerable: false });
  const lazyGenAI = (original: unknown) => lazyGenAIClass(original, (start) => ((start || tracing) ? activate()?.instrumentClient : undefined));
  Object.defineProperty(g, LAZY_GENAI, { value: lazyGenAI, enumerable: false });

  // Wraps the function require-in-the-middle wraps once tracing.cjs starts, so the package that
  // crossed the wire goes through its hook too; afterwards it only makes `@google/genai` lazy.
  const proto = (Module as unknown as { prototype: { require: RequireFn } }).prototype;
  const original = proto.require;
  proto.require = function (this: unknown, id: string) {
    if (!crossed && typeof id === 'string' && mayLoadHooked(id)) {
      activate();
      return proto.require.call(this, id);
    }
    // eslint-disable-next-line prefer-rest-params -- the arguments exactly as given
    const exports = Reflect.apply(original, this, arguments);
    if (typeof id === 'string' && isGenAI(id)) patchGenAIExports(exports, lazyGenAI);
    return exports;
  };

  installAiSdkIntegration(() => activate()?.aiSdkIntegration);
  watchGenkit(() => activate()?.wrapGenkitProvider as ((p: Record<string | symbol, unknown>) => Record<string | symbol, unknown>) | undefined);

  try {
    installEsmHooks(dir, (s) => (marker.esmHooks = s));
  } catch {
    // ES modules go untraced; CommonJS tracing stands.
  }
}

try {
  start();
} catch {
  // Tracing is best effort: the app must start exactly as it would without us.
}
