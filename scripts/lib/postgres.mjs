// A throw-away PostgreSQL for MLflow's tracking store, as teams run MLflow: Debian's `postgresql`
// package (installed when missing), one cluster in a temporary directory, listening on a free
// loopback port with trust auth, stopped and deleted when this process ends.
//   startPostgres()          initdb + postgres + MLflow's schema in a template database
//   cluster.createDatabase() a fresh copy of that template; resolves with its SQLAlchemy URI
//   sharedPostgres()         the cluster GT_POSTGRES_URL names, else one started on first use
//
// PostgreSQL refuses to run as root: under root, initdb and postgres run as the `postgres` user
// the Debian package creates (setpriv, no intermediate process), and the data directory is theirs.
// MLflow's schema is made once per cluster (`mlflow db upgrade` on a template database, which runs
// all its migrations on PostgreSQL); each server then gets a copy of that template, in well under a
// second instead of the migrations' several seconds.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.mjs';
import { onProcessEnd } from './process-end.mjs';
import { ensureVenv, venvBin } from './python.mjs';
import { ensureSystemPackages, POSTGRES_PACKAGES } from './system.mjs';

const USER = 'gt';
const TEMPLATE = 'gt_mlflow_template';

/** The newest server version Debian's packages installed: /usr/lib/postgresql/<major>/bin. */
function binDir() {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base) ? readdirSync(base).filter((d) => existsSync(join(base, d, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!majors.length) throw new Error(`No PostgreSQL server under ${base}. Install it: apt-get install postgresql`);
  return join(base, majors[0], 'bin');
}

/** [command, args] that run `bin` as the postgres user when we are root, else as ourselves. */
function asServerUser(bin, args) {
  if (process.getuid?.() !== 0) return [bin, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--reset-env', bin, ...args]];
}

function serverUserIds() {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Running as root, PostgreSQL needs the `postgres` user that Debian\'s postgresql package creates; reinstall it: apt-get install --reinstall postgresql-common');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * @param {{ log?: (m: string) => void }} [opts]
 * @returns {Promise<{ url: string, port: number, dir: string, createDatabase: () => Promise<string>, traceCounts: () => { database: string, traces: number }[], stop: () => Promise<void> }>}
 */
export async function startPostgres(opts = {}) {
  const log = opts.log ?? ((m) => process.stderr.write(`[postgres] ${m}\n`));
  ensureSystemPackages(POSTGRES_PACKAGES);
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'gt-postgres-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const { uid, gid } = serverUserIds();
    chownSync(dir, uid, gid);
  }
  const t0 = Date.now();
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const init = spawnSync(initCmd, initArgs, { cwd: dir, encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${init.status ?? init.error?.message}):\n${init.stderr || init.stdout}`);
  }

  const port = await freePort();
  const logFile = join(dir, 'postgres.log');
  const fd = openSync(logFile, 'a');
  let child;
  try {
    // The socket goes in our own directory: /var/run/postgresql may be missing or not ours.
    const [cmd, args] = asServerUser(join(bin, 'postgres'), ['-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1']);
    child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const running = () => child.exitCode === null && child.signalCode === null;
  const offProcessEnd = onProcessEnd(() => {
    // SIGQUIT: immediate shutdown, no checkpoint; the data is thrown away anyway.
    try { if (running()) process.kill(-child.pid, 'SIGQUIT'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  });

  const stop = async () => {
    offProcessEnd();
    if (running()) {
      child.ref(); // unref'd while it serves: waiting for its exit must keep this process alive
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGQUIT'); } catch { /* gone */ }
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `postgresql://${USER}@127.0.0.1:${port}`;
  const { client, ...dbs } = databases(url, bin);
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!running()) throw new Error(`postgres exited with ${child.exitCode ?? child.signalCode}:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
      if (spawnSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0) break;
      if (Date.now() > deadline) throw new Error(`postgres on port ${port} not ready after 30 s:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`PostgreSQL ${bin.split('/').at(-2)} on 127.0.0.1:${port} (data in ${dir}), up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Every database made later copies this one.
    const t1 = Date.now();
    client('createdb', [TEMPLATE]);
    ensureVenv();
    await new Promise((resolve, reject) => {
      const p = spawn(venvBin('mlflow'), ['db', 'upgrade', `${url}/${TEMPLATE}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mlflow db upgrade on PostgreSQL failed (exit ${code}):\n${out.slice(-4000)}`))));
    });
    log(`MLflow schema made in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, dir, ...dbs, stop };
}

/**
 * Databases in the cluster at `url` (postgresql://user@host:port), copied from the MLflow template.
 * They stay until the cluster goes (its owner stops it), so the owner can count what landed in them.
 */
function databases(url, bin = binDir()) {
  const u = new URL(url);
  const env = { ...process.env, PGHOST: u.hostname, PGPORT: u.port, PGUSER: u.username };
  const client = (name, args) => execFileSync(join(bin, name), args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const psql = (db, sql) => client('psql', ['-d', db, '-Atc', sql]).trim();
  let n = 0;
  return {
    client,
    /** A new database holding MLflow's schema; returns its URI for `--backend-store-uri`. */
    async createDatabase() {
      const name = `gt_${process.pid}_${Date.now()}_${n++}`;
      client('createdb', ['-T', TEMPLATE, name]);
      return `${url}/${name}`;
    },
    /** The traces in every database made here so far: proof that servers really wrote to PostgreSQL. */
    traceCounts() {
      const names = psql('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'gt\\_%' AND datname <> '" + TEMPLATE + "' ORDER BY datname");
      return names ? names.split('\n').map((database) => ({ database, traces: Number(psql(database, 'SELECT count(*) FROM trace_info')) })) : [];
    },
  };
}

/**
 * The cluster MLflow servers of this process use: the one `GT_POSTGRES_URL` names (scripts/test.mjs
 * starts one per run and hands it to every suite), else one started here on first use.
 */
let own;
export function sharedPostgres() {
  if (process.env.GT_POSTGRES_URL) return Promise.resolve(databases(process.env.GT_POSTGRES_URL));
  own ??= startPostgres();
  return own;
}
