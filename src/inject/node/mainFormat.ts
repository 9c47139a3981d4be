// Whether Node will run this thread's main module (a worker's is its own file, in process.argv[1]
// there too) as CommonJS, without its ES module loader: what lets the preload put off starting
// Node 20's off-thread loader (esmHooks.ts), which costs a CommonJS program ~50 ms at every start
// (npm, tsc and most build tools are such programs). The test follows Node's own choice for the
// main module (run_main's shouldUseESMLoader): a flag that starts the loader anyway, a `.mjs` main,
// or a `.js` or extensionless main in a `type: module` package means ES modules. Whatever it cannot
// tell (no main file: -e, a REPL; an unexpected error) counts as "not CommonJS", so the loader
// starts at once, as before.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { Module } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';

/** Flags under which Node uses its ES module loader for the main module, or whose main is not a file. */
const LOADER_FLAGS = /^(?:--(?:import|loader|experimental-loader|experimental-default-type|input-type|experimental-strip-types|experimental-transform-types|test|eval|print)\b|-[a-z]*[ep]$)/;

type Finder = { _findPath?: (request: string, paths: null, isMain: boolean) => string | false };

export function mainRunsAsCommonJs(): boolean {
  try {
    const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
    if (flags.some((f) => LOADER_FLAGS.test(f))) return false;
    const main = process.argv[1];
    if (!main) return false;
    const found = (Module as unknown as Finder)._findPath?.(resolve(main), null, true);
    if (!found) return false;
    // The system call: the JavaScript realpath looks at each folder of the path in turn.
    const file = flags.includes('--preserve-symlinks-main') ? found : realpathSync.native(found);
    const ext = extname(file);
    if (ext === '.cjs') return true;
    if (ext !== '.js' && ext !== '') return false;
    return packageType(dirname(file)) !== 'module';
  } catch {
    return false;
  }
}

/** The "type" of the package.json nearest above `dir`, as Node reads a module's package scope. */
function packageType(dir: string): unknown {
  for (;;) {
    // Node stops at a node_modules folder: a package inside it has its own package.json.
    if (dir.endsWith('/node_modules') || dir.endsWith('\\node_modules')) return undefined;
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown } | null)?.type;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
