// The product's own modules as the extension host runs them: bundled by esbuild with the settings
// of dist/extension.js (scripts/build.mjs), not compiled file by file through tsx. tsx compiles
// with esbuild's keepNames, which wraps every function created at run time (each closure in a hot
// loop) in a defineProperty call: normalising 100,000 spans measured ~40 % slower through tsx than
// from the bundle, alternating in one process. A benchmark of host work must time what ships.
//
// Every module a benchmark needs goes into ONE bundle, so they share one copy of each module they
// import (two copies of a class would fail each other's instanceof checks).
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository root (not imported from ../lib.mjs: bench/lib must not import bench).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The modules at `paths` (relative to the repository root), each as its namespace of exports, in
 * the order given.
 * @param {string[]} paths
 * @returns {Record<string, any>[]}
 */
export function loadBuilt(paths) {
  const dir = mkdtempSync(join(tmpdir(), 'gt-bench-built-'));
  const outfile = join(dir, 'built.cjs');
  try {
    buildSync({
      stdin: { contents: paths.map((p, i) => `export * as m${i} from ${JSON.stringify(`./${p}`)};`).join('\n'), resolveDir: root, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      outfile,
      logLevel: 'warning',
    });
    const m = createRequire(import.meta.url)(outfile);
    return paths.map((_, i) => m[`m${i}`]);
  } finally {
    // Loaded: the file is no longer needed.
    rmSync(dir, { recursive: true, force: true });
  }
}
