// The hand-written Interactions and Live fixtures (test/fixtures/surfaces) against traces the real
// Node preload wrote: the fixture apps run traced against the Gemini stand-in into a real MLflow,
// are read back through the product's client and normaliser, and every span, attribute (with the
// kind of its value), output key, step key, media record and trace tag of a fixture must be one
// the preload wrote for the same kind of span. So tests built on the fixtures never certify a
// shape no tracer writes. Also here: the dropped-signature attribute the views warn on, read through
// the model layer (the attribute itself is held for both tracers by interactionsAssertions.ts
// assertSignatureReplay, like a running run's name and a Live turn's session id).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { MlflowClient } from '../../src/mlflow/client';
import { readModelCall } from '../../src/model/adapters/read';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Span, Trace } from '../../src/model/types';
import { agentCancelled, agentRun, builtinTools, conversation, droppedSignature, failing, single, streamed } from '../fixtures/surfaces/interactions';
import { liveSession } from '../fixtures/surfaces/live';
import { toTrace, type TraceSpec } from '../fixtures/surfaces/spec';
import { assertSignatureReplay } from '../helpers/interactionsAssertions';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';
import { preloadBed, run, tracedEnv } from '../helpers/runApp';
import { experimentId, markedLine, traces as traceViews } from '../helpers/traceView';

const root = resolve(__dirname, '../..');
const apps = join(root, 'test/fixtures/apps/node-cjs');

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';
const kindOf = (v: unknown): Kind => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as Kind));
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
/** Spans are told apart by name, except tools (named after their function). */
const kindName = (s: Span) => (s.type === 'TOOL' ? '<tool>' : s.name);

/** Everything the preload wrote, by span kind. */
class Catalog {
  readonly attrs = new Map<string, Map<string, Set<Kind>>>();
  readonly outputs = new Map<string, Set<string>>();
  readonly nesting = new Set<string>();
  readonly steps = new Map<string, Set<string>>();
  readonly tags = new Set<string>();
  readonly usageKeys = new Set<string>();

  add(t: Trace): void {
    for (const k of Object.keys(t.summary.tags)) this.tags.add(k);
    for (const s of t.spans) {
      const name = kindName(s);
      this.nesting.add(`${s.parentId ? kindName(t.byId.get(s.parentId)!) : ''} > ${name}`);
      const attrs = this.attrs.get(name) ?? this.attrs.set(name, new Map()).get(name)!;
      for (const [k, v] of Object.entries(s.attributes)) (attrs.get(k) ?? attrs.set(k, new Set()).get(k)!).add(kindOf(v));
      const outs = this.outputs.get(name) ?? this.outputs.set(name, new Set()).get(name)!;
      if (isObj(s.outputs)) for (const k of Object.keys(s.outputs)) outs.add(k);
      for (const step of stepsOf(s)) {
        const keys = this.steps.get(String(step.type)) ?? this.steps.set(String(step.type), new Set()).get(String(step.type))!;
        for (const k of Object.keys(step)) keys.add(k);
      }
      const u = s.attributes['mlflow.chat.tokenUsage'];
      if (isObj(u)) for (const k of Object.keys(u)) this.usageKeys.add(k);
    }
  }

  /** What in the fixture trace the preload never wrote (empty when it conforms). */
  strangers(spec: TraceSpec): string[] {
    const t = toTrace(spec);
    const out: string[] = [];
    for (const k of Object.keys(t.summary.tags)) if (!this.tags.has(k)) out.push(`trace tag ${k}`);
    for (const s of t.spans) {
      const name = kindName(s);
      const where = `${spec.name} › ${s.name}`;
      const nest = `${s.parentId ? kindName(t.byId.get(s.parentId)!) : ''} > ${name}`;
      if (!this.nesting.has(nest)) out.push(`${where}: nesting ${nest}`);
      const attrs = this.attrs.get(name);
      for (const [k, v] of Object.entries(s.attributes)) {
        if (k.startsWith('mlflow.traceTag.')) continue; // the trace tags, checked above
        if (!attrs?.has(k)) out.push(`${where}: attribute ${k}`);
        else if (!attrs.get(k)!.has(kindOf(v))) out.push(`${where}: attribute ${k} as ${kindOf(v)} (written as ${[...attrs.get(k)!].join('/')})`);
      }
      // A tool's outputs are the app's own response: not the tracer's shape.
      if (isObj(s.outputs) && s.type !== 'TOOL') for (const k of Object.keys(s.outputs)) if (!this.outputs.get(name)?.has(k)) out.push(`${where}: output key ${k}`);
      for (const step of stepsOf(s)) {
        const known = this.steps.get(String(step.type));
        if (known) for (const k of Object.keys(step)) if (!known.has(k)) out.push(`${where}: ${String(step.type)} step key ${k}`);
      }
      const u = s.attributes['mlflow.chat.tokenUsage'];
      if (isObj(u)) for (const k of Object.keys(u)) if (!this.usageKeys.has(k)) out.push(`${where}: usage key ${k}`);
      out.push(...liveStrangers(s, where));
    }
    return out;
  }
}

function stepsOf(s: Span): Record<string, unknown>[] {
  return isObj(s.outputs) && Array.isArray(s.outputs.steps) ? s.outputs.steps.filter(isObj) : [];
}

/** What only the Live tracer decides: media recorded as `{mimeType, bytes, durationMs?, chunks?}`,
 *  and a tool response kept in the turn of the call it answers (a turn ends at turnComplete). */
function liveStrangers(s: Span, where: string): string[] {
  if (s.name !== 'Live.turn') return [];
  const out: string[] = [];
  const blobs = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.flatMap(blobs) : isObj(v) ? (typeof v.bytes === 'number' ? [v] : Object.values(v).flatMap(blobs)) : []);
  for (const b of blobs([s.inputs, s.outputs])) for (const k of Object.keys(b)) if (!['mimeType', 'bytes', 'durationMs', 'chunks'].includes(k)) out.push(`${where}: media record key ${k}`);
  const msgs = (v: unknown) => (isObj(v) && Array.isArray(v.messages) ? v.messages.filter(isObj) : []);
  const called = new Set(msgs(s.outputs).flatMap((m) => (isObj(m.toolCall) && Array.isArray(m.toolCall.functionCalls) ? m.toolCall.functionCalls.filter(isObj).map((f) => f.id) : [])));
  for (const m of msgs(s.inputs)) {
    if (!isObj(m.toolResponse) || !Array.isArray(m.toolResponse.functionResponses)) continue;
    for (const r of m.toolResponse.functionResponses.filter(isObj)) if (!called.has(r.id)) out.push(`${where}: a tool response (${String(r.id)}) in a turn without its call`);
  }
  return out;
}

describe('Interactions and Live: the fixtures against traces the Node preload wrote', function () {
  this.timeout(240_000);
  const bed = preloadBed('gt-surfaces-conformance-');
  const catalog = new Catalog();
  let client: MlflowClient;
  const byApp = new Map<string, Trace[]>();
  /** Each app's experiment, by the app's file name. */
  const experiments = new Map<string, string>();

  async function read(traceId: string): Promise<Trace> {
    const full = await client.getTrace(traceId);
    const t = normalizeTrace({ info: full.info, spans: full.data.spans });
    if (isTraceError(t)) throw new Error(t.error);
    return t;
  }

  async function runApp(file: string, expected: number): Promise<Trace[]> {
    const experiment = uniqueName('conformance');
    experiments.set(basename(file), experiment);
    const env = await tracedEnv({ standinUrl: bed.standin.url, distDir: bed.distDir, experiment, runId: randomUUID(), workspace: apps });
    const res = await run(process.execPath, [file], env, apps);
    assert.equal(res.code, 0, res.stderr);
    const exp = await experimentId(experiment);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { traces } = await client.searchTraces({ experimentIds: [exp], maxResults: 100, orderBy: ['timestamp_ms ASC'] });
      if ((traces.length >= expected && traces.every((x) => x.state !== 'IN_PROGRESS')) || Date.now() > deadline) {
        assert.equal(traces.length, expected, `traces of ${file}`);
        return Promise.all(traces.map((x) => read(x.trace_id)));
      }
      await new Promise((d) => setTimeout(d, 250));
    }
  }

  before(async () => {
    client = new MlflowClient({ trackingUri: await mlflowUrl() });
    for (const [app, n] of [['interactions.cjs', 11], ['live-edges.cjs', 4], ['interactions-replay.cjs', 3], ['live-cancel.cjs', 1]] as const) {
      const traces = await runApp(join(apps, app), n);
      byApp.set(app, traces);
      for (const t of traces) catalog.add(t);
    }
  });

  const fixtures: [string, TraceSpec][] = [
    ['single', single()], ['streamed', streamed()], ...conversation().map((t, i): [string, TraceSpec] => [`conversation turn ${i + 1}`, t]),
    ['built-in tools', builtinTools()], ['agent run', agentRun()], ['agent run, running', agentRun({ running: true })], ['agent cancelled', agentCancelled()],
    ['failing', failing()], ...droppedSignature().map((t, i): [string, TraceSpec] => [`history by hand ${i + 1}`, t]), ['live session', liveSession()],
  ];
  for (const [label, spec] of fixtures) {
    it(`fixture "${label}" holds nothing the preload does not write`, () => {
      assert.deepEqual(catalog.strangers(spec), []);
    });
  }

  it('a replayed history that drops a thought signature is marked on its create, one that keeps it is not', async () => {
    const file = join(apps, 'interactions-replay.cjs');
    assertSignatureReplay(await traceViews(await experimentId(experiments.get('interactions-replay.cjs')!), 3), file);
    const at = (name: string) => byApp.get('interactions-replay.cjs')!.find((t) => t.spans[0].code?.lineno === markedLine(file, name))!;
    assert.equal(readModelCall(at('dropped').spans[0])!.warnings.length, 1, 'the views warn on it');
    assert.deepEqual(readModelCall(at('kept').spans[0])!.warnings, []);
  });

  it('a Live tool call the server cancelled: its span ends marked, the turn shows the cancellation after the call', () => {
    const [t] = byApp.get('live-cancel.cjs')!;
    const tool = t.spans.find((s) => s.type === 'TOOL')!;
    assert.equal(tool.status, 'OK');
    assert.deepEqual(tool.outputs, { cancelled: true });
    assert.equal(tool.attributes['gemini_trace.tool_cancelled'], true);
    const turn = readModelCall(t.spans.find((s) => s.name === 'Live.turn')!)!;
    const parts = turn.response[0].message.parts;
    assert.deepEqual(parts.map((p) => p.kind), ['functionCall', 'event', 'text']);
    assert.deepEqual(parts[1], { kind: 'event', name: 'tool call cancelled', detail: tool.attributes['gen_ai.tool.call.id'] });
    assert.equal(turn.responseText, 'never mind');
  });
});
