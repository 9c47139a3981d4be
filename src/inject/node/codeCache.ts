// Loads tracing.cjs (the preload's tracing machinery, 170 KB) with a V8 code cache kept next to it,
// so the app's process does not parse and compile it again at every start: compiling it was about
// 4 ms of the 8 ms an app pays when it first loads the SDK (bench/preload-overhead.mjs --api
// startup). Node's own compile cache (module.enableCompileCache) cannot be used: it is one switch
// for the whole process and would cache the app's modules too, which the app did not ask for.
//
// The cache is written once per build of the file and per Node version, by the first process that
// loads it, beside the bundles (`.v8-cache/`): the extension's own folder, as trusted as the code.
// Anything that goes wrong (a read-only install, a cache V8 rejects, a race with another process)
// costs only the compile: the file loads as `require` would load it.
// Named imports only, here and in everything preload.cjs bundles: a namespace import of a built-in
// becomes a copy of all its members in the bundle, about 1 ms of every traced process's start.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module as NodeModule } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants as vmConstants, Script } from 'node:vm';

/** Node's CommonJS module class, as far as a module loaded by hand needs it. */
interface CjsModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}
type ModuleClass = {
  new (id: string, parent?: unknown): CjsModule;
  _cache: Record<string, CjsModule | undefined>;
  _nodeModulePaths(dir: string): string[];
};

/** How the cache was used, for the tests (entry/preload.ts puts it on the guard's marker); save()
 *  answers 'written' when it wrote one. */
export type CacheUse = 'hit' | 'written' | 'rejected' | 'none';

const DIR = '.v8-cache';
// The CommonJS wrapper (as Node's), written here so that a tool that patched Module.wrap does not
// change what is compiled against the cache.
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const TAIL = '\n});';

export interface Loaded {
  exports: unknown;
  use: CacheUse;
  /** Writes the cache when there was none or V8 rejected it; called late (entry/preload.ts: as the
   *  process ends), so that the functions compiled since are in it too. Never throws. */
  save(): CacheUse;
}

/** `require(file)` for a CommonJS bundle of ours, compiled from its code cache when there is one. */
export function requireCached(file: string, version: string, parent: unknown): Loaded {
  const Module = NodeModule as unknown as ModuleClass;
  const done = Module._cache[file];
  if (done) return { exports: done.exports, use: 'none', save: () => 'none' };

  const source = readFileSync(file, 'utf8');
  const cache = cachePath(file, version);
  const cacheFile = cache?.file;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    // None yet.
  }
  // An import() in it resolves as in a required file (where Node has the constant).
  const dynamicImport = (vmConstants as Partial<typeof vmConstants> | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  let script: Script;
  try {
    script = new Script(HEAD + source + TAIL, { filename: file, cachedData, ...(dynamicImport !== undefined ? { importModuleDynamically: dynamicImport } : {}) });
  } catch {
    // A Node that will not compile it this way (a policy, a flag): as require would, uncached.
    return { exports: createRequire(file)(file), use: 'none', save: () => 'none' };
  }
  const m = new Module(file, parent);
  const dir = dirname(file);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dir);
  // In the cache before it runs, as require does: a cycle back to it gets the same object.
  Module._cache[file] = m;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(m.exports, m.exports, createRequire(file), m, file, dir);
  } catch (e) {
    delete Module._cache[file];
    throw e;
  }
  m.loaded = true;
  const use: CacheUse = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'hit';
  let saved = false;
  return {
    exports: m.exports,
    use,
    save() {
      if (saved || use === 'hit' || !cacheFile) return use;
      saved = true;
      return write(cache, script.createCachedData()) ? 'written' : use;
    },
  };
}

interface CachePath {
  file: string;
  /** What every cache of this bundle for this Node starts with, whatever the build. */
  prefix: string;
}

/** The cache's name carries everything its validity depends on: V8's build (Node's version, the
 *  architecture) and ours (version, size, time). */
function cachePath(file: string, version: string): CachePath | undefined {
  try {
    const st = statSync(file);
    const safe = (parts: unknown[]) => parts.join('-').replace(/[^\w.-]/g, '_');
    const prefix = `${safe([basename(file), process.version, process.arch])}-`;
    return { file: join(dirname(file), DIR, `${prefix}${safe([version, st.size, Math.round(st.mtimeMs)])}.bin`), prefix };
  } catch {
    return undefined;
  }
}

/** Atomically (a whole file or none), replacing this Node's caches of older builds of the file. */
function write({ file: cacheFile, prefix }: CachePath, data: Buffer): boolean {
  const dir = dirname(cacheFile);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, cacheFile);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do: the next start compiles again.
    }
    return false;
  }
  try {
    for (const f of readdirSync(dir)) if (f.startsWith(prefix) && f.endsWith('.bin') && join(dir, f) !== cacheFile) rmSync(join(dir, f), { force: true });
  } catch {
    // Old caches only take room.
  }
  return true;
}
