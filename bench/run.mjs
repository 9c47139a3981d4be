#!/usr/bin/env node
// `npm run bench`: every benchmark in bench/, one after another (they would disturb each other
// in parallel on a 2-core machine), sharing one real MLflow server. Each prints its own ratio
// lines and writes bench/results/<name>.json; a summary of all results closes the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startMlflow } from '../scripts/lib/mlflow.mjs';
import { resultsDir, root } from './lib.mjs';

const skip = new Set(['run.mjs', 'lib.mjs', 'gen-trace.mjs']);
const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.mjs') && !skip.has(f))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();

spawnSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
const mlflow = await startMlflow();
const failed = [];
try {
  for (const f of benches) {
    console.log(`\n=== bench/${f}`);
    const r = spawnSync('node', [join('bench', f)], { cwd: root, stdio: 'inherit', env: { ...process.env, GT_MLFLOW_URL: mlflow.url } });
    if (r.status !== 0) failed.push(f);
  }
} finally {
  await mlflow.stop();
}
console.log('\n=== results');
for (const f of benches) {
  const file = join(resultsDir, f.replace(/\.mjs$/, '.json'));
  console.log(`${f.padEnd(28)} ${existsSync(file) ? JSON.stringify(JSON.parse(readFileSync(file, 'utf8')).summary ?? 'see file') : '(no result)'}`);
}
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
