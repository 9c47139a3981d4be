// Credentials as data: one secret-storage key per server however its URL is spelled, the env a
// traced process gets, and log scrubbing (the second line of defence behind the client).
import * as assert from 'node:assert/strict';
import { credentialsEnv, describeCredentials, normalizeServer, parseCredentials, redact, secretKey, secretValues } from '../../src/connection/secrets';
import { validateServerUri } from '../../src/connection/validate';

describe('connection secrets', () => {
  it('keys credentials by server, whatever the spelling', () => {
    assert.equal(secretKey('http://LOCALHOST:5000/'), secretKey('http://localhost:5000'));
    assert.equal(normalizeServer('https://mlflow.example.com:443/team/'), 'https://mlflow.example.com/team');
    assert.equal(normalizeServer('http://127.0.0.1:80'), 'http://127.0.0.1');
    assert.notEqual(secretKey('http://127.0.0.1:5000'), secretKey('http://127.0.0.1:5001'));
    assert.equal(normalizeServer('Databricks'), 'databricks');
  });

  it('gives traced processes the env MLflow SDKs read', () => {
    assert.deepEqual(credentialsEnv({ kind: 'basic', username: 'u', password: 'p' }), { MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' });
    assert.deepEqual(credentialsEnv({ kind: 'bearer', token: 't' }), { MLFLOW_TRACKING_TOKEN: 't' });
    assert.deepEqual(credentialsEnv({ kind: 'databricks', host: 'https://adb.example', token: 'd' }), { DATABRICKS_HOST: 'https://adb.example', DATABRICKS_TOKEN: 'd' });
    assert.deepEqual(credentialsEnv(undefined), {});
  });

  it('reads back only well-formed stored credentials', () => {
    assert.deepEqual(parseCredentials('{"kind":"bearer","token":"x"}'), { kind: 'bearer', token: 'x' });
    assert.equal(parseCredentials('{"kind":"bearer"}'), undefined);
    assert.equal(parseCredentials('not json'), undefined);
    assert.equal(parseCredentials('{"kind":"basic","username":"u"}'), undefined);
  });

  it('scrubs secrets, including the Basic header, from log lines', () => {
    const c = { kind: 'basic' as const, username: 'alice', password: 's3cret-pass' };
    const header = Buffer.from('alice:s3cret-pass').toString('base64');
    const line = `POST /x Authorization: Basic ${header} body {"password":"s3cret-pass"}`;
    const clean = redact(line, secretValues(c));
    assert.doesNotMatch(clean, /s3cret-pass/);
    assert.ok(!clean.includes(header));
    assert.equal(describeCredentials(c), 'Basic (user alice)');
    assert.doesNotMatch(describeCredentials({ kind: 'bearer', token: 'tok-123456' }), /tok-/);
  });

  it('validates server URLs and refuses credentials in them', () => {
    assert.equal(validateServerUri('http://127.0.0.1:5000'), undefined);
    assert.equal(validateServerUri('databricks'), undefined);
    assert.match(validateServerUri('ftp://x')!, /http/);
    assert.match(validateServerUri('127.0.0.1:5000')!, /http|not a URL/);
    assert.match(validateServerUri('https://user:pw@host')!, /secret storage/);
    assert.match(validateServerUri('')!, /Enter a URL/);
  });
});
