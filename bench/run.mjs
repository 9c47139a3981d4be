#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, one after another (they would disturb each other
// in parallel on a 2-core machine), sharing one real MLflow server (sqlite store). The explorer's
// benchmarks that read through the store (STORE_BENCHES) then run again against an MLflow on
// PostgreSQL, as a team's server is. Each prints its own ratio lines and writes
// bench/results/<name>.json (<name>-postgres.json for the second store); a summary closes the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { resultsDir, root } from './lib.mjs';

const skip = new Set(['run.mjs', 'lib.mjs', 'gen-trace.mjs']);
const STORE_BENCHES = ['tree-first-page.mjs', 'live-poll.mjs'];
const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.mjs') && !skip.has(f))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();

spawnSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
const failed = [];
/** Runs `list` one after another against one fresh MLflow with `store`. */
async function runAll(list, store) {
  const mlflow = await startMlflow({ store });
  try {
    for (const f of list) {
      console.log(`\n=== bench/${f}${store === 'sqlite' ? '' : ` (${store} store)`}`);
      const r = spawnSync('node', [join('bench', f)], { cwd: root, stdio: 'inherit', env: { ...process.env, GT_MLFLOW_URL: mlflow.url, GT_MLFLOW_STORE: store } });
      if (r.status !== 0) failed.push(`${f}${store === 'sqlite' ? '' : ` (${store})`}`);
    }
  } finally {
    await mlflow.stop();
  }
}
await runAll(benches, 'sqlite');
const storeBenches = benches.filter((f) => STORE_BENCHES.includes(f));
// Its PostgreSQL cluster is started with the server and goes when this process ends.
if (storeBenches.length) await runAll(storeBenches, 'postgres');
console.log('\n=== results');
for (const name of [...benches, ...storeBenches.map((f) => f.replace(/\.mjs$/, '-postgres.mjs'))]) {
  const file = join(resultsDir, name.replace(/\.mjs$/, '.json'));
  console.log(`${name.padEnd(28)} ${existsSync(file) ? JSON.stringify(JSON.parse(readFileSync(file, 'utf8')).summary ?? 'see file') : '(no result)'}`);
}
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
