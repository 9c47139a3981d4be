// The sender a traced Node process leaves at exit (src/inject/node/sender.ts, built as
// sender.cjs), started by the real handOff with real OpenTelemetry spans, delivering to a real
// MLflow through a loopback proxy that makes MLflow slow the way a loaded machine does: a big
// upload takes longer than the sender's request timeout, a small one does not. The proxy forwards
// each upload at once and holds back only the answer, so MLflow stores a batch whose answer came
// too late, as it does when the client gave up on it.
//
// Before the sender adapted its batch size it sent the same batch again after every timeout, and
// gave up once the linger time had passed with no answer: on a loaded machine it delivered its
// first 256 spans (stored, unanswered) and nothing more.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { handOff } from '../../src/inject/node/handoff';
import { deliverFile } from '../../src/inject/node/sender';
import { serializeSpans } from '../../src/inject/node/serializer';
import { startDelayProxy } from '../fixtures/faults/servers';
import { tracesOf, waitFor } from '../fixtures/apps/faults/harness';
import { mlflowRest, mlflowUrl, uniqueName } from '../helpers/mlflow';

/** `n` finished root spans, each its own trace, as the preload's pipeline holds them. */
function spans(n: number, label: string): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  const provider = new TracerProvider({ spanProcessors: [{ onStart() {}, onEnd: (s) => void out.push(s), forceFlush: async () => {}, shutdown: async () => {} }] });
  const tracer = provider.getTracer('sender-test');
  for (let i = 0; i < n; i++) tracer.startSpan(`${label} #${i}`, { attributes: { 'mlflow.spanType': 'LLM', 'mlflow.spanInputs': JSON.stringify({ contents: `call ${i} ${'x'.repeat(200)}` }) } }).end();
  return out;
}

describe('The exit-time sender against a slow MLflow', function () {
  this.timeout(180_000);
  let dist: string;
  let senderFile: string;

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'gt-sender-'));
    const { buildNodeInject } = await import('../../scripts/lib/node-inject.mjs');
    await buildNodeInject(dist);
    senderFile = join(dist, 'inject/node/sender.cjs');
  });
  after(() => rmSync(dist, { recursive: true, force: true }));

  it('a batch MLflow answers too late is sent again in halves, and every held span arrives', async () => {
    const base = await mlflowUrl();
    const name = uniqueName('sender-slow');
    const { experiment_id: experimentId } = await mlflowRest<{ experiment_id: string }>('/api/2.0/mlflow/experiments/create', { name });
    const held = spans(1024, name);
    // The bytes of one 64-span piece (what handOff writes), to tell upload sizes apart.
    const piece = serializeSpans(held.slice(0, 64))!.byteLength;
    const proxy = await startDelayProxy(base);
    const uploads: Array<{ spans: number; ms: number }> = [];
    // Up to two pieces (128 spans) are answered as fast as MLflow answers; a bigger upload 30 s
    // late, past the 10 s timeout. MLflow's own time for 64 spans exceeded 1 s on this machine
    // under load, and 5 s in one loaded CI run (three uploads in a row timed out, and the sender
    // gave up after the 20 s linger this test then used), so the timeout and the linger leave it
    // room; the sender's own are 60 s and 120 s.
    proxy.delayFor = ({ url, bytes, upstreamMs }) => {
      if (!url.startsWith('/v1/traces')) return 0;
      uploads.push({ spans: Math.round((bytes / piece) * 64), ms: upstreamMs });
      return bytes > 2.5 * piece ? 30_000 : 0;
    };
    const told = () => uploads.map((u) => `${u.spans} in ${u.ms} ms`).join(', ');
    try {
      handOff(held, { baseUrl: proxy.url, headers: {}, experimentId }, serializeSpans, { senderFile, requestTimeoutMs: 10_000, lingerMs: 60_000 });
      let count = 0;
      await waitFor(() => `1024 traces (${count} so far; MLflow answered uploads of about ${told()} spans, in the order it answered)`, async () => {
        count = (await tracesOf(base, name)).length;
        return count >= 1024 ? true : undefined;
      }, 120_000, 1000);
      // It began with 256-span uploads and went on with smaller ones once one timed out.
      assert.ok(uploads[0].spans > 200, `first upload of about ${uploads[0].spans} spans (${told()})`);
      assert.ok(uploads.at(-1)!.spans < 200, `last upload of about ${uploads.at(-1)!.spans} spans (${told()})`);
      assert.equal((await tracesOf(base, name)).length, 1024, 'each span stored once');
      console.log(`      MLflow answered uploads of about ${told()} spans`);
    } finally {
      await proxy.close();
    }
  });

  it('reads and deletes its spans file, and stops at once when MLflow refuses the credentials', async () => {
    const held = spans(10, 'refused');
    const proxy = await startDelayProxy(await mlflowUrl());
    proxy.refuse = ({ url }) => (url.startsWith('/v1/traces') ? 401 : undefined);
    const tmp = mkdtempSync(join(tmpdir(), 'gt-sender-tmp-'));
    const before = Date.now();
    try {
      // The file as handOff writes it, read by the same code the bundle runs.
      // The sender handOff starts here does nothing: the file it wrote is this test's to deliver.
      const idle = join(tmp, 'idle-sender.cjs');
      writeFileSync(idle, '');
      process.env.TMPDIR = tmp;
      handOff(held, { baseUrl: proxy.url, headers: { authorization: 'Bearer wrong' }, experimentId: '0' }, serializeSpans, { senderFile: idle, requestTimeoutMs: 1000, lingerMs: 6000 });
      delete process.env.TMPDIR;
      const dir = readdirSync(tmp).find((d) => d.startsWith('gemini-trace-'));
      assert.ok(dir, 'the spans file was written in a private directory');
      const file = join(tmp, dir, 'spans.bin');
      const r = await deliverFile(file, { GEMINI_TRACE_SENDER_AUTH: JSON.stringify({ authorization: 'Bearer wrong' }) });
      assert.deepEqual(readdirSync(tmp), ['idle-sender.cjs'], 'the spans file is deleted once read');
      assert.equal(r.sent, 0);
      assert.match(r.stopped ?? '', /HTTP 401/);
      assert.ok(Date.now() - before < 5000, 'no retries against a refusal that will not mend');
      assert.equal(proxy.seen.filter((s) => s.url.startsWith('/v1/traces'))[0]?.headers.authorization, 'Bearer wrong');
    } finally {
      delete process.env.TMPDIR;
      rmSync(tmp, { recursive: true, force: true });
      await proxy.close();
    }
  });
});
