#!/usr/bin/env node
// Synthetic traces in each of MLflow's span encodings, shaped like a Gemini agent: turns of
// CHAIN spans holding Gemini calls (prompts, responses, function calls, thinking, usage, code
// locations), tools, retrievers and nested sub-agents, with some errors. Deterministic per seed.
//   node bench/gen-trace.mjs --spans 10000 [--encoding python|typescript|otel] [--seed 1]
//        [--in-progress] [--hostile] [--huge-bytes N] [--out file.json]
// As a module: generateTrace(opts) → { info, spansJson } for normalizeTrace({ info, spans: spansJson }).
import { writeFileSync } from 'node:fs';

export const XSS = ['<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>', '[click](command:workbench.action.terminal.new)', '\u202Egnp.exe', '\u001b[31mred\u001b[0m'];

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the weather in paris is mild today with light rain expected later tool call returns json with fields for temperature humidity and wind speed please summarise the results in two sentences'.split(' ');

/**
 * @param {{ spans?: number, encoding?: 'python'|'typescript'|'otel', seed?: number, inProgress?: boolean,
 *           hostile?: boolean, hugeBytes?: number, startMs?: number, filepath?: string }} [opts]
 */
export function generateTrace(opts = {}) {
  const total = Math.max(1, opts.spans ?? 1000);
  const r = rng(opts.seed ?? 1);
  const encoding = opts.encoding ?? 'python';
  const words = (n) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
  const hex = (n) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  const traceHex = hex(32);
  const t0 = BigInt(opts.startMs ?? Date.now() - 120_000) * 1_000_000n;
  const file = opts.filepath ?? '/home/dev/examples/python/agent.py';
  const spans = [];
  let hugeLeft = opts.hugeBytes ?? 0;

  const add = (parent, name, type, startNs, durNs, extra = {}) => {
    const s = { id: hex(16), parent, name, type, startNs, endNs: startNs + durNs, error: false, attrs: {}, inputs: undefined, outputs: undefined, events: [], ...extra };
    spans.push(s);
    return s;
  };
  const gemini = (parent, startNs, turn) => {
    const prompt = opts.hostile && turn % 3 === 0 ? `${words(12)} ${XSS[turn % XSS.length]} ${words(6)}` : `${words(20)}\n\n\`\`\`json\n{"turn": ${turn}}\n\`\`\``;
    const text = hugeLeft > 0 ? 'x'.repeat(hugeLeft) : prompt;
    hugeLeft = 0;
    const input = 40 + Math.floor(r() * 400);
    const output = 10 + Math.floor(r() * 200);
    const thinking = r() < 0.3 ? Math.floor(output / 3) : 0;
    const cached = r() < 0.25 ? Math.floor(input / 2) : 0;
    const call = r() < 0.4;
    const s = add(parent, 'Models.generate_content', 'CHAT_MODEL', startNs, BigInt(Math.floor((200 + r() * 1800) * 1e6)));
    s.inputs = { model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text }] }], config: { temperature: 0.2, system_instruction: 'You are a helpful travel agent.' } };
    const parts = [];
    if (thinking) parts.push({ text: `Thinking about ${words(8)}`, thought: true });
    parts.push(call ? { function_call: { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } } } : { text: `**Answer ${turn}**: ${words(25)}\n\n- ${words(4)}\n- ${words(4)}` });
    s.outputs = {
      candidates: [{ content: { role: 'model', parts }, finish_reason: 'STOP', safety_ratings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }] }],
      usage_metadata: { prompt_token_count: input, candidates_token_count: output - thinking, thoughts_token_count: thinking || undefined, cached_content_token_count: cached || undefined, total_token_count: input + output },
      model_version: 'gemini-2.5-flash',
    };
    s.attrs['mlflow.chat.tokenUsage'] = { input_tokens: input, output_tokens: output, total_tokens: input + output, ...(cached ? { cache_read_input_tokens: cached } : {}) };
    s.attrs['mlflow.message.format'] = 'gemini';
    s.attrs['mlflow.llm.model'] = 'gemini-2.5-flash';
    s.attrs['code.filepath'] = file;
    s.attrs['code.lineno'] = 10 + (turn % 40);
    s.attrs['code.function'] = 'ask_gemini';
    return s;
  };

  // Build breadth-first from a root, turn by turn, until the span budget is spent.
  const root = add(null, opts.hostile ? `agent ${XSS[0]}` : 'travel_agent', 'AGENT', t0, 0n);
  root.inputs = { question: 'What should I pack for Paris?' };
  root.attrs['mlflow.traceTag.gemini_trace.run_name'] = 'bench run';
  const parents = [root];
  // Each parent's children run one after another from its own cursor.
  const next = new Map([[root, t0 + 1_000_000n]]);
  let turn = 0;
  while (spans.length < total) {
    const parent = parents[Math.floor(r() * Math.min(parents.length, 8))] ?? root;
    const cursor = next.get(parent) ?? parent.startNs + 100_000n;
    const chain = add(parent, `turn_${turn}`, 'CHAIN', cursor, 0n);
    chain.inputs = { turn };
    let t = cursor + 100_000n;
    const pieces = 1 + Math.floor(r() * 4);
    for (let k = 0; k < pieces && spans.length < total; k++) {
      const kind = r();
      let s;
      if (kind < 0.5) s = gemini(chain, t, turn);
      else if (kind < 0.75) {
        s = add(chain, ['get_weather', 'search_web', 'run_sql'][k % 3], 'TOOL', t, BigInt(Math.floor((5 + r() * 300) * 1e6)));
        s.inputs = { city: 'Paris' };
        s.outputs = { temperature: 14, conditions: words(3) };
        if (r() < 0.04) {
          s.error = true;
          s.events.push({ name: 'exception', timeNs: s.endNs, attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'tool timed out after 300 ms', 'exception.stacktrace': `Traceback (most recent call last):\n  File "${file}", line 42, in get_weather\n    raise TimeoutError()\nTimeoutError: tool timed out` } });
        }
      } else if (kind < 0.9) {
        s = add(chain, 'retrieve_docs', 'RETRIEVER', t, BigInt(Math.floor((20 + r() * 200) * 1e6)));
        s.inputs = { query: words(5) };
        s.outputs = [{ page_content: words(30), metadata: { doc_uri: 'docs/paris.md' } }];
      } else {
        s = add(chain, 'embed', 'EMBEDDING', t, BigInt(Math.floor((10 + r() * 50) * 1e6)));
      }
      t = s.endNs + BigInt(Math.floor(r() * 5e6));
    }
    chain.endNs = t + 200_000n;
    if (r() < 0.25) parents.push(chain);
    next.set(parent, chain.endNs + 500_000n);
    turn++;
  }
  // Parents end after their last child (children always come after their parent in `spans`).
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i];
    if (s.parent && s.endNs > s.parent.endNs) s.parent.endNs = s.endNs + 100_000n;
  }
  if (opts.inProgress) {
    // The last few spans and every ancestor of them are still running.
    for (const s of spans.slice(-3)) for (let p = s; p; p = p.parent) p.endNs = null;
  }
  return { info: info(traceHex, t0, root, opts), spansJson: encode(spans, traceHex, encoding) };
}

function info(traceHex, t0, root, opts) {
  const ms = Number(t0 / 1_000_000n);
  return {
    trace_id: `tr-${traceHex}`,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '1' } },
    request_time: new Date(ms).toISOString(),
    execution_duration: root.endNs === null ? undefined : `${Number(root.endNs - t0) / 1e9}s`,
    state: opts.inProgress ? 'IN_PROGRESS' : 'OK',
    trace_metadata: {},
    tags: { 'mlflow.traceName': root.name, 'gemini_trace.run_name': 'bench run' },
  };
}

const b64 = (hexStr) => Buffer.from(hexStr, 'hex').toString('base64');
const NS = (n) => (n === null ? null : `__NS__${n}`);

function attrsOf(s) {
  const a = { 'mlflow.spanType': s.type, ...s.attrs };
  if (s.inputs !== undefined) a['mlflow.spanInputs'] = s.inputs;
  if (s.outputs !== undefined) a['mlflow.spanOutputs'] = s.outputs;
  return a;
}

function anyValue(v) {
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int_value: v } : { double_value: v };
  if (Array.isArray(v)) return { array_value: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlist_value: { values: Object.entries(v).filter(([, x]) => x !== undefined).map(([key, x]) => ({ key, value: anyValue(x) })) } };
  return {};
}

function encode(spans, traceHex, encoding) {
  const out = spans.map((s) => {
    const status = s.error ? { code: 'STATUS_CODE_ERROR', message: 'TimeoutError: tool timed out' } : { code: 'STATUS_CODE_OK', message: '' };
    const events = s.events.map((e) => ({ name: e.name, time_unix_nano: NS(e.timeNs), attributes: encoding === 'otel' ? Object.entries(e.attributes).map(([key, v]) => ({ key, value: anyValue(v) })) : e.attributes }));
    const attrs = attrsOf(s);
    if (encoding === 'otel') {
      return { trace_id: b64(traceHex), span_id: b64(s.id), ...(s.parent ? { parent_span_id: b64(s.parent.id) } : {}), name: s.name, start_time_unix_nano: NS(s.startNs), ...(s.endNs === null ? {} : { end_time_unix_nano: NS(s.endNs) }), attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) })), events, status };
    }
    if (encoding === 'typescript') {
      return { trace_id: traceHex, span_id: s.id, parent_span_id: s.parent ? s.parent.id : '', name: s.name, start_time_unix_nano: NS(s.startNs), end_time_unix_nano: NS(s.endNs), attributes: attrs, events, status };
    }
    // Python's traces.json: every attribute value JSON-encoded once more.
    const enc = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, JSON.stringify(v)]));
    return { trace_id: b64(traceHex), span_id: b64(s.id), parent_span_id: s.parent ? b64(s.parent.id) : null, name: s.name, start_time_unix_nano: NS(s.startNs), end_time_unix_nano: NS(s.endNs), events, status, attributes: enc, links: [] };
  });
  // Nanosecond times go out as bare JSON integers beyond 2^53, exactly as MLflow writes them.
  return JSON.stringify({ spans: out }).replace(/"__NS__(\d+)"/g, '$1');
}

// Run as a command, not imported (checked without import.meta, which the CJS test bundles lack).
if (/gen-trace\.mjs$/.test(process.argv[1] ?? '')) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? dflt : process.argv[i + 1];
  };
  const t = generateTrace({
    spans: Number(arg('spans', 1000)),
    encoding: arg('encoding', 'python'),
    seed: Number(arg('seed', 1)),
    inProgress: process.argv.includes('--in-progress'),
    hostile: process.argv.includes('--hostile'),
    hugeBytes: Number(arg('huge-bytes', 0)),
  });
  const text = `{"info":${JSON.stringify(t.info)},"data":${t.spansJson}}`;
  const out = arg('out', undefined);
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
