// Mocha's spec output, plus a JSON tally written to $GT_RESULTS_FILE so the test orchestrator
// can print one closing "N passed, N failed" line over every suite (including those that run
// inside VS Code's extension host, where stdout goes to the server log).
const Mocha = require('mocha');
const fs = require('node:fs');

class TallyReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on('fail', (test, err) => failures.push({ title: test.fullTitle(), error: String(err && (err.stack || err.message) || err) }));
    runner.once('end', () => {
      const file = process.env.GT_RESULTS_FILE;
      if (!file) return;
      const s = runner.stats || {};
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes || 0, failed: s.failures || 0, skipped: s.pending || 0, failures }, null, 2));
    });
  }
}
module.exports = TallyReporter;
