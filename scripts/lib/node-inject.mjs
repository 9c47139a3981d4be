// The Node preload's bundles (src/inject/node → dist/inject/node), shared by scripts/build.mjs and
// the tests/benchmarks that build a private copy (so they never race a concurrent `npm run build`).
//   preload.cjs     --require'd into the user's process: the start-up, small, which registers the
//                   ESM hooks (esm-loader.mjs, and its own for `@google/genai`) and loads
//                   tracing.cjs when the app first reaches a package it traces;
//   tracing.cjs     the instrumentation and the exporter;
//   esm-loader.mjs  import-in-the-middle's loader hooks (Node's loader thread);
//   esm-genai.mjs   the loader-thread form of the `@google/genai` hook (src/inject/node/genaiModule.ts);
//   sender.cjs      the detached process a traced app leaves at exit to deliver its last spans;
//   lib/register.js import-in-the-middle's hook registry as the loader's wrappers import it (next to
//                   the loader), which starts tracing.cjs (src/inject/node/esmRegistry.ts) and is
//                   otherwise lib/iitm-register.js, the package's own, shared by tracing.cjs and
//                   the wrappers: one registry.
// @google/genai is never bundled: the preload patches the app's own copy.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @type {import('esbuild').Plugin} */
const sharedIitmRegistry = {
  name: 'shared-iitm-registry',
  setup(build) {
    build.onResolve({ filter: /^\.\/lib\/register(\.js)?$/ }, (args) =>
      /[\\/]import-in-the-middle[\\/]/.test(args.importer) ? { path: './lib/register.js', external: true } : undefined,
    );
  },
};

/**
 * @param {import('esbuild').BuildOptions} common options shared by every bundle (bundle, sourcemap, …)
 * @param {string} outDir where the bundles go, e.g. 'dist/inject/node'
 * @returns {import('esbuild').BuildOptions[]}
 */
export function nodeInjectBundles(common, outDir = 'dist/inject/node') {
  const node = { ...common, absWorkingDir: root, platform: 'node', target: 'node18' };
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return [
    {
      ...node,
      entryPoints: ['src/inject/node/entry/preload.ts'],
      outfile: join(outDir, 'preload.cjs'),
      format: 'cjs',
      define: { GEMINI_TRACE_VERSION: JSON.stringify(version) },
      // Every traced process compiles it at start: minified, it compiles in about half the time.
      minify: true,
      keepNames: true,
    },
    {
      ...node,
      entryPoints: ['src/inject/node/entry/tracing.ts'],
      outfile: join(outDir, 'tracing.cjs'),
      format: 'cjs',
      external: ['@google/genai'],
      // require-in-the-middle's logger, silenced (src/inject/node/debugOff.cjs says why).
      alias: { debug: './src/inject/node/debugOff.cjs' },
      // Compiled in the app's process when it first reaches Gemini: half the text is about 2 ms
      // less of it (bench/preload-overhead.mjs --api startup). Names kept: error messages, stacks
      // and any library that reads a class's name see what they would unminified.
      minify: true,
      keepNames: true,
      plugins: [sharedIitmRegistry],
    },
    {
      ...node,
      entryPoints: ['src/inject/node/esmRegistry.ts'],
      outfile: join(outDir, 'lib/register.js'),
      format: 'cjs',
      external: ['./iitm-register.js'],
    },
    {
      ...node,
      entryPoints: ['src/inject/node/sender.ts'],
      outfile: join(outDir, 'sender.cjs'),
      format: 'cjs',
    },
    {
      ...node,
      entryPoints: ['src/inject/node/genaiLoader.ts'],
      outfile: join(outDir, 'esm-genai.mjs'),
      format: 'esm',
    },
    {
      ...node,
      entryPoints: ['src/inject/node/esm-loader.ts'],
      outfile: join(outDir, 'esm-loader.mjs'),
      format: 'esm',
      // Bundled CommonJS dependencies (cjs-module-lexer) call require() for Node built-ins.
      banner: { js: "import { createRequire as __gtCreateRequire } from 'node:module'; const require = __gtCreateRequire(import.meta.url);" },
    },
  ];
}

/** Copies import-in-the-middle's registry next to the bundles (see the header). */
export function copyNodeInjectStatic(outDir = join(root, 'dist/inject/node')) {
  const register = createRequire(join(root, 'package.json')).resolve('import-in-the-middle/lib/register.js');
  mkdirSync(join(outDir, 'lib'), { recursive: true });
  cpSync(register, join(outDir, 'lib/iitm-register.js'));
  // CommonJS whatever package.json sits above the install.
  writeFileSync(join(outDir, 'lib/package.json'), '{ "type": "commonjs" }\n');
}

/** Builds a private copy into `<distDir>/inject/node` (tests, benchmarks). */
export async function buildNodeInject(distDir) {
  const esbuild = createRequire(join(root, 'package.json'))('esbuild');
  const outDir = join(distDir, 'inject', 'node');
  const common = { bundle: true, sourcemap: 'linked', minify: false, logLevel: 'warning', legalComments: 'none' };
  await Promise.all(nodeInjectBundles(common, outDir).map((b) => esbuild.build(b)));
  copyNodeInjectStatic(outDir);
  const preload = join(outDir, 'preload.cjs');
  return { distDir, preload, nodeOptions: `--require ${JSON.stringify(preload)}` };
}
