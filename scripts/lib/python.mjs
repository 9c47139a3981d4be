// The project-local Python venv that holds the pinned MLflow server and the Python Gemini SDK.
// Created on first use; later calls only check that the pins are installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callInChild } from './in-child.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const venvDir = join(root, '.venv');
export const venvPython = join(venvDir, 'bin', 'python');
export const venvBin = (name) => join(venvDir, 'bin', name);

// mlflow 3.18.0 is on the index these machines reach, but its own dependency
// mlflow-skinny==3.18.0 is not, so 3.18.0 cannot install here; 3.17.2 is the newest complete one.
// vermin: the checker test/component/inject-python.test.ts runs over src/inject/python (Python 3.9+).
// psycopg is the driver SQLAlchemy 2.1 (MLflow's) picks for a `postgresql://` store URI, as a
// team's MLflow on PostgreSQL uses it; its binary extra carries libpq, so nothing is compiled.
export const PINS = ['mlflow==3.17.2', 'google-genai==3.6.1', 'vermin==1.9.2', 'psycopg[binary]==3.3.9'];

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

/**
 * The app venvs the Python tracer's tests run programs in, each holding only what such an app
 * would have (no mlflow): tracing must need nothing installed in the app's environment.
 * `.venvs/<name>`, created on first use from the machine's Python, pins as given.
 */
export const APP_VENVS = {
  // The SDK of today, alone: the usual app.
  genai: ['google-genai==3.6.1'],
  // The last 2.x, the range Google's ADK installs (google-genai < 3): Interactions and Live as in 3.x.
  'genai-2': ['google-genai==2.34.0'],
  // The last google-genai for Python 3.9 (its chats leave automatic function calling to the model
  // call, and it has no automatic continuation): the tracer's other paths to the same spans.
  'genai-1': ['google-genai==1.47.0'],
  // The legacy SDK, alone (the MLflow Gemini docs' install line still names it).
  legacy: ['google-generativeai==0.8.6'],
  // The frameworks, in one venv (their versions allow it; one install instead of three, ~225 MB):
  // Google's ADK (Python >= 3.11, google-genai < 3, so google-genai 2.x here), LangChain and
  // LangGraph with langchain-google-genai, and the openai SDK.
  frameworks: [
    'google-adk==2.13.0', 'google-genai==2.34.0', 'langchain==1.5.2', 'langchain-core==1.8.3', 'langchain-google-genai==4.4.3',
    'langgraph==1.2.24', 'openai==3.60.0',
  ],
};

/** The Python of an app venv; creates it and installs its pins the first time. */
export function ensureAppVenv(name, { quiet = false } = {}) {
  const pins = APP_VENVS[name];
  if (!pins) throw new Error(`no app venv named ${name}`);
  const dir = join(root, '.venvs', name);
  const python = join(dir, 'bin', 'python');
  const mark = join(dir, '.gemini-trace-pins');
  const want = pins.join('\n');
  if (existsSync(python) && existsSync(mark) && readFileSync(mark, 'utf8') === want) return python;
  const log = (m) => quiet || process.stderr.write(`[venv ${name}] ${m}\n`);
  if (!existsSync(python)) {
    log(`creating ${dir}`);
    execFileSync(findSystemPython(), ['-m', 'venv', dir], { stdio: 'inherit' });
  }
  log(`installing ${pins.join(' ')}`);
  const r = spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...pins], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`pip install ${pins.join(' ')} into ${dir} failed (exit ${r.status}); see the output above`);
  writeFileSync(mark, want);
  return python;
}

/** ensureVenv (no name) or ensureAppVenv(name) in a child process, so that a first install (the
 *  frameworks venv takes about a minute) overlaps other work; resolves when it is done. */
export function ensureInBackground(name) {
  const call = name ? `m.ensureAppVenv(${JSON.stringify(name)})` : 'm.ensureVenv()';
  return callInChild(import.meta.url, call, `setting up ${name ? `.venvs/${name}` : '.venv'}`);
}
