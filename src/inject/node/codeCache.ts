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
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

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
  // The class itself: a bundle's `import * as` of node:module is a copy of its static members.
  const Module = (nodeModule as unknown as { prototype: { constructor: ModuleClass } }).prototype.constructor;
  const done = Module._cache[file];
  if (done) return { exports: done.exports, use: 'none', save: () => 'none' };

  const source = fs.readFileSync(file, 'utf8');
  const cache = cachePath(file, version);
  const cacheFile = cache?.file;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // None yet.
  }
  // An import() in it resolves as in a required file (where Node has the constant).
  const dynamicImport = (vm.constants as Partial<typeof vm.constants> | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  let script: vm.Script;
  try {
    script = new vm.Script(HEAD + source + TAIL, { filename: file, cachedData, ...(dynamicImport !== undefined ? { importModuleDynamically: dynamicImport } : {}) });
  } catch {
    // A Node that will not compile it this way (a policy, a flag): as require would, uncached.
    return { exports: nodeModule.createRequire(file)(file), use: 'none', save: () => 'none' };
  }
  const m = new Module(file, parent);
  const dir = path.dirname(file);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dir);
  // In the cache before it runs, as require does: a cycle back to it gets the same object.
  Module._cache[file] = m;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(m.exports, m.exports, nodeModule.createRequire(file), m, file, dir);
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
    const st = fs.statSync(file);
    const safe = (parts: unknown[]) => parts.join('-').replace(/[^\w.-]/g, '_');
    const prefix = `${safe([path.basename(file), process.version, process.arch])}-`;
    return { file: path.join(path.dirname(file), DIR, `${prefix}${safe([version, st.size, Math.round(st.mtimeMs)])}.bin`), prefix };
  } catch {
    return undefined;
  }
}

/** Atomically (a whole file or none), replacing this Node's caches of older builds of the file. */
function write({ file: cacheFile, prefix }: CachePath, data: Buffer): boolean {
  const dir = path.dirname(cacheFile);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, cacheFile);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do: the next start compiles again.
    }
    return false;
  }
  try {
    for (const f of fs.readdirSync(dir)) if (f.startsWith(prefix) && f.endsWith('.bin') && path.join(dir, f) !== cacheFile) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // Old caches only take room.
  }
  return true;
}
