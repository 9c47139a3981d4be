// Auth: which credentials the environment yields, which header reaches the server (seen by a
// loopback echo server standing where MLflow would), and that no credential reaches the log.
import assert from 'node:assert/strict';
import { authFromEnv, resolveEndpoint } from '../../src/mlflow/auth';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowError } from '../../src/mlflow/errors';
import { always, echo, startLoopback, type Loopback } from '../fixtures/mlflow/loopback';

describe('MlflowClient auth', () => {
  let server: Loopback;
  const logs: string[] = [];
  const log = (level: string, m: string): void => void logs.push(`${level} ${m}`);
  before(async () => {
    server = await startLoopback(echo);
  });
  after(async () => {
    await server.close();
    const all = logs.join('\n');
    for (const secret of ['s3cret', 'tok-123', 'dapi-456', 'p@ss', 'Basic ', 'Bearer ']) assert.ok(!all.includes(secret), `log leaked ${secret}:\n${all}`);
  });
  beforeEach(() => (server.seen.length = 0));

  describe('authFromEnv', () => {
    it('reads nothing from an empty environment', () => {
      assert.deepEqual(authFromEnv({}), { kind: 'none' });
    });
    it('username and password mean Basic, and win over a token (as in MLflow\'s Python SDK)', () => {
      assert.deepEqual(authFromEnv({ MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_PASSWORD: 's3cret', MLFLOW_TRACKING_TOKEN: 'tok-123' }), {
        kind: 'basic',
        username: 'ann',
        password: 's3cret',
      });
    });
    it('a username alone is not enough; the token is used', () => {
      assert.deepEqual(authFromEnv({ MLFLOW_TRACKING_USERNAME: 'ann', MLFLOW_TRACKING_TOKEN: 'tok-123' }), { kind: 'bearer', token: 'tok-123' });
    });
    it('a "databricks" URI takes DATABRICKS_HOST and DATABRICKS_TOKEN, adding https:// to a bare host', () => {
      const env = { DATABRICKS_HOST: 'adb-1.azuredatabricks.net/', DATABRICKS_TOKEN: 'dapi-456', MLFLOW_TRACKING_TOKEN: 'tok-123' };
      assert.deepEqual(authFromEnv(env, 'databricks'), { kind: 'databricks', host: 'https://adb-1.azuredatabricks.net', token: 'dapi-456' });
      assert.deepEqual(authFromEnv(env, 'databricks://my-profile'), { kind: 'databricks', host: 'https://adb-1.azuredatabricks.net', token: 'dapi-456' });
      assert.deepEqual(authFromEnv({ DATABRICKS_HOST: 'x' }, 'databricks'), { kind: 'none' });
      // An http URI ignores Databricks variables in favour of MLflow's own.
      assert.deepEqual(authFromEnv(env, 'http://127.0.0.1:5000'), { kind: 'bearer', token: 'tok-123' });
    });
  });

  describe('headers on the wire', () => {
    const auth = async (client: MlflowClient): Promise<string | undefined> => {
      await client.searchExperiments({});
      assert.equal(server.seen.length, 1);
      return server.seen[0].headers.authorization;
    };

    it('none sends no Authorization header', async () => {
      assert.equal(await auth(new MlflowClient({ trackingUri: server.url, log })), undefined);
    });

    it('Basic', async () => {
      const header = await auth(new MlflowClient({ trackingUri: server.url, auth: { kind: 'basic', username: 'ann', password: 's3cret' }, log }));
      assert.equal(header, `Basic ${Buffer.from('ann:s3cret').toString('base64')}`);
    });

    it('Bearer', async () => {
      assert.equal(await auth(new MlflowClient({ trackingUri: server.url, auth: { kind: 'bearer', token: 'tok-123' }, log })), 'Bearer tok-123');
    });

    it('Databricks: the "databricks" URI goes to the workspace host with the token as Bearer', async () => {
      const client = new MlflowClient({ trackingUri: 'databricks', auth: { kind: 'databricks', host: `${server.url}/`, token: 'dapi-456' }, log });
      assert.equal(client.baseUrl, server.url);
      await client.health(); // Databricks has no /health: a one-row experiment search stands in
      assert.equal(server.seen[0].url, '/api/2.0/mlflow/experiments/search');
      assert.deepEqual(JSON.parse(server.seen[0].body), { max_results: 1 });
      assert.equal(server.seen[0].headers.authorization, 'Bearer dapi-456');
      assert.equal(client.traceUiUrl('42', 'tr-abc'), `${server.url}/ml/experiments/42/traces?selectedEvaluationId=tr-abc`);
    });

    it('credentials in the URI become Basic and leave the URL', async () => {
      const uri = server.url.replace('http://', 'http://ann:p%40ss@');
      const client = new MlflowClient({ trackingUri: uri, log });
      assert.equal(client.baseUrl, server.url);
      assert.equal(await auth(client), `Basic ${Buffer.from('ann:p@ss').toString('base64')}`);
      assert.equal(client.traceUiUrl('1', 'tr-x'), `${server.url}/#/experiments/1/traces?selectedEvaluationId=tr-x`);
    });

    it('a path prefix is kept in every request', async () => {
      const client = new MlflowClient({ trackingUri: `${server.url}/mlflow/`, log });
      assert.equal(client.baseUrl, `${server.url}/mlflow`);
      await client.searchExperiments({});
      assert.equal(server.seen[0].url, '/mlflow/api/2.0/mlflow/experiments/search');
    });

    it('logs each request at debug level with method, path, status and time', () => {
      assert.ok(logs.some((l) => /^debug POST \/api\/2\.0\/mlflow\/experiments\/search → 200 \(\d+ ms, \d+ B\)$/.test(l)), logs.join('\n'));
    });
  });

  it('a rejected credential names neither the password nor the token', async () => {
    const s = await startLoopback(always(401, 'nope', 'text/plain'));
    try {
      for (const a of [
        { kind: 'basic', username: 'ann', password: 's3cret' },
        { kind: 'bearer', token: 'tok-123' },
      ] as const) {
        const e = await new MlflowClient({ trackingUri: s.url, auth: a, log }).searchExperiments({}).catch((x: unknown) => x);
        assert.ok(e instanceof MlflowError && e.kind === 'unauthorized');
        assert.ok(!/s3cret|tok-123/.test(e.message + JSON.stringify(e.details.url)));
      }
    } finally {
      await s.close();
    }
  });

  it('resolveEndpoint refuses a "databricks" URI without Databricks auth', () => {
    assert.throws(() => resolveEndpoint('databricks', { kind: 'bearer', token: 't' }), (e: unknown) => e instanceof MlflowError && e.kind === 'unauthorized');
  });
});
