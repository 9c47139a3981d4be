// What the Node preload costs a whole program, start to exit: wall time, CPU time and peak RSS of
// the app's process, traced against untraced, alternating in rounds (bench/preload-overhead.mjs
// --api startup). Four apps, run from this repository (so `@google/genai` is the project's own
// copy), all ES modules but plainCjs:
//   plain   a short program that never loads the SDK
//   plainCjs  the same program as CommonJS, as npm, tsc and most build tools are (on Node 20 the
//           preload starts no ES module loader for it: src/inject/node/esmHooks.ts)
//   idle    loads @google/genai and makes a client, but makes no call
//   five    five generateContent calls against the Gemini stand-in, traced into a real MLflow
// Each process is started and reaped by a few lines of Python (os.wait4): its rusage is exact and
// is the app's own, never the detached sender it may leave at exit.
// Then a few more traced five-call runs with a probe that times the app's exit: from 'beforeExit'
// (the app's work is done) to 'exit', which is the preload sending the last batch and waiting for
// MLflow's answer (so that nothing is lost). The same against a sink that answers every request at
// once tells the preload's part of that wait (serialising, the request) from MLflow's.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PLAIN = `let x = 0;\nfor (let i = 0; i < 2e6; i++) x += i % 7;\nconsole.log('done', x);\n`;
const APPS = {
  plain: PLAIN,
  plainCjs: PLAIN,
  idle: `import { GoogleGenAI } from '@google/genai';\nconst ai = new GoogleGenAI({ apiKey: 'test-key' });\nconsole.log('client', typeof ai.models.generateContent);\n`,
  five: `import { GoogleGenAI } from '@google/genai';\nconst ai = new GoogleGenAI({ apiKey: 'test-key' });\nfor (let i = 0; i < 5; i++) {\n  const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'start-up call ' + i });\n  console.log(r.text.length);\n}\n`,
};

/** The five-call app, untraced, kept alive this long after its calls: about as long as the traced
 *  one waits at exit for MLflow's answer. In those milliseconds Node does work of its own (about
 *  10 MB of native memory for a moment, gone with --jitless) that an app exiting at once never
 *  does: this run tells that from what the preload holds. */
export const LINGER_MS = 40;

// argv: node, app, cwd, env as JSON on stdin; prints {wallMs, cpuMs, maxRssKb, code}.
const REAPER = `
import json, os, sys, time
node, app, cwd = sys.argv[1:4]
env = json.loads(sys.stdin.read())
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.chdir(cwd)
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.execve(node, [node, app], env)
_, status, ru = os.wait4(pid, 0)
wall = (time.perf_counter() - t0) * 1000
print(json.dumps({"wallMs": wall, "cpuMs": (ru.ru_utime + ru.ru_stime) * 1000, "maxRssKb": ru.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}))
`;

function reap(node, app, cwd, env) {
  return new Promise((resolve, reject) => {
    const py = spawn('python3', ['-c', REAPER, node, app, cwd], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    py.stdout.on('data', (d) => (out += d));
    py.on('error', reject);
    py.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the reaper exited ${code}`));
      const r = JSON.parse(out);
      if (r.code !== 0) return reject(new Error(`${app} exited ${r.code}`));
      resolve(r);
    });
    py.stdin.end(JSON.stringify(env));
  });
}

// Its own median (bench/lib.mjs's percentile at 50): bench/lib/ imports nothing from bench/ (no folder cycle).
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const HOOKS_PRELOAD = `const m = require('node:module');
if (typeof m.registerHooks === 'function') m.registerHooks({ resolve: (s, c, n) => n(s, c), load: (u, c, n) => n(u, c) });
else if (typeof m.register === 'function') m.register('data:text/javascript,export async function resolve(s, c, n) { return n(s, c); } export async function load(u, c, n) { return n(u, c); }');
`;

// Registered before the preload's own listeners: 'beforeExit' here is the app's work done.
const PROBE = `const t0 = performance.now(); let done;
process.on('beforeExit', () => { done ??= performance.now(); });
process.on('exit', () => { require('node:fs').writeFileSync(process.env.GT_BENCH_EXIT_FILE, String(performance.now() - (done ?? performance.now()))); });
`;

/** An MLflow stand-in for the exit probe only: it names an experiment and takes any upload at once. */
function instantSink() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url.includes('/experiments/') ? JSON.stringify({ experiment: { experiment_id: '1' }, experiment_id: '1' }) : '{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

/** Median ms from the app's last work to its exit, traced, over five runs. */
async function exitWait(o, dir, app) {
  const probe = join(dir, 'exit-probe.cjs');
  const file = join(dir, 'exit-wait.txt');
  writeFileSync(probe, PROBE);
  const env = { ...o.tracedEnv, NODE_OPTIONS: `--require "${probe}" ${o.tracedEnv.NODE_OPTIONS}`, GT_BENCH_EXIT_FILE: file };
  const waits = [];
  for (let i = 0; i < 5; i++) {
    await reap(o.node, app, o.root, env);
    waits.push(Number(readFileSync(file, 'utf8')));
  }
  return median(waits);
}

/**
 * @param {{ preload: string, nodeOptions: string }} dist
 * @param {{ root: string, node: string, rounds: number, plainEnv: Record<string,string>, tracedEnv: Record<string,string> }} o
 *   root: the repository (the apps run from it, so `@google/genai` is its copy)
 * @returns per app (plain, plainCjs, idle, five): median and best wall ms, mean CPU ms, median peak RSS MB, traced and untraced;
 *   five.exitWaitMs: the traced app's median wait at exit for MLflow's answer to its last batch;
 *   five.exitWaitInstantMs: the same against a sink that answers at once;
 *   five.peakRssMb.lingering: the untraced five-call app kept alive LINGER_MS after its calls;
 *   plain(Cjs).wallMs.emptyPreload / .cpuMs.emptyPreload: the untraced program with an empty --require;
 *   plain, plainCjs, idle: .wallMs.hooksPreload / .cpuMs.hooksPreload: the untraced app with a --require
 *   that only registers pass-through module hooks (HOOKS_PRELOAD)
 */
export async function measureStartup(dist, o) {
  const { root } = o;
  const dir = mkdtempSync(join(root, 'bench', '.startup-'));
  const out = {};
  // Node's own price for any preload: the untraced program with an empty file --require'd, so the
  // program that never loads the SDK tells what is ours from what any --require costs.
  const empty = join(dir, 'empty-preload.cjs');
  writeFileSync(empty, '');
  const emptyEnv = { ...o.plainEnv, NODE_OPTIONS: `--require "${empty}" ${o.plainEnv.NODE_OPTIONS ?? ''}`.trim() };
  // Node's price for hooking ES modules at all, which any ESM instrumentation pays: a --require that
  // registers module hooks passing everything through (in the app's thread where Node has
  // registerHooks, else its off-thread loader), and does nothing else.
  const hooks = join(dir, 'hooks-preload.cjs');
  writeFileSync(hooks, HOOKS_PRELOAD);
  const hooksEnv = { ...o.plainEnv, NODE_OPTIONS: `--require "${hooks}" ${o.plainEnv.NODE_OPTIONS ?? ''}`.trim() };
  try {
    for (const [name, source] of Object.entries(APPS)) {
      const app = join(dir, `${name}.${name === 'plainCjs' ? 'cjs' : 'mjs'}`);
      writeFileSync(app, source);
      const runs = { plain: [], traced: [], linger: [], empty: [], hooks: [] };
      const linger = join(dir, `${name}-linger.mjs`);
      if (name === 'five') writeFileSync(linger, `${source}setTimeout(() => {}, ${LINGER_MS});\n`);
      // One of each first, not counted: the file system cache and MLflow's first request.
      await reap(o.node, app, root, o.plainEnv);
      await reap(o.node, app, root, o.tracedEnv);
      for (let r = 0; r < o.rounds; r++) {
        const order = r % 2 ? ['traced', 'plain'] : ['plain', 'traced'];
        for (const mode of order) runs[mode].push(await reap(o.node, app, root, mode === 'traced' ? o.tracedEnv : o.plainEnv));
        if (name === 'five') runs.linger.push(await reap(o.node, linger, root, o.plainEnv));
        if (name.startsWith('plain')) runs.empty.push(await reap(o.node, app, root, emptyEnv));
        if (name !== 'five') runs.hooks.push(await reap(o.node, app, root, hooksEnv));
      }
      const stat = (k) => ({ plain: runs.plain.map((x) => x[k]), traced: runs.traced.map((x) => x[k]) });
      const wall = stat('wallMs');
      const cpu = stat('cpuMs');
      const rss = stat('maxRssKb');
      const m = {
        wallMs: { plain: median(wall.plain), traced: median(wall.traced), plainBest: Math.min(...wall.plain), tracedBest: Math.min(...wall.traced) },
        cpuMs: { plain: mean(cpu.plain), traced: mean(cpu.traced) },
        peakRssMb: { plain: median(rss.plain) / 1024, traced: median(rss.traced) / 1024 },
      };
      if (runs.linger.length) m.peakRssMb.lingering = median(runs.linger.map((x) => x.maxRssKb)) / 1024;
      if (runs.empty.length) {
        m.wallMs.emptyPreload = median(runs.empty.map((x) => x.wallMs));
        m.cpuMs.emptyPreload = mean(runs.empty.map((x) => x.cpuMs));
      }
      if (runs.hooks.length) {
        m.wallMs.hooksPreload = median(runs.hooks.map((x) => x.wallMs));
        m.cpuMs.hooksPreload = mean(runs.hooks.map((x) => x.cpuMs));
      }
      out[name] = m;
    }
    out.five.exitWaitMs = await exitWait(o, dir, join(dir, 'five.mjs'));
    const sink = await instantSink();
    try {
      out.five.exitWaitInstantMs = await exitWait({ ...o, tracedEnv: { ...o.tracedEnv, MLFLOW_TRACKING_URI: sink.url } }, dir, join(dir, 'five.mjs'));
    } finally {
      sink.server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
