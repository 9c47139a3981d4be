// Entry point that VS Code's extension host loads as `extensionTestsPath` (see
// scripts/run-vscode-tests.mjs): runs the bundled integration suites with mocha inside the real
// extension host. Its spec output goes to the extension host's console, which the runner cannot
// read, so it is also written to $GT_MOCHA_OUTPUT_FILE for the runner to print.
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Test files whose name contains one of $GT_INTEGRATION_GREP's substrings (a JSON array); all when unset. */
export function pickFiles(dir: string, grepJson = process.env.GT_INTEGRATION_GREP): string[] {
  const all = readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  const wanted: string[] = grepJson ? (JSON.parse(grepJson) as string[]).filter(Boolean) : [];
  const picked = wanted.length ? all.filter((f) => wanted.some((w) => f.includes(w))) : all;
  if (!picked.length) {
    throw new Error(`No integration test file matches ${JSON.stringify(wanted)} (have: ${all.join(', ') || 'none; run node scripts/build.mjs --tests'})`);
  }
  return picked.map((f) => join(dir, f));
}

export function run(): Promise<void> {
  const echo = process.env.GT_MOCHA_OUTPUT_FILE;
  if (echo) {
    writeFileSync(echo, '');
    const original = Mocha.reporters.Base.consoleLog;
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
      appendFileSync(echo, format(...args) + '\n');
      original(...args);
    };
  }
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    // Writes the pass/fail tally to $GT_RESULTS_FILE for scripts/test.mjs.
    reporter: resolve(__dirname, '../../../scripts/lib/mocha-reporter.cjs'),
  });
  return new Promise((done, fail) => {
    try {
      for (const f of pickFiles(__dirname)) mocha.addFile(f);
      if (echo) appendFileSync(echo, `integration files: ${mocha.files.map((f) => basename(f)).join(', ')}\n`);
      mocha.run((failures) => {
        // The runner reads this line as a second verdict, beside the extension host's exit code.
        if (echo) appendFileSync(echo, `GT_INTEGRATION_FAILURES=${failures}\n`);
        if (failures) fail(new Error(`${failures} integration test(s) failed`));
        else done();
      });
    } catch (e) {
      if (echo) appendFileSync(echo, `${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      fail(e);
    }
  });
}
