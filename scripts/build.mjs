#!/usr/bin/env node
// One esbuild call per bundle (the rust-analyzer habit): each bundle has its own platform and
// format, and the preload must never share code with the extension host at run time. Anything the
// package needs that is missing (an entry point, the Python tracer, the codicons) fails the build:
// a .vsix without it would install and then break.
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
    // The panel must stay within its size budget (README, "Trace panel"), so always minify it.
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
  // The Node preload: preload.cjs, esm-loader.mjs, sender.cjs (scripts/lib/node-inject.mjs).
  ...nodeInjectBundles(common),
];

if (withTests) {
  bundles.push({
    ...common,
    entryPoints: readdirSync(join(root, 'test/integration'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `test/integration/${f}`),
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

function copyStatic() {
  // The Python tracer: sitecustomize.py and the _gemini_trace package, byte for byte (no
  // __pycache__: the app's Python compiles it where it may).
  const py = required('src/inject/python', 'the Python tracer');
  rmSync(join(root, 'dist/inject/python'), { recursive: true, force: true });
  cpSync(py, join(root, 'dist/inject/python'), { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc') });
  copyNodeInjectStatic(join(root, 'dist/inject/node'));
  mkdirSync(join(root, 'dist/codicons'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) cpSync(required(`node_modules/@vscode/codicons/dist/${f}`, 'the codicons (run npm ci)'), join(root, 'dist/codicons', f));
}

/** The absolute path of `path`, or the build stops, naming what is missing. */
function required(path, what) {
  const abs = join(root, path);
  if (!existsSync(abs)) {
    console.error(`build: ${path} is missing (${what})`);
    process.exit(1);
  }
  return abs;
}

for (const b of bundles) for (const e of b.entryPoints) required(e, `entry point of ${b.outfile ?? b.outdir}`);

if (!watch) rmSync(join(root, 'dist'), { recursive: true, force: true });
if (watch) {
  for (const b of bundles) await (await esbuild.context(b)).watch();
  copyStatic();
  console.log('build: watching');
} else {
  const started = Date.now();
  await Promise.all(bundles.map((b) => esbuild.build(b)));
  copyStatic();
  console.log(`build: ${bundles.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
