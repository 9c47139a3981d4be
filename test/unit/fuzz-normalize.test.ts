// Fuzzes the trace normaliser with malformed, truncated and adversarial payloads in all three
// span encodings. The model layer must never throw, and every result must be either a trace that
// holds together (a real tree: every span reachable once, no cycles) or an error that says why.
import assert from 'node:assert/strict';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Span, Trace } from '../../src/model/types';

const PAYLOADS = 10_000;

/** mulberry32: a seeded PRNG, so a failure reproduces from its seed. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const hex = (r: R, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const b64 = (h: string) => Buffer.from(h, 'hex').toString('base64');

const HOSTILE = ['<img src=x onerror=alert(1)>', '</script><script>alert(1)</script>', '[x](command:workbench.action.quit)', '\u001b[31mred\u001b[0m', '\u202Eevil\u202C', '{"unterminated": ', '\u0000', '𝕌𝕟𝕚𝕔𝕠𝕕𝕖', ''];

function junk(r: R, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5 ? undefined : NaN;
    case 2: return pick(r, [0, -1, 1e308, 2 ** 64, -0, 1.5, Number.MAX_SAFE_INTEGER + 2]);
    case 3: return pick(r, HOSTILE);
    case 4: return r() < 0.5;
    case 5: return hex(r, Math.floor(r() * 40));
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => junk(r, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [pick(r, ['span_id', 'parent_id', 'name', 'attributes', 'events', 'start_time_unix_nano', 'x']), junk(r, depth + 1)]));
    default: return JSON.stringify(junk(r, depth + 1)) ?? 'null';
  }
}

function attrValue(r: R, encoding: number, v: unknown): unknown {
  if (encoding === 0) return r() < 0.9 ? JSON.stringify(v) ?? 'null' : junk(r); // python: JSON strings
  if (encoding === 1) return r() < 0.9 ? v : junk(r); // TS SDK: parsed
  return { key: 'k', value: r() < 0.9 ? { string_value: JSON.stringify(v) } : junk(r) }; // OTel proto
}

function span(r: R, encoding: number, id: string, parent: string | null, traceHex: string): Record<string, unknown> {
  const start = 1_700_000_000_000_000_000n + BigInt(Math.floor(r() * 1e12));
  const attrs: Record<string, unknown> = {
    'mlflow.spanType': pick(r, ['LLM', 'CHAT_MODEL', 'TOOL', 'CHAIN', 'bogus', 42]),
    'mlflow.spanInputs': { model: 'gemini-2.5-flash', contents: pick(r, ['hi', [{ role: 'user', parts: [{ text: pick(r, HOSTILE) }] }], 7, null]) },
    'mlflow.spanOutputs': { candidates: [{ content: { parts: [{ text: 'ok' }] } }], usageMetadata: { promptTokenCount: pick(r, [1, -5, 'x', 1e20]) } },
    'mlflow.chat.tokenUsage': pick(r, [{ input_tokens: 3, output_tokens: 4, total_tokens: 7 }, 'garbage', null, { input_tokens: -1 }]),
  };
  const base: Record<string, unknown> = { name: pick(r, ['gen', ...HOSTILE, 5, null]) };
  if (encoding === 2) {
    Object.assign(base, {
      trace_id: r() < 0.5 ? b64(traceHex) : traceHex,
      span_id: r() < 0.5 ? b64(id) : id,
      parent_span_id: parent === null ? (r() < 0.5 ? '' : undefined) : r() < 0.5 ? b64(parent) : parent,
      start_time_unix_nano: r() < 0.9 ? start.toString() : junk(r),
      end_time_unix_nano: r() < 0.9 ? (start + 1_000_000n).toString() : junk(r),
      attributes: Object.entries(attrs).map(([key, v]) => ({ ...(attrValue(r, 2, v) as object), key })),
      status: r() < 0.8 ? { code: pick(r, ['STATUS_CODE_OK', 'STATUS_CODE_ERROR', 3, null]) } : junk(r),
      events: r() < 0.8 ? [{ name: 'exception', attributes: [{ key: 'exception.message', value: { string_value: pick(r, HOSTILE) } }] }] : junk(r),
    });
  } else {
    Object.assign(base, {
      context: { span_id: encoding === 0 ? b64(id) : id, trace_id: encoding === 0 ? b64(traceHex) : traceHex },
      parent_id: parent === null ? (encoding === 1 ? '' : null) : encoding === 0 ? b64(parent) : parent,
      start_time_ns: r() < 0.9 ? (encoding === 0 ? Number(start) : start.toString()) : junk(r),
      end_time_ns: r() < 0.9 ? Number(start + 1_000_000n) : junk(r),
      attributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, attrValue(r, encoding, v)])),
      status: r() < 0.8 ? { status_code: pick(r, ['OK', 'ERROR', 'UNSET']), description: pick(r, HOSTILE) } : junk(r),
      events: r() < 0.8 ? [] : junk(r),
    });
  }
  // Wrong types and missing fields, field by field.
  for (const key of Object.keys(base)) if (r() < 0.04) base[key] = r() < 0.5 ? junk(r) : undefined;
  return base;
}

function payload(r: R): { info: unknown; spans: unknown } {
  const shape = r();
  if (shape < 0.05) return { info: junk(r), spans: junk(r) }; // not a trace at all
  const encoding = Math.floor(r() * 3);
  const traceHex = hex(r, 32);
  const n = Math.floor(r() * 40);
  const ids = Array.from({ length: n }, () => hex(r, 16));
  if (r() < 0.15 && n > 1) ids[1] = ids[0]; // duplicate ids
  const spans = ids.map((id, i) => {
    let parent: string | null = i === 0 ? null : pick(r, ids.slice(0, i));
    if (r() < 0.05) parent = hex(r, 16); // orphan
    if (r() < 0.05 && n > 2) parent = ids[(i + 1) % n]; // forward link: cycles become possible
    return span(r, encoding, id, parent, traceHex);
  });
  if (r() < 0.05 && n > 1) spans.push(spans[0]); // the same object twice
  if (r() < 0.05) spans.splice(Math.floor(r() * (n + 1))); // truncated list
  const info = r() < 0.9 ? { trace_id: `tr-${traceHex}`, request_time: pick(r, ['2026-11-21T05:42:23.123Z', 'nope', 5]), execution_duration: pick(r, ['1.5s', 'x', null]), state: pick(r, ['OK', 'ERROR', 'IN_PROGRESS', 7]), tags: pick(r, [{}, null, 'x', { a: 1 }]) } : junk(r);
  return { info, spans: r() < 0.03 ? JSON.stringify(spans).slice(0, Math.floor(r() * 200)) : spans };
}

/** The invariants a Trace must hold whatever went in. */
function checkTrace(t: Trace): void {
  assert.ok(Array.isArray(t.spans) && Array.isArray(t.roots) && Array.isArray(t.warnings));
  const visited = new Set<Span>();
  const stack: Span[] = [...t.roots];
  while (stack.length) {
    const s = stack.pop()!;
    assert.ok(!visited.has(s), `span ${s.id} reachable twice (cycle or shared child)`);
    visited.add(s);
    assert.equal(typeof s.id, 'string');
    assert.equal(typeof s.startNs, 'bigint');
    for (const c of s.children) {
      assert.equal(c.depth, s.depth + 1, 'child depth');
      stack.push(c);
    }
  }
  assert.equal(visited.size, t.spans.length, 'every span is in the tree exactly once');
  for (const k of ['input', 'output', 'total', 'cached', 'thinking'] as const) assert.ok(Number.isFinite(t.usage[k]), `usage.${k} finite`);
}

describe('trace normaliser fuzz', function () {
  this.timeout(600_000);

  it(`survives ${PAYLOADS} malformed, truncated and adversarial payloads`, () => {
    let traces = 0;
    let errors = 0;
    for (let i = 0; i < PAYLOADS; i++) {
      const input = payload(prng(i + 1));
      let out: ReturnType<typeof normalizeTrace>;
      try {
        out = normalizeTrace(input);
      } catch (e) {
        assert.fail(`seed ${i + 1}: normalizeTrace threw ${e instanceof Error ? e.stack : String(e)}`);
      }
      if (isTraceError(out)) {
        assert.ok(typeof out.error === 'string' && out.error.length > 5, `seed ${i + 1}: an error must say why`);
        errors++;
      } else {
        try {
          checkTrace(out);
        } catch (e) {
          throw new Error(`seed ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
        }
        traces++;
      }
    }
    console.log(`      fuzz: ${PAYLOADS} payloads → ${traces} traces, ${errors} clear errors, 0 exceptions`);
    assert.equal(traces + errors, PAYLOADS);
  });

  it('handles a 10^6-span fan-out', () => {
    const out = normalizeTrace(fanOut(1_000_000));
    assert.ok(!isTraceError(out), isTraceError(out) ? out.error : '');
    assert.equal(out.spans.length, 1_000_001);
    assert.equal(out.roots.length, 1);
    assert.equal(out.roots[0].children.length, 1_000_000);
  });

  it('does work linear in the spans of a fan-out (counted, not timed)', () => {
    // Ten times the spans must cost about ten times the work: n log n (the sort of the root's
    // children) gives about 12 here, anything quadratic 100.
    const small = countWork(() => normalizeTrace(fanOut(20_000)));
    const large = countWork(() => normalizeTrace(fanOut(200_000)));
    assert.ok(small > 20_000, `the counter saw the work (${small} operations for 20,000 spans)`);
    assert.ok(large / small < 14, `work grew ${(large / small).toFixed(1)}× for 10× the spans (${small} → ${large} operations)`);
    assert.ok(large / 200_000 < 100, `${Math.round(large / 200_000)} operations per span`);
    console.log(`      work: ${small} operations for 20,000 spans, ${large} for 200,000 (${(large / small).toFixed(1)}×)`);
  });

  it('cuts a parent cycle instead of looping', () => {
    const a = 'a'.repeat(16);
    const b = 'b'.repeat(16);
    const mk = (id: string, parent: string) => ({ context: { span_id: id, trace_id: 'c'.repeat(32) }, parent_id: parent, name: id, start_time_ns: '1', end_time_ns: '2', attributes: {} });
    const out = normalizeTrace({ info: { trace_id: `tr-${'c'.repeat(32)}` }, spans: [mk(a, b), mk(b, a)] });
    assert.ok(!isTraceError(out));
    checkTrace(out);
    assert.equal(out.spans.length, 2);
    assert.ok(out.warnings.some((w) => /cycle/i.test(w)), `warnings: ${out.warnings.join('; ')}`);
  });
});

/** A root with `n` children, in the REST encoding. */
function fanOut(n: number): { info: unknown; spans: unknown[] } {
  const rootId = 'a'.repeat(16);
  const spans: unknown[] = [{ context: { span_id: rootId, trace_id: 'b'.repeat(32) }, parent_id: '', name: 'root', start_time_ns: '1', end_time_ns: '2', attributes: {} }];
  for (let i = 0; i < n; i++) {
    spans.push({ context: { span_id: i.toString(16).padStart(16, '0'), trace_id: 'b'.repeat(32) }, parent_id: rootId, name: 'child', start_time_ns: String(1 + i), end_time_ns: String(2 + i), attributes: {} });
  }
  return { info: { trace_id: `tr-${'b'.repeat(32)}` }, spans };
}

/**
 * The operations `run` performs through the built-ins a normaliser does its work with: Map and
 * Set lookups and writes, each comparison a sort makes, each element an array search or splice
 * passes over, each step of an array iterator. (Indexed loops over arrays are not seen; the
 * normaliser's per-span lookups and sorts, where a quadratic slip would show, are.)
 */
function countWork(run: () => unknown): number {
  let ops = 0;
  const patched: [object, string, unknown][] = [];
  const wrap = (proto: object, name: string, cost: (self: unknown, args: unknown[]) => number) => {
    const original = (proto as Record<string, (...a: unknown[]) => unknown>)[name];
    patched.push([proto, name, original]);
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value(this: unknown, ...args: unknown[]) {
        ops += cost(this, args);
        return original.apply(this, args);
      },
    });
  };
  const one = () => 1;
  const length = (self: unknown) => (self as unknown[]).length;
  for (const proto of [Map.prototype, Set.prototype]) for (const name of ['get', 'set', 'has', 'add', 'delete']) if (name in proto) wrap(proto, name, one);
  for (const name of ['indexOf', 'lastIndexOf', 'includes', 'find', 'findIndex', 'filter', 'some', 'every', 'splice', 'unshift', 'shift']) wrap(Array.prototype, name, length);
  wrap(Object.getPrototypeOf([][Symbol.iterator]()), 'next', one);
  const sort = Array.prototype.sort;
  patched.push([Array.prototype, 'sort', sort]);
  Object.defineProperty(Array.prototype, 'sort', {
    configurable: true,
    writable: true,
    value(this: unknown[], compare?: (a: unknown, b: unknown) => number) {
      return sort.call(this, (a, b) => {
        ops++;
        return compare ? compare(a, b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
      });
    },
  });
  try {
    run();
  } finally {
    for (const [proto, name, original] of patched.reverse()) Object.defineProperty(proto, name, { configurable: true, writable: true, value: original });
  }
  return ops;
}
