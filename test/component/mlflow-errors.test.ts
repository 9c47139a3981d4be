// Every way a request can fail becomes an MlflowError of the right kind whose message names the
// server and the fix. Failures a real MLflow cannot be made to produce on demand (401 from an auth
// proxy, an HTML page, a server that never answers, an older server) come from loopback fixtures;
// the rest from the real server.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowError } from '../../src/mlflow/errors';
import { resolveEndpoint } from '../../src/mlflow/auth';
import { Http } from '../../src/mlflow/http';
import { parseJsonLossless } from '../../src/shared/jsonLossless';
import { EarlySpans } from '../../src/model/earlySpans';
import { normalizeTrace } from '../../src/model/normalize';
import { generateTrace } from '../../bench/gen-trace.mjs';
import { FLASK_404, always, never, stallMidBody, startLoopback, startProxy, type Loopback } from '../fixtures/mlflow/loopback';
import { writeTraces } from '../fixtures/mlflow/writeTraces';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';

async function failure(p: Promise<unknown>, kind: MlflowError['kind']): Promise<MlflowError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MlflowError, `expected MlflowError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    return e;
  }
  assert.fail(`expected a rejection of kind ${kind}`);
}

/** A loopback port with nothing listening on it. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('MlflowClient failures', function () {
  this.timeout(120_000);
  const servers: Loopback[] = [];
  const serve = async (l: Promise<Loopback>): Promise<Loopback> => {
    const s = await l;
    servers.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('a refused connection says how to start a server on that port', async () => {
    const port = await closedPort();
    const e = await failure(new MlflowClient({ trackingUri: `http://127.0.0.1:${port}/` }).health(), 'connection-refused');
    assert.equal(
      e.message,
      `MLflow at http://127.0.0.1:${port} refused the connection — is the server running? Start one with \`mlflow server --host 127.0.0.1 --port ${port}\` or the command **Gemini Trace: Start Local MLflow Server**`,
    );
  });

  it('an unresolvable host is unreachable', async () => {
    const e = await failure(new MlflowClient({ trackingUri: 'http://no-such-host.invalid:5000' }).health(), 'unreachable');
    assert.match(e.message, /^Could not reach MLflow at http:\/\/no-such-host\.invalid:5000: its host name does not resolve/);
  });

  it('401 asks for credentials; with credentials, says they were rejected', async () => {
    const s = await serve(startLoopback(always(401, 'You are not authenticated.', 'text/html; charset=utf-8')));
    const anon = await failure(new MlflowClient({ trackingUri: s.url }).searchExperiments({}), 'unauthorized');
    assert.match(anon.message, new RegExp(`^MLflow at ${s.url} requires authentication \\(401\\): You are not authenticated\\. — set credentials with \\*\\*Gemini Trace: Set MLflow Credentials…\\*\\*`));
    const withCreds = await failure(new MlflowClient({ trackingUri: s.url, auth: { kind: 'bearer', token: 'nope-token' } }).searchExperiments({}), 'unauthorized');
    assert.match(withCreds.message, /rejected the credentials \(401\)/);
    assert.doesNotMatch(withCreds.message, /nope-token/);
    assert.equal(withCreds.details.status, 401);
  });

  it('403 says the credentials lack permission', async () => {
    const s = await serve(startLoopback(always(403, 'Permission denied', 'text/html')));
    const e = await failure(new MlflowClient({ trackingUri: s.url }).deleteTraces('1', ['tr-1']), 'forbidden');
    assert.match(e.message, /denied POST \/api\/3\.0\/mlflow\/traces\/delete-traces \(403\): Permission denied — the credentials lack permission/);
  });

  it('an HTML page instead of JSON is called out', async () => {
    const s = await serve(startLoopback(always(200, '<!doctype html><html><body>Sign in</body></html>', 'text/html')));
    const e = await failure(new MlflowClient({ trackingUri: s.url }).searchExperiments({}), 'malformed-response');
    assert.match(e.message, new RegExp(`^MLflow at ${s.url} answered POST /api/2\\.0/mlflow/experiments/search with an HTML page instead of JSON`));
  });

  it('truncated JSON is malformed, with the parser\'s reason', async () => {
    const s = await serve(startLoopback(always(200, '{"experiments": [{"experiment_id": "1"')));
    const e = await failure(new MlflowClient({ trackingUri: s.url }).searchExperiments({}), 'malformed-response');
    assert.match(e.message, /a response that is not valid JSON \(.+\): \{"experiments"/);
  });

  it('a non-object body or a field of the wrong type is malformed', async () => {
    const s = await serve(startLoopback(always(200, '{"experiments": {"not": "a list"}}')));
    await failure(new MlflowClient({ trackingUri: s.url }).searchExperiments({}), 'malformed-response');
    const t = await serve(startLoopback(always(200, '"OK"')));
    await failure(new MlflowClient({ trackingUri: t.url }).searchExperiments({}), 'malformed-response');
  });

  it('a 404 page on a v3 endpoint means the server is too old', async () => {
    const s = await serve(startLoopback(always(404, FLASK_404, 'text/html; charset=utf-8')));
    const e = await failure(new MlflowClient({ trackingUri: s.url }).searchTraces({ experimentIds: ['1'] }), 'unsupported');
    assert.match(e.message, /has no endpoint POST \/api\/3\.0\/mlflow\/traces\/search \(404\) — this needs MLflow ≥ 3\.0\. Upgrade the server/);
    const v2 = await failure(new MlflowClient({ trackingUri: s.url }).searchExperiments({}), 'unsupported');
    assert.match(v2.message, /check that the tracking URI points at an MLflow server/);
  });

  it('5xx is a server error carrying MLflow\'s message', async () => {
    const s = await serve(startLoopback(always(500, '{"error_code": "INTERNAL_ERROR", "message": "database is locked"}')));
    const e = await failure(new MlflowClient({ trackingUri: s.url }).searchExperiments({}), 'server-error');
    assert.match(e.message, /failed on POST \/api\/2\.0\/mlflow\/experiments\/search with 500 INTERNAL_ERROR: database is locked — see the server's log/);
    assert.equal(e.details.errorCode, 'INTERNAL_ERROR');
  });

  it('a server that never answers times out, with the configured time in the message', async () => {
    const s = await serve(startLoopback(never));
    const t0 = Date.now();
    const e = await failure(new MlflowClient({ trackingUri: s.url, timeoutMs: 300 }).health(), 'timeout');
    const took = Date.now() - t0;
    assert.ok(took >= 280 && took < 5000, `took ${took} ms`);
    assert.match(e.message, new RegExp(`^MLflow at ${s.url} did not answer GET /health within 300 ms`));
    // A per-request timeout overrides the default.
    const t1 = Date.now();
    await failure(new MlflowClient({ trackingUri: s.url, timeoutMs: 60_000 }).health({ timeoutMs: 200 }), 'timeout');
    assert.ok(Date.now() - t1 < 5000);
  });

  describe('a large body, parsed while it downloads', () => {
    /** Sends `body` in 64 KB writes with a pause between, as a server streaming a big file does;
     *  with `drop`, the connection is cut after that many characters. */
    const trickled = (body: string, drop?: number) => startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let at = 0;
      const next = (): void => {
        if (drop !== undefined && at >= drop) return void res.destroy();
        if (at >= body.length) return void res.end();
        res.write(body.slice(at, (at += 64 * 1024)));
        setTimeout(next, 1);
      };
      next();
    });
    const get = (s: Loopback, o: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
      new Http(resolveEndpoint(s.url), {}).request<unknown>({ method: 'GET', path: '/traces.json' }, o);
    const { info, spansJson } = generateTrace({ spans: 3000, encoding: 'python', seed: 2, hostile: true });

    it('gives the very value of a one-shot lossless parse', async () => {
      assert.ok(spansJson.length > 2 << 20);
      const s = await serve(trickled(spansJson));
      assert.deepStrictEqual(await get(s), parseJsonLossless(spansJson));
    });

    it('reads spans while the rest downloads, into the very trace a plain read gives', async () => {
      const early = new EarlySpans();
      let waits = 0;
      const items = { path: ['spans'], each: (v: unknown, i: number) => early.add(v, i), idle: (ms: number) => (waits++, early.readSome(ms)) };
      const s = await serve(trickled(spansJson));
      const { spans } = await new Http(resolveEndpoint(s.url), {}).request<{ spans: unknown[] }>({ method: 'GET', path: '/traces.json', items });
      let readEarly = 0;
      const take = early.take.bind(early);
      early.take = (i, raw, bad) => {
        const r = take(i, raw, bad);
        if (r !== 'unread') readEarly++;
        return r;
      };
      assert.deepStrictEqual(normalizeTrace({ info, spans, early }), normalizeTrace({ info, spans }));
      assert.ok(waits > 0 && readEarly > 0, `${readEarly} of ${spans.length} spans read in ${waits} waits for the body`);
    });

    it('malformed, says where it breaks and quotes its start; cut off, it is a network failure', async () => {
      const at = spansJson.indexOf('},{"', 1_500_000) + 1; // between two spans
      const broken = `${spansJson.slice(0, at)}]${spansJson.slice(at + 1)}`;
      const e = await failure(get(await serve(trickled(broken))), 'malformed-response');
      assert.match(e.message, /not valid JSON \(Malformed JSON in the value at character 1\d{6} of \d+.*\): \{"spans"/);
      const cut = await failure(get(await serve(trickled(spansJson, 1_600_000))), 'unreachable');
      assert.doesNotMatch(cut.message, /not valid JSON/);
    });

    it('times out when it stalls, and stops when cancelled', async () => {
      const stall = await serve(startLoopback((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(spansJson.slice(0, 1_500_000));
      }));
      await failure(get(stall, { timeoutMs: 500 }), 'timeout');
      const controller = new AbortController();
      const p = get(await serve(trickled(spansJson)), { signal: controller.signal });
      setTimeout(() => controller.abort(), 30);
      await failure(p, 'cancelled');
    });

    it('all whitespace is an empty answer, as a small blank one is', async () => {
      assert.deepStrictEqual(await get(await serve(trickled(' '.repeat(3 << 20)))), {});
    });
  });

  it('a body that stalls half way also times out', async () => {
    const s = await serve(startLoopback(stallMidBody));
    await failure(new MlflowClient({ trackingUri: s.url, timeoutMs: 300 }).searchExperiments({}), 'timeout');
  });

  it('an AbortSignal cancels a request in flight, and an aborted one never leaves', async () => {
    const s = await serve(startLoopback(never));
    const client = new MlflowClient({ trackingUri: s.url, timeoutMs: 30_000 });
    const ac = new AbortController();
    const p = client.getTraceInfo('tr-1', { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const e = await failure(p, 'cancelled');
    assert.ok(Date.now() - t0 < 5000);
    assert.match(e.message, /^Request GET \/api\/3\.0\/mlflow\/traces\/tr-1 to MLflow at .+ was cancelled\.$/);

    const before = s.seen.length;
    await failure(client.health({ signal: AbortSignal.abort() }), 'cancelled');
    assert.equal(s.seen.length, before, 'no request was sent');
  });

  it('unusable tracking URIs reject (the constructor does not throw)', async () => {
    const file = new MlflowClient({ trackingUri: 'file:///tmp/mlruns' });
    const e = await failure(file.health(), 'bad-request');
    assert.match(e.message, /uses file, which is not an MLflow server/);
    await failure(new MlflowClient({ trackingUri: 'not a uri' }).searchExperiments({}), 'bad-request');
    const db = await failure(new MlflowClient({ trackingUri: 'databricks' }).health(), 'unauthorized');
    assert.match(db.message, /DATABRICKS_HOST and DATABRICKS_TOKEN/);
  });

  it('bad input is refused before any request', async () => {
    const client = new MlflowClient({ trackingUri: 'http://127.0.0.1:9' });
    await failure(client.searchTraces({ experimentIds: [] }), 'bad-request');
    await failure(client.searchTraces({ experimentIds: ['1'], maxResults: 0 }), 'bad-request');
    await failure(client.getTrace(''), 'bad-request');
    await failure(client.setTraceTag('tr-1', '', 'v'), 'bad-request');
  });

  describe('reading spans when the direct route is missing (real server behind a proxy)', () => {
    let url: string;
    let storeId: string;
    let artifactId: string;
    before(async () => {
      url = await mlflowUrl();
      const exp = uniqueName('fallback');
      const [a, b] = await writeTraces(url, [
        { experiment: exp, name: 'in-store' },
        { experiment: exp, name: 'in-artifacts', spansTo: 'artifacts' },
      ]);
      storeId = a.traceIds[0];
      artifactId = b.traceIds[0];
    });

    it('a server without traces/get (MLflow < 3.7) serves tracking-store spans via get-trace-artifact', async () => {
      const proxy = await serve(startProxy(url, (r) => (r.url.startsWith('/api/3.0/mlflow/traces/get') ? { status: 404, body: FLASK_404, contentType: 'text/html' } : undefined)));
      const t = await new MlflowClient({ trackingUri: proxy.url }).getTrace(storeId);
      assert.equal(t.source, 'tracking-store');
      assert.equal(t.data.spans.length, 2);
      assert.deepEqual(proxy.seen.map((r) => r.url.split('?')[0]), ['/api/3.0/mlflow/traces/' + storeId, '/api/3.0/mlflow/traces/get', '/ajax-api/2.0/mlflow/get-trace-artifact']);
    });

    it('a server not proxying artifacts serves traces.json via get-trace-artifact', async () => {
      const proxy = await serve(startProxy(url, (r) => (r.url.startsWith('/api/2.0/mlflow-artifacts/') ? { status: 404, body: FLASK_404, contentType: 'text/html' } : undefined)));
      const t = await new MlflowClient({ trackingUri: proxy.url }).getTrace(artifactId);
      assert.equal(t.source, 'artifact');
      assert.equal(t.data.spans.length, 2);
      assert.ok(proxy.seen.some((r) => r.url.startsWith('/ajax-api/2.0/mlflow/get-trace-artifact?request_id=' + artifactId)));
    });

    it('when no route has the spans, the error says so', async () => {
      const proxy = await serve(startProxy(url, (r) => (/mlflow-artifacts|get-trace-artifact/.test(r.url) ? { status: 404, body: FLASK_404, contentType: 'text/html' } : undefined)));
      const e = await failure(new MlflowClient({ trackingUri: proxy.url }).getTrace(artifactId), 'unsupported');
      assert.match(e.message, /has no endpoint GET \/api\/2\.0\/mlflow-artifacts\/artifacts\//);
    });
  });
});
