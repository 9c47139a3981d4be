// The project-local Python venv that holds the pinned MLflow server and the Python Gemini SDK.
// Created on first use; later calls only check that the pins are installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const venvDir = join(root, '.venv');
export const venvPython = join(venvDir, 'bin', 'python');
export const venvBin = (name) => join(venvDir, 'bin', name);

// mlflow 3.18.0 is on the index these machines reach, but its own dependency
// mlflow-skinny==3.18.0 is not, so 3.18.0 cannot install here; 3.17.2 is the newest complete one.
// psycopg is the driver SQLAlchemy 2.1 (MLflow's) picks for a `postgresql://` store URI, as a
// team's MLflow on PostgreSQL uses it; its binary extra carries libpq, so nothing is compiled.
export const PINS = ['mlflow==3.17.2', 'google-genai==3.3.0', 'psycopg[binary]==3.3.9'];

const stamp = join(venvDir, '.gemini-trace-pins');

/** Creates `.venv` and installs the pins unless they are already there. Logs progress to stderr. */
export function ensureVenv({ quiet = false } = {}) {
  const want = PINS.join('\n');
  if (existsSync(venvPython) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return venvPython;
  const log = (m) => quiet || process.stderr.write(`[venv] ${m}\n`);
  if (!existsSync(venvPython)) {
    const py = findSystemPython();
    log(`creating ${venvDir} with ${py}`);
    execFileSync(py, ['-m', 'venv', venvDir], { stdio: 'inherit' });
  }
  log(`installing ${PINS.join(' ')} (first run only, a minute or two)`);
  const r = spawnSync(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...PINS], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`pip install ${PINS.join(' ')} failed (exit ${r.status}); see the output above`);
  writeFileSync(stamp, want);
  return venvPython;
}

function findSystemPython() {
  for (const c of ['python3.11', 'python3', 'python']) {
    const r = spawnSync(c, ['-c', 'import sys,venv; print(sys.version_info >= (3, 10))'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === 'True') return c;
  }
  throw new Error('No Python >= 3.10 with the venv module found: install python3 and python3-venv');
}
