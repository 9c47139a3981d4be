// The Interactions and Live fixtures written into a real MLflow the way the Node tracer writes
// traces (OTLP/JSON to /v1/traces), read back through the product's client, and read into model
// calls: the same calls as in memory, tags on the trace, a background run in progress until its
// root span lands. Starts MLflow (or uses the one `npm test` started).
import assert from 'node:assert/strict';
import { MlflowClient } from '../../src/mlflow/client';
import { readModelCall } from '../../src/model/adapters/read';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { GEMINI_TAG, TAG } from '../../src/shared/runTags';
import { summarizeTraceInfo } from '../../src/model/summary';
import type { Trace } from '../../src/model/types';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';
import { agentRun, builtinTools, conversation, single } from '../fixtures/surfaces/interactions';
import { liveSession } from '../fixtures/surfaces/live';
import { experimentId, toTrace, writeOtlp, type TraceSpec } from '../fixtures/surfaces/spec';

describe('Interactions and Live traces in a real MLflow', function () {
  this.timeout(180_000);
  let url: string;
  let exp: string;
  let client: MlflowClient;

  before(async () => {
    url = await mlflowUrl();
    exp = await experimentId(url, uniqueName('surfaces'));
    client = new MlflowClient({ trackingUri: url });
  });

  async function read(traceId: string): Promise<Trace> {
    const full = await client.getTrace(traceId);
    const t = normalizeTrace({ info: full.info, spans: full.data.spans });
    assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
    return t;
  }

  /** The model calls of a trace, without the ids that differ per write. */
  const calls = (t: Trace) => t.spans.map((s) => readModelCall(s)).map((c) => c && { ...c, ids: undefined });

  for (const [name, spec] of [['single', single()], ['built-in tools', builtinTools()], ['live session', liveSession()]] as [string, TraceSpec][]) {
    it(`round-trips ${name}: the same model calls as in memory`, async () => {
      const w = await writeOtlp(url, exp, spec);
      const t = await read(w.traceId);
      assert.deepEqual(t.spans.map((s) => s.name), toTrace(spec).spans.map((s) => s.name));
      assert.deepEqual(calls(t), calls(toTrace(spec)));
      assert.equal(t.summary.tags[TAG.runId], 'run-1');
    });
  }

  it('tags every turn of a conversation with its first interaction', async () => {
    const written = [];
    for (const spec of conversation('run-conv')) written.push(await writeOtlp(url, exp, spec));
    const { traces } = await client.searchTraces({ experimentIds: [exp], filter: `tags.\`${GEMINI_TAG.conversation}\` = 'int_conv_1'`, maxResults: 10 });
    assert.deepEqual(new Set(traces.map((x) => x.trace_id)), new Set(written.map((w) => w.traceId)));
  });

  it('keeps a background run in progress until its root span lands, then completes it', async () => {
    const spec = agentRun({ running: true, run: 'run-agent' });
    const w = await writeOtlp(url, exp, spec);
    const before = summarizeTraceInfo((await client.getTrace(w.traceId)).info);
    assert.equal(before.state, 'IN_PROGRESS');
    assert.equal(before.tags[TAG.runId], 'run-agent', 'tagged while still running');
    await w.finish({ root: { endMs: 9000, attributes: { 'mlflow.spanOutputs': { id: 'int_agent_1', status: 'completed' } } } });
    const after = await read(w.traceId);
    assert.equal(after.summary.state, 'OK');
    assert.equal(after.spans[0].name, spec.spans[0].name);
  });
});
