// The Compare view's summary of two traces, on traces normalised from span JSON as the Node
// preload and MLflow's span encoding write it: latency, tokens by kind and cost deltas, paired
// model calls, and the spans added or removed (matched by name path, with multiplicity).
import assert from 'node:assert/strict';
import { compareSummary } from '../../src/diff/summary';
import { MlflowClient } from '../../src/mlflow/client';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { startStandin } from '../fixtures/gemini/standin';
import { mlflowUrl, uniqueName } from '../helpers/mlflow';
import { seedTraces } from '../helpers/seed';

let seq = 0;
const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

interface SpanSpec {
  name: string;
  type?: string;
  /** Milliseconds from the trace start. */
  at: number;
  ms: number;
  call?: { prompt: string; answer: string; line: number; tokens: [input: number, output: number]; thinking?: number; cached?: number; cost?: number };
  children?: SpanSpec[];
}

/** One trace in MLflow's span JSON encoding, rooted at `root`, starting at `startMs` (epoch). */
function trace(root: SpanSpec, startMs: number, opts: { currency?: string } = {}): Trace {
  const traceHex = hex(++seq, 32);
  const base = BigInt(startMs) * 1_000_000n;
  const spans: unknown[] = [];
  const walk = (s: SpanSpec, parent: string) => {
    const id = hex(++seq, 16);
    const attributes: Record<string, unknown> = { 'mlflow.spanType': s.type ?? (s.call ? 'LLM' : 'CHAIN') };
    const c = s.call;
    if (c) {
      const [inTok, outTok] = c.tokens;
      attributes['mlflow.spanInputs'] = { model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: c.prompt }] }] };
      attributes['mlflow.spanOutputs'] = {
        candidates: [{ content: { role: 'model', parts: [{ text: c.answer }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: inTok, candidatesTokenCount: outTok, totalTokenCount: inTok + outTok },
      };
      // Our Node preload's shape: MLflow's keys plus thoughts_tokens; output already holds thinking.
      attributes['mlflow.chat.tokenUsage'] = { input_tokens: inTok, output_tokens: outTok, total_tokens: inTok + outTok, thoughts_tokens: c.thinking ?? 0, cache_read_input_tokens: c.cached ?? 0 };
      if (c.cost !== undefined) attributes['mlflow.llm.cost'] = { input_cost: c.cost / 2, output_cost: c.cost / 2, total_cost: c.cost, ...(opts.currency ? { currency: opts.currency } : {}) };
      Object.assign(attributes, { 'code.filepath': '/ws/agent.ts', 'code.lineno': c.line, 'code.function': 'main' });
    }
    const start = base + BigInt(s.at * 1e6);
    spans.push({ name: s.name, context: { span_id: id, trace_id: traceHex }, parent_id: parent, start_time_ns: String(start), end_time_ns: String(start + BigInt(s.ms * 1e6)), attributes });
    for (const k of s.children ?? []) walk(k, id);
  };
  walk(root, '');
  const t = normalizeTrace({ info: { trace_id: `tr-${traceHex}`, request_time: new Date(startMs).toISOString() }, spans });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

function beforeRun(): Trace {
  return trace(
    {
      name: 'agent',
      at: 0,
      ms: 100,
      children: [
        { name: 'plan', at: 1, ms: 20, children: [{ name: 'models.generateContent', at: 2, ms: 18, call: { prompt: 'Plan a trip', answer: 'Go to Lyon', line: 10, tokens: [10, 5], cost: 0.001 } }] },
        { name: 'search_web', type: 'TOOL', at: 22, ms: 10 },
        { name: 'search_web', type: 'TOOL', at: 33, ms: 10 },
        { name: 'models.generateContent', at: 44, ms: 50, call: { prompt: 'Summarise Lyon', answer: 'Lyon is nice', line: 20, tokens: [20, 8], thinking: 3, cost: 0.002 } },
      ],
    },
    T0,
  );
}

function afterRun(): Trace {
  return trace(
    {
      name: 'agent',
      at: 0,
      ms: 150,
      children: [
        { name: 'plan', at: 1, ms: 20, children: [{ name: 'models.generateContent', at: 2, ms: 18, call: { prompt: 'Plan a trip', answer: 'Go to Lyon', line: 10, tokens: [10, 5], cost: 0.001 } }] },
        { name: 'search_web', type: 'TOOL', at: 22, ms: 10 },
        { name: 'models.generateContent', at: 33, ms: 60, call: { prompt: 'Summarise Lyon in French', answer: 'Lyon est belle', line: 20, tokens: [24, 9], thinking: 4, cached: 6, cost: 0.0025 } },
        { name: 'get_weather', type: 'TOOL', at: 94, ms: 5 },
        { name: 'models.generateContent', at: 100, ms: 40, call: { prompt: 'Pack for rain?', answer: 'Yes', line: 30, tokens: [5, 2] } },
      ],
    },
    T0 + 3_600_000,
  );
}

describe('compare summary', () => {
  it('reports latency, tokens by kind and cost of each side with deltas', () => {
    const a = beforeRun();
    const b = afterRun();
    const s = compareSummary(a, b);
    assert.equal(s.left.traceId, a.summary.id);
    assert.equal(s.right.traceId, b.summary.id);
    assert.equal(s.left.name, 'agent');
    assert.equal(s.left.durationMs, 100);
    assert.equal(s.right.durationMs, 150);
    assert.equal(s.latencyDeltaMs, 50);
    assert.deepEqual(s.left.usage, { input: 30, output: 13, total: 43, thinking: 3, cached: 0 });
    assert.deepEqual(s.right.usage, { input: 39, output: 16, total: 55, thinking: 4, cached: 6 });
    assert.deepEqual(s.tokenDelta, { input: 9, output: 3, thinking: 1, cached: 6, total: 12 });
    assert.ok(Math.abs(s.left.cost!.total - 0.003) < 1e-12);
    assert.ok(Math.abs(s.right.cost!.total - 0.0035) < 1e-12);
    assert.equal(s.costDelta?.currency, 'USD');
    assert.ok(Math.abs(s.costDelta!.total - 0.0005) < 1e-12, `cost delta ${s.costDelta?.total}`);
    assert.equal(s.left.spanCount, 6);
    assert.equal(s.right.spanCount, 7);
    assert.equal(s.left.modelCalls, 2);
    assert.equal(s.right.modelCalls, 3);
  });

  it('puts the earlier trace on the left whatever the argument order', () => {
    const a = beforeRun();
    const b = afterRun();
    const s = compareSummary(b, a);
    assert.equal(s.left.traceId, a.summary.id);
    assert.equal(s.latencyDeltaMs, 50);
    assert.equal(s.tokenDelta.total, 12);
  });

  it('pairs the model calls by call site and flags what changed', () => {
    const a = beforeRun();
    const b = afterRun();
    const s = compareSummary(a, b);
    assert.equal(s.pairs.length, 3);
    const [plan, summarise, pack] = s.pairs;
    assert.equal(plan.site, '/ws/agent.ts:10');
    assert.equal(plan.by, 'site');
    assert.equal(plan.promptChanged, false);
    assert.equal(plan.responseChanged, false);
    assert.deepEqual(plan.tokenDelta, { input: 0, output: 0, thinking: 0, cached: 0, total: 0 });
    assert.equal(a.byId.get(plan.leftSpanId!)?.name, 'models.generateContent');
    assert.ok(b.byId.get(plan.rightSpanId!), 'the right span id names a span of the right trace');
    assert.equal(summarise.site, '/ws/agent.ts:20');
    assert.equal(summarise.promptChanged, true);
    assert.equal(summarise.responseChanged, true);
    assert.deepEqual(summarise.tokenDelta, { input: 4, output: 1, thinking: 1, cached: 6, total: 5 });
    assert.equal(summarise.latencyDeltaMs, 10);
    assert.equal(pack.by, 'unpaired');
    assert.equal(pack.leftSpanId, undefined);
    assert.equal(pack.site, '/ws/agent.ts:30');
  });

  it('lists added and removed spans by name path, counting repeats', () => {
    const a = beforeRun();
    const b = afterRun();
    const s = compareSummary(a, b);
    assert.deepEqual(
      s.added.map((x) => [x.path.join(' / '), x.count]),
      [
        ['agent / get_weather', 1],
        ['agent / models.generateContent', 1],
      ],
    );
    // Two search_web calls before, one after: one removed. The second one is the surplus.
    assert.deepEqual(s.removed.map((x) => [x.path.join(' / '), x.count]), [['agent / search_web', 1]]);
    const searches = a.spans.filter((x) => x.name === 'search_web');
    assert.deepEqual(s.removed[0].spanIds, [searches[1].id]);
    assert.equal(b.byId.get(s.added[0].spanIds[0])?.name, 'get_weather');
    // The first generateContent under agent is matched; the later one (line 30) is the new one.
    assert.equal(b.byId.get(s.added[1].spanIds[0])?.code?.lineno, 30);
    assert.equal(s.truncated, false);
    // The same trace against itself: nothing added, nothing removed, nothing changed.
    const same = compareSummary(a, beforeRun());
    assert.deepEqual([same.added, same.removed], [[], []]);
    assert.ok(same.pairs.every((p) => !p.promptChanged && !p.responseChanged));
    assert.equal(same.latencyDeltaMs, 0);
  });

  it('a span nested under a different parent counts as moved: removed at one path, added at the other', () => {
    const a = trace({ name: 'root', at: 0, ms: 10, children: [{ name: 'step', at: 1, ms: 5, children: [{ name: 'leaf', at: 2, ms: 1 }] }] }, T0);
    const b = trace({ name: 'root', at: 0, ms: 10, children: [{ name: 'step', at: 1, ms: 5 }, { name: 'leaf', at: 7, ms: 1 }] }, T0 + 1);
    const s = compareSummary(a, b);
    assert.deepEqual(s.removed.map((x) => x.path), [['root', 'step', 'leaf']]);
    assert.deepEqual(s.added.map((x) => x.path), [['root', 'leaf']]);
  });

  it('has no cost delta when a side lacks a cost or the currencies differ, and no pairs without model calls', () => {
    const plain = (start: number) => trace({ name: 'job', at: 0, ms: 5, children: [{ name: 'tool', type: 'TOOL', at: 1, ms: 2 }] }, start);
    const s = compareSummary(plain(T0), beforeRun());
    assert.equal(s.costDelta, undefined);
    assert.equal(s.left.cost, undefined);
    assert.equal(s.left.modelCalls, 0);
    assert.equal(s.pairs.every((p) => p.by === 'unpaired' && !p.leftSpanId), true);
    const none = compareSummary(plain(T0), plain(T0 + 5));
    assert.deepEqual(none.pairs, []);
    assert.deepEqual(none.tokenDelta, { input: 0, output: 0, thinking: 0, cached: 0, total: 0 });
    const eur = trace({ name: 'agent', at: 0, ms: 5, children: [{ name: 'models.generateContent', at: 1, ms: 2, call: { prompt: 'p', answer: 'r', line: 10, tokens: [1, 1], cost: 0.5 } }] }, T0 + 9_000_000, { currency: 'EUR' });
    assert.equal(compareSummary(beforeRun(), eur).costDelta, undefined);
  });

  it('walks a 10,000-deep chain in linear time, and names a deep path by its ends', () => {
    // Built as span JSON directly: trace()'s own walk is recursive.
    const chain = (depth: number, extraLeaf: boolean) => {
      const traceHex = hex(++seq, 32);
      const spans: unknown[] = [];
      let parent = '';
      for (let i = 0; i <= depth; i++) {
        const id = hex(++seq, 16);
        spans.push({ name: i === 0 ? 'top' : `n${i % 3}`, context: { span_id: id, trace_id: traceHex }, parent_id: parent, start_time_ns: String(1000 + i), end_time_ns: '900000', attributes: {} });
        parent = id;
      }
      if (extraLeaf) spans.push({ name: 'extra', context: { span_id: hex(++seq, 16), trace_id: traceHex }, parent_id: parent, start_time_ns: '5000000', end_time_ns: '5000001', attributes: {} });
      const t = normalizeTrace({ info: { trace_id: `tr-${traceHex}` }, spans });
      assert.ok(!isTraceError(t));
      return t;
    };
    const a = chain(10_000, false);
    const b = chain(10_000, true);
    const t0 = Date.now();
    const s = compareSummary(a, b);
    assert.ok(Date.now() - t0 < 2000, `compared in ${Date.now() - t0} ms`);
    assert.deepEqual(s.removed, []);
    assert.equal(s.added.length, 1);
    const { path, elided, count } = s.added[0];
    assert.equal(count, 1);
    assert.equal(path.length, 40);
    assert.equal(elided, 10_002 - 40);
    assert.deepEqual(path.slice(0, 2), ['top', 'n1']);
    assert.equal(path[path.length - 1], 'extra');
    assert.equal(path[path.length - 2], `n${10_000 % 3}`);
  });
});

describe('compare summary on two turns of a chat the real Python SDK wrote to a real MLflow', function () {
  this.timeout(300_000);
  let first: Trace;
  let second: Trace;

  before(async function () {
    this.timeout(300_000);
    const url = await mlflowUrl();
    const standin = await startStandin();
    try {
      const seeded = await seedTraces({ mlflowUrl: url, experiment: uniqueName('compare'), only: ['gemini_chat'], geminiUrl: standin.url });
      const chat = seeded.traces.gemini_chat!;
      const client = new MlflowClient({ trackingUri: url });
      const read = async (id: string) => {
        const full = await client.getTrace(id);
        const t = normalizeTrace({ info: full.info, spans: full.data.spans });
        assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
        return t;
      };
      [first, second] = await Promise.all([read(chat.first_turn!.trace_id), read(chat.trace_id)]);
    } finally {
      await standin.close();
    }
  });

  it('the second turn resends the history: more input tokens, the same output, one changed call, the same spans', () => {
    const s = compareSummary(second, first);
    assert.equal(s.left.traceId, first.summary.id, 'the first turn is the earlier trace');
    // The stand-in counts words: turn 1 sends "Hello chat" (2) and gets "echo: Hello chat" (3);
    // turn 2 sends those plus "And again" (2 + 3 + 2) and gets "echo: And again" (3).
    assert.deepEqual([s.left.usage.input, s.left.usage.output, s.left.usage.total], [2, 3, 5]);
    assert.deepEqual([s.right.usage.input, s.right.usage.output, s.right.usage.total], [7, 3, 10]);
    assert.deepEqual(s.tokenDelta, { input: 5, output: 0, thinking: 0, cached: 0, total: 5 });
    assert.ok(s.left.durationMs! > 0 && s.right.durationMs! > 0);
    assert.ok(Math.abs(s.latencyDeltaMs! - (s.right.durationMs! - s.left.durationMs!)) < 1e-9);
    assert.equal(s.pairs.length, 1);
    const [pair] = s.pairs;
    assert.ok(first.byId.get(pair.leftSpanId!) && second.byId.get(pair.rightSpanId!), 'the pair names a span of each trace');
    assert.equal(pair.promptChanged, true);
    assert.equal(pair.responseChanged, true);
    assert.equal(pair.tokenDelta.input, 5);
    assert.deepEqual([s.added, s.removed], [[], []], 'both turns have the same span names and shape');
    if (s.left.cost && s.right.cost) assert.ok(Math.abs(s.costDelta!.total - (s.right.cost.total - s.left.cost.total)) < 1e-12);
    else assert.equal(s.costDelta, undefined);
  });
});
