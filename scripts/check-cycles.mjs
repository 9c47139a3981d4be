#!/usr/bin/env node
// Fails when an import cycle exists between files, or between folders (a folder depends on another
// when one of its files imports one of the other's). Part of `npm run lint` and `npm test`.
// The graph is TypeScript's own view of the sources: `ts.preProcessFile` lists each file's imports
// and re-exports (type-only ones included: a cycle of types is still a cycle to read through), and
// `ts.resolveModuleName` resolves them as the compiler does. Packages are leaves.
//   node scripts/check-cycles.mjs [--list]   (--list also prints every folder-to-folder edge)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOTS = ['src', 'webview', 'test', 'bench', 'scripts'];
const SKIP = new Set(['node_modules', 'fixtures', 'dist', 'out']);
const SOURCE = /\.(ts|mts|cts|mjs|cjs|js)$/;
// Cycles tolerated until a branch that removes them lands, and an error once they are gone, so
// this list cannot outlive them (none now: the preload's exporter/handoff and exit/tracer cycles
// went with the sender's own entry). Each entry: the cycle's files, sorted, joined by ', '.
const KNOWN = new Set([]);
// The same for folders (none now: the Node preload's entry moved to src/inject/node/entry, so its
// framework hooks, which use the preload's core, no longer import the folder that installs them).
const KNOWN_FOLDERS = new Set([]);
const options = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true, resolveJsonModule: true };

function sources(dir, out = []) {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name) && !e.name.startsWith('.')) sources(p, out);
    } else if (SOURCE.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** file → the project files it imports (paths relative to the root). */
export function importGraph() {
  const graph = new Map();
  for (const file of ROOTS.flatMap((d) => sources(d))) {
    const deps = new Set();
    for (const { fileName } of ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const r = ts.resolveModuleName(fileName, join(root, file), options, ts.sys).resolvedModule;
      if (!r || r.isExternalLibraryImport) continue;
      const to = relative(root, r.resolvedFileName);
      // A .d.mts beside a .mjs script stands for that script.
      deps.add(to.replace(/\.d\.mts$/, '.mjs').replace(/\.d\.cts$/, '.cjs'));
    }
    graph.set(file, [...deps].filter((d) => d !== file));
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan): each one is a cycle. */
export function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** folder → folders it imports from, with one file-to-file import that shows each edge. */
export function folderGraph(graph) {
  const folders = new Map();
  const witness = new Map();
  for (const [file, deps] of graph) {
    const from = dirname(file);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const dep of deps) {
      const to = dirname(dep);
      if (to === from) continue;
      folders.get(from).add(to);
      if (!witness.has(`${from}\t${to}`)) witness.set(`${from}\t${to}`, `${file} → ${dep}`);
    }
  }
  return { graph: new Map([...folders].map(([k, v]) => [k, [...v]])), witness };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = importGraph();
  const folders = folderGraph(files);
  const all = cycles(files);
  const fileCycles = all.filter((c) => !KNOWN.has(c.join(', ')));
  const stale = [...KNOWN].filter((k) => !all.some((c) => c.join(', ') === k));
  for (const k of stale) console.error(`no longer a cycle, remove it from KNOWN in scripts/check-cycles.mjs: ${k}`);
  for (const c of all.filter((c) => KNOWN.has(c.join(', ')))) console.log(`known import cycle (being removed elsewhere): ${c.join(', ')}`);
  const allFolderCycles = cycles(folders.graph);
  const folderCycles = allFolderCycles.filter((c) => !KNOWN_FOLDERS.has(c.join(', ')));
  const staleFolders = [...KNOWN_FOLDERS].filter((k) => !allFolderCycles.some((c) => c.join(', ') === k));
  for (const k of staleFolders) console.error(`no longer a cycle, remove it from KNOWN_FOLDERS in scripts/check-cycles.mjs: ${k}`);
  for (const c of allFolderCycles.filter((c) => KNOWN_FOLDERS.has(c.join(', ')))) console.log(`known import cycle between folders (to be removed): ${c.join(', ')}`);
  if (process.argv.includes('--list')) {
    for (const [edge, why] of [...folders.witness].sort()) console.log(`${edge.replace('\t', ' → ')}\t(${why})`);
  }
  for (const c of fileCycles) console.error(`import cycle between files: ${c.join(', ')}`);
  for (const c of folderCycles) {
    console.error(`import cycle between folders: ${c.join(', ')}`);
    const inCycle = new Set(c);
    for (const [edge, why] of folders.witness) {
      const [from, to] = edge.split('\t');
      if (inCycle.has(from) && inCycle.has(to)) console.error(`  ${from} → ${to}  (e.g. ${why})`);
    }
  }
  const n = fileCycles.length + folderCycles.length + stale.length + staleFolders.length;
  console.log(`import cycles: ${fileCycles.length} between files, ${folderCycles.length} between folders (${files.size} files, ${folders.graph.size} folders)`);
  process.exit(n ? 1 : 0);
}
