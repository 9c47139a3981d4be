#!/usr/bin/env node
// One esbuild call per bundle (the rust-analyzer habit): each bundle has its own platform and
// format, and the preload must never share code with the extension host at run time.
//   node scripts/build.mjs [--production] [--watch] [--tests]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyNodeInjectStatic, nodeInjectBundles } from './lib/node-inject.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};

/** @type {esbuild.BuildOptions[]} */
const bundles = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    // The panel must stay small (issue 5 budget: 400 KB minified), so always minify it.
    minify: true,
    loader: { '.css': 'text', '.ttf': 'file' },
  },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  // The Node preload: preload.cjs, esm-hook.mjs, esm-loader.mjs (scripts/lib/node-inject.mjs).
  ...nodeInjectBundles(common),
];

if (withTests) {
  const integration = join(root, 'test/integration');
  const entries = existsSync(integration)
    ? readdirSync(integration).filter((f) => f.endsWith('.ts')).map((f) => `test/integration/${f}`)
    : [];
  if (entries.length) {
    bundles.push({
      ...common,
      entryPoints: entries,
      outdir: 'out/test/integration',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      // mocha is resolved from the repo's node_modules at run time: it loads files dynamically
      // and does not survive bundling.
      external: ['vscode', 'mocha'],
    });
  }
}

function copyStatic() {
  // The Python tracer: sitecustomize.py and the _gemini_trace package, byte for byte (no
  // __pycache__: the app's Python compiles it where it may).
  const py = join(root, 'src/inject/python');
  if (existsSync(py)) {
    rmSync(join(root, 'dist/inject/python'), { recursive: true, force: true });
    cpSync(py, join(root, 'dist/inject/python'), { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc') });
  }
  copyNodeInjectStatic(join(root, 'dist/inject/node'));
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  if (existsSync(codicons)) {
    mkdirSync(join(root, 'dist/codicons'), { recursive: true });
    for (const f of ['codicon.css', 'codicon.ttf']) cpSync(join(codicons, f), join(root, 'dist/codicons', f));
  }
}

const present = bundles.filter((b) => b.entryPoints.every((e) => existsSync(join(root, e))));
const missing = bundles.filter((b) => !present.includes(b)).map((b) => b.entryPoints.join(','));
if (missing.length) console.warn(`build: skipping bundles whose entry is not written yet: ${missing.join('; ')}`);

if (!watch) rmSync(join(root, 'dist'), { recursive: true, force: true });
if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
  copyStatic();
  console.log('build: watching');
} else {
  const started = Date.now();
  await Promise.all(present.map((b) => esbuild.build(b)));
  copyStatic();
  console.log(`build: ${present.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
