// Getting the last spans out when the app ends, without holding its exit for more than ~1.5 s:
// - a natural exit ('beforeExit') flushes the batch processor into the exporter's outbox and makes
//   one attempt at sending everything the outbox holds (also spans held while MLflow was away,
//   without waiting for their back-off); a ref'd timer of EXIT_BUDGET_MS is all that holds the
//   process, as the request's socket is unref'd;
// - `process.exit()` ('exit') runs no more async work, so spans still buffered (and calls still in
//   flight, closed as interrupted, and batches whose request had not come back) are sent by a
//   short-lived child process that we wait for synchronously, at most EXIT_BUDGET_MS, and only
//   when MLflow was reachable so far. MLflow upserts spans by id, so a resent span is harmless.
// Ctrl-C (SIGINT) keeps Node's default: we install no signal handlers, so the app's own handling
// is unchanged; spans older than the export delay are already in MLflow by then.
import { spawnSync } from 'node:child_process';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Pipeline } from './tracer';

export const EXIT_BUDGET_MS = 1500;

// Runs in the child: reads `<json header>\n<protobuf body>` from stdin and posts it. Plain Node,
// no dependencies, no NODE_OPTIONS (so the preload does not load into it).
const SENDER = String.raw`
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const all = Buffer.concat(chunks);
  const nl = all.indexOf(10);
  const h = JSON.parse(all.subarray(0, nl).toString('utf8'));
  const body = all.subarray(nl + 1);
  const call = async (method, url, headers, payload) => {
    const r = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(h.timeoutMs) });
    return { status: r.status, text: await r.text() };
  };
  try {
    let id = h.experimentId;
    if (!id && h.experimentName) {
      const q = await call('GET', h.baseUrl + '/api/2.0/mlflow/experiments/get-by-name?experiment_name=' + encodeURIComponent(h.experimentName), h.auth);
      if (q.status === 200) id = JSON.parse(q.text).experiment.experiment_id;
      else {
        const c = await call('POST', h.baseUrl + '/api/2.0/mlflow/experiments/create', { ...h.auth, 'content-type': 'application/json' }, JSON.stringify({ name: h.experimentName }));
        if (c.status !== 200) throw new Error('could not create experiment: HTTP ' + c.status);
        id = JSON.parse(c.text).experiment_id;
      }
    }
    const r = await call('POST', h.url, { ...h.headers, 'x-mlflow-experiment-id': id || '0' }, body);
    if (r.status < 200 || r.status > 299) throw new Error('HTTP ' + r.status + ': ' + r.text.slice(0, 200));
  } catch (e) {
    process.stderr.write(String(e && e.message || e));
    process.exitCode = 1;
  }
});
`;

export function installExitHooks(p: Pipeline, warn: (line: string) => void): void {
  let flushing = false;
  /** When the natural-exit flush began: the 'exit' path then only gets what is left of the budget. */
  let exitFlushAt: number | undefined;
  /** Spans the outbox held at exit got their one attempt (a second 'beforeExit' must not retry
   *  them again, or a down server would keep the process looping through 'beforeExit'). */
  let outboxTried = false;

  process.on('beforeExit', () => {
    try {
      if (flushing || (p.buffered.size === 0 && (outboxTried || p.exporter.holding() === 0))) return;
      flushing = true;
      outboxTried = true;
      exitFlushAt ??= Date.now();
      const hold = setTimeout(() => {}, EXIT_BUDGET_MS);
      p.flush()
        .catch(() => {})
        .finally(() => {
          clearTimeout(hold);
          flushing = false;
        });
    } catch {
      /* never disturb the app's exit */
    }
  });

  process.on('exit', () => {
    try {
      for (const span of [...p.live]) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'The process exited before this call finished.' });
        span.setAttribute('gemini_trace.interrupted', true);
        span.end();
      }
      const budget = EXIT_BUDGET_MS - (exitFlushAt === undefined ? 0 : Date.now() - exitFlushAt);
      // After a natural-exit flush, batches still in flight had their chance: a server that slow
      // would not take a resend within what is left of the budget either.
      const resend = exitFlushAt === undefined ? [...p.inflight] : [];
      if ((p.buffered.size === 0 && resend.length === 0) || p.exporter.isDown() || budget < 300) return;
      const spans = [...resend, ...p.buffered];
      p.buffered.clear();
      p.inflight.clear();
      const body = p.exporter.serialize(spans);
      if (!body) return;
      const t = p.exporter.target();
      const header = JSON.stringify({ ...t, baseUrl: t.url.replace(/\/v1\/traces$/, ''), auth: authOnly(t.headers), timeoutMs: budget - 200 });
      const r = spawnSync(process.execPath, ['-e', SENDER], {
        input: Buffer.concat([Buffer.from(`${header}\n`), Buffer.from(body)]),
        env: { ELECTRON_RUN_AS_NODE: '1', PATH: process.env.PATH ?? '' },
        timeout: budget,
        stdio: ['pipe', 'ignore', 'pipe'],
        windowsHide: true,
      });
      if (r.status !== 0) {
        const why = r.error ? r.error.message : (r.stderr?.toString('utf8').trim() || `exit code ${r.status}`);
        warn(`[gemini-trace] the last ${spans.length} span(s) could not be sent to ${t.url} as the process exited (${why}); they are dropped.`);
      }
    } catch {
      /* never disturb the app's exit */
    }
  });
}

function authOnly(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'authorization') out[k] = v;
  return out;
}
