import assert from 'node:assert/strict';
import { describePair, modelCalls, pairCalls } from '../../src/diff/pairing';
import { renderConfig, renderPrompt, renderResponse, stableJson } from '../../src/diff/text';
import { extractGemini } from '../../src/model/gemini';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';

let seq = 0;
const id = () => (++seq).toString(16).padStart(16, '0');

interface Call {
  prompt: string;
  answer: string;
  line?: number;
  tokens?: [number, number];
  config?: Record<string, unknown>;
}

/** A trace in the TypeScript SDK's span encoding: a chain root over one LLM span per call. */
function trace(calls: Call[], name = 'app'): Trace {
  const traceHex = id().repeat(2);
  const root = id();
  const spans: unknown[] = [
    { name, context: { span_id: root, trace_id: traceHex }, parent_id: '', start_time_ns: '1000', end_time_ns: String(1000 + calls.length * 1e6 + 10), attributes: { 'mlflow.spanType': 'CHAIN' } },
  ];
  calls.forEach((c, i) => {
    const [inTok, outTok] = c.tokens ?? [10, 5];
    spans.push({
      name: 'models.generateContent',
      context: { span_id: id(), trace_id: traceHex },
      parent_id: root,
      start_time_ns: String(1000 + i * 1e6 + 1),
      end_time_ns: String(1000 + (i + 1) * 1e6),
      attributes: {
        'mlflow.spanType': 'LLM',
        'mlflow.spanInputs': { model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: c.prompt }] }], config: c.config ?? { temperature: 0.2 } },
        'mlflow.spanOutputs': {
          candidates: [{ content: { role: 'model', parts: [{ text: c.answer }] }, finishReason: 'STOP' }],
          usageMetadata: { promptTokenCount: inTok, candidatesTokenCount: outTok, totalTokenCount: inTok + outTok },
        },
        'mlflow.chat.tokenUsage': { input_tokens: inTok, output_tokens: outTok, total_tokens: inTok + outTok },
        ...(c.line ? { 'code.filepath': '/ws/app.ts', 'code.lineno': c.line, 'code.function': 'main' } : {}),
      },
    });
  });
  const t = normalizeTrace({ info: { trace_id: `tr-${traceHex}`, request_time: '2026-11-21T05:00:00Z' }, spans });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

describe('diff pairing', () => {
  it('finds the model-call spans and renders their prompt and response as stable text', () => {
    const t = trace([{ prompt: 'Name three <b>planets</b>', answer: 'Mars, Venus, Earth', line: 7 }]);
    const calls = modelCalls(t);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].site, '/ws/app.ts:7');
    const prompt = renderPrompt(calls[0].call);
    assert.match(prompt, /── user ──\nName three <b>planets<\/b>/);
    assert.match(renderResponse(calls[0].call), /── text ──\nMars, Venus, Earth/);
    assert.match(renderResponse(calls[0].call), /── finish reason ──\nSTOP/);
    assert.match(renderConfig(calls[0].call, calls[0].span), /"temperature": 0.2/);
    assert.match(renderConfig(calls[0].call, calls[0].span), /total: {4}15/);
  });

  it('pairs calls by call site first, then by order, and reports what changed', () => {
    const before = trace([
      { prompt: 'Summarise A', answer: 'a', line: 10 },
      { prompt: 'Translate B', answer: 'b', line: 20, tokens: [20, 8] },
      { prompt: 'no location', answer: 'c' },
    ]);
    // The second run calls line 20 first, and changes its prompt.
    const after = trace([
      { prompt: 'Translate B into French', answer: 'b!', line: 20, tokens: [24, 9] },
      { prompt: 'Summarise A', answer: 'a', line: 10 },
      { prompt: 'still no location', answer: 'c' },
    ]);
    const pairs = pairCalls(before, after);
    assert.equal(pairs.length, 3);
    const bySite = (line: number) => pairs.find((p) => p.left?.site === `/ws/app.ts:${line}`)!;
    assert.equal(bySite(10).by, 'site');
    assert.equal(bySite(10).promptChanged, false);
    assert.equal(bySite(10).responseChanged, false);
    assert.equal(bySite(20).right?.site, '/ws/app.ts:20');
    assert.equal(bySite(20).promptChanged, true);
    assert.equal(bySite(20).responseChanged, true);
    assert.deepEqual(bySite(20).tokenDelta, { input: 4, output: 1, thinking: 0, cached: 0, total: 5 });
    const byOrder = pairs.find((p) => p.by === 'order')!;
    assert.equal(byOrder.left?.call.promptText.includes('no location'), true);
    assert.equal(byOrder.promptChanged, true);
    assert.match(describePair(bySite(20)).description, /prompt \+ response/);
    assert.match(describePair(bySite(20)).detail, /tokens \+5/);
  });

  it('marks calls that exist on one side only', () => {
    const pairs = pairCalls(trace([{ prompt: 'x', answer: 'y', line: 1 }]), trace([{ prompt: 'x', answer: 'y', line: 1 }, { prompt: 'new', answer: 'z', line: 2 }]));
    const added = pairs.find((p) => !p.left)!;
    assert.equal(added.by, 'unpaired');
    assert.equal(describePair(added).description, 'added');
  });

  it('ignores key order in configs', () => {
    const a = trace([{ prompt: 'p', answer: 'r', config: { temperature: 1, maxOutputTokens: 5 } }]);
    const b = trace([{ prompt: 'p', answer: 'r', config: { maxOutputTokens: 5, temperature: 1 } }]);
    const [ca, cb] = [modelCalls(a)[0], modelCalls(b)[0]];
    assert.equal(renderConfig(ca.call, ca.span).split('\n').slice(3).join('\n'), renderConfig(cb.call, cb.span).split('\n').slice(3).join('\n'));
    assert.equal(stableJson({ b: 1, a: [{ d: 1, c: 2 }] }), stableJson({ a: [{ c: 2, d: 1 }], b: 1 }));
  });

  it('a trace without Gemini calls has nothing to pair', () => {
    const t = normalizeTrace({ info: { trace_id: `tr-${'e'.repeat(32)}` }, spans: [{ name: 'tool', context: { span_id: id(), trace_id: 'e'.repeat(32) }, parent_id: '', start_time_ns: '1', end_time_ns: '2', attributes: { 'mlflow.spanType': 'TOOL' } }] });
    assert.ok(!isTraceError(t));
    assert.equal(modelCalls(t).length, 0);
    assert.equal(extractGemini(t.spans[0]), undefined);
    assert.deepEqual(pairCalls(t, t), []);
  });
});
