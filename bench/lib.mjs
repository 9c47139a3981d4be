// Shared by every benchmark: percentiles, a ratio line against a baseline measured in the same
// run (the machines are shared and noisy, so absolute numbers alone mean little), and the JSON
// record in bench/results/.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = join(root, 'bench', 'results');

/** The value after `--name` on the command line, or `dflt`. */
export function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
}

export function percentile(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Prints "name: value unit (ratio× baseline …) goal …" and returns the ratio. */
export function report(name, { value, unit, baseline, baselineLabel, goal, goalMet }) {
  const ratio = baseline ? value / baseline : undefined;
  const parts = [`${name}: ${fmt(value)} ${unit}`];
  if (ratio !== undefined) parts.push(`= ${ratio.toFixed(3)}× ${baselineLabel} (${fmt(baseline)} ${unit})`);
  if (goal) parts.push(`goal ${goal}: ${goalMet ? 'met' : 'NOT met'}`);
  console.log(parts.join(' · '));
  return ratio;
}

export function writeResult(bench, data) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${bench}.json`);
  writeFileSync(file, JSON.stringify({ bench, at: new Date().toISOString(), node: process.version, ...data }, null, 2));
  return file;
}

function fmt(n) {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/** The Gemini stand-in in a process of its own (test/fixtures/gemini/cli.ts), so the benchmark's
 *  own event loop measures only the app side; resolves with its URL and a stop(). */
export function startStandin() {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'test/fixtures/gemini/cli.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', (d) => {
      const m = /GEMINI_STANDIN_URL=(\S+)/.exec(String(d));
      if (m) resolve({ url: m[1], stop: () => child.kill() });
      else reject(new Error(`unexpected stand-in output: ${d}`));
    });
  });
}
