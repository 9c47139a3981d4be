// The panel's host side, in Node: the flat span table (tree order, subtrees, critical path,
// running spans), clipping of huge values and fetching them back whole, search, the message
// guard, trace-id parsing, and the HTML shell's Content-Security-Policy.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { clipValue, resolvePath } from '../../src/panel/clip';
import { contentSecurityPolicy, panelHtml } from '../../src/panel/html';
import { isClipped, isWebviewToHost, type ClippedString } from '../../src/contract/protocol';
import { F, STATUS_CODES, TOK, TOKEN_COLS } from '../../src/contract/spanTable';
import { TraceSession } from '../../src/panel/session';
import { parseQuery } from '../../src/panel/search';
import { parseTraceIdInput, toTraceRef } from '../../src/shared/traceRef';
import { markCriticalPath } from '../../src/panel/viewModel';
import { fillTree } from '../../src/contract/tableTree';
import { packTable, unpackTable, type WireTable } from '../../src/contract/wireTable';
import { packTimes, unpackTimes, type WireTimes } from '../../src/contract/wireTimes';
import { generateTrace, type GenerateOptions } from '../../bench/gen-trace.mjs';

function trace(o: GenerateOptions): Trace {
  const g = generateTrace(o);
  const t = normalizeTrace({ info: g.info, spans: g.spansJson });
  assert.ok(!isTraceError(t), isTraceError(t) ? t.error : '');
  return t;
}

describe('panel: span table', () => {
  for (const encoding of ['python', 'typescript', 'otel'] as const) {
    it(`is a consistent tree-ordered table (${encoding} encoding)`, () => {
      const t = trace({ spans: 3000, encoding, seed: 3 });
      const s = new TraceSession(t);
      const tb = s.table;
      assert.equal(tb.n, 3000);
      assert.equal(new Set(tb.ids).size, 3000);
      assert.equal(tb.parent[0], -1);
      assert.equal(tb.subtreeEnd[0], 3000, 'the root holds every span');
      for (let i = 0; i < tb.n; i++) {
        const p = tb.parent[i];
        if (p >= 0) {
          assert.ok(p < i, 'parents come before their children');
          assert.equal(tb.depth[i], tb.depth[p] + 1);
          assert.ok(tb.subtreeEnd[p] >= tb.subtreeEnd[i] && i < tb.subtreeEnd[p], 'a child lies inside its parent’s subtree');
          assert.equal(t.byId.get(tb.ids[i])!.parentId, tb.ids[p]);
        }
        assert.ok(tb.end[i] >= tb.start[i]);
      }
      // Model calls carry their own usage, and it adds up to the trace's.
      let input = 0;
      for (let i = 0; i < tb.n; i++) if (tb.flags[i] & F.usage) input += tb.tokens[i * TOKEN_COLS + TOK.input];
      assert.equal(input, t.usage.input);
      assert.ok(input > 0);
      assert.deepEqual(tb.models, ['gemini-2.5-flash']);
      const h = s.payload(1).header;
      assert.equal(h.spanCount, 3000);
      assert.equal(h.runName, 'bench run');
      assert.equal(h.status, 'OK');
      assert.ok(h.durationMs! > 0 && Math.abs(h.durationMs! - tb.end[0]) < 1);
    });
  }

  it('gives each span its parent in a trace with orphans, a self-parent, a cycle, repeated ids, shuffled', () => {
    const g = generateTrace({ spans: 2000, encoding: 'python', seed: 12 });
    const doc = JSON.parse(g.spansJson) as { spans: Record<string, unknown>[] };
    const sp = doc.spans;
    for (const k of [7, 300, 901, 1500]) sp[k].parent_span_id = 'AQIDBAUGBwg='; // names no span
    sp[5].parent_span_id = sp[5].span_id;
    [sp[10].parent_span_id, sp[11].parent_span_id, sp[12].parent_span_id] = [sp[11].span_id, sp[12].span_id, sp[10].span_id];
    sp[40].span_id = sp[41].span_id;
    for (let i = sp.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [sp[i], sp[j]] = [sp[j], sp[i]];
    }
    const read = normalizeTrace({ info: g.info, spans: JSON.stringify(doc) });
    assert.ok(!isTraceError(read));
    const t: Trace = read;
    assert.equal(t.spans.filter((x) => x.orphan).length, 4);
    assert.equal(t.spans.filter((x) => x.cycleBroken).length, 2, 'the self-parent and the cut cycle');
    const tb = new TraceSession(t).table;
    for (let i = 0; i < tb.n; i++) {
      const span = t.byId.get(tb.ids[i])!;
      const parent = span.parentId === null || span.orphan ? undefined : t.byId.get(span.parentId);
      assert.equal(tb.parent[i] < 0 ? undefined : tb.ids[tb.parent[i]], parent?.id, `span ${i} (${span.name})`);
    }
  });

  it('marks the critical path: walking back from the end, the last child to finish before the cursor', () => {
    // root [0,100]: w [0,35]; y [40,100] with y1 [60,70] and y2 [45,98]; x [50,60] runs beside y.
    const tb = {
      n: 6,
      parent: Int32Array.from([-1, 0, 0, 2, 2, 0]),
      start: Float64Array.from([0, 0, 40, 60, 45, 50]),
      end: Float64Array.from([100, 35, 100, 70, 98, 60]),
      flags: new Uint8Array(6),
      depth: new Int32Array(6),
      subtreeEnd: new Int32Array(6),
    } as unknown as Parameters<typeof markCriticalPath>[0];
    fillTree(tb);
    markCriticalPath(tb, 100);
    const on = [...tb.flags].map((f) => !!(f & F.critical));
    assert.deepEqual(on, [true, true, true, false, true, false]);
    // On a generated trace: one chain down from a root, each span on it the child of the one above.
    const big = new TraceSession(trace({ spans: 3000, encoding: 'python', seed: 8 })).table;
    const path = [...big.flags.keys()].filter((i) => big.flags[i] & F.critical);
    assert.ok(path.length > 3, `${path.length} spans on the path`);
    assert.equal(big.parent[path[0]], -1);
    for (const i of path.slice(1)) assert.ok(big.flags[big.parent[i]] & F.critical, `span ${i}'s parent is on the path`);
  });

  it('draws running spans open-ended and keeps "now" past every start', () => {
    const t = trace({ spans: 200, inProgress: true, seed: 5 });
    const s = new TraceSession(t);
    const h = s.payload(1).header;
    assert.equal(h.status, 'IN_PROGRESS');
    assert.equal(h.durationMs, null);
    const running = [...s.table.end].filter((e) => e < 0).length;
    assert.ok(running >= 3, `${running} running spans`);
    for (let i = 0; i < s.table.n; i++) assert.ok(h.nowMs >= s.table.start[i]);
    assert.equal(s.table.status[0], STATUS_CODES.indexOf(t.roots[0].status));
  });
});

describe('panel: clipped values', () => {
  it('posts a 10 MB prompt as a few KB and gives the whole back by reference', () => {
    const t = trace({ spans: 20, hugeBytes: 10 * 1024 * 1024, seed: 9 });
    const s = new TraceSession(t);
    const huge = t.spans.find((x) => JSON.stringify(x.inputs ?? '').length > 10_000_000)!;
    assert.ok(huge, 'the generator put a 10 MB prompt somewhere');
    const t0 = Date.now();
    const d = s.details(huge.id);
    assert.ok(JSON.stringify(d).length < 200_000, `details are ${JSON.stringify(d).length} characters`);
    assert.ok(Date.now() - t0 < 2000);
    const text = (d.chat!.request[0].parts[0] as { text: unknown }).text;
    assert.ok(isClipped(text) && text.$clipped === 'string');
    const c = text as ClippedString;
    assert.equal(c.length, 10 * 1024 * 1024);
    assert.equal(c.head, 'x'.repeat(c.head.length));
    assert.equal(s.fullValue(c.ref).length, 10 * 1024 * 1024);
    // The same prompt under Inputs is clipped too, with its own path.
    const raw = resolvePath(d.inputs, ['contents', 0, 'parts', 0, 'text']);
    assert.ok(isClipped(raw));
    assert.equal(s.fullValue((raw as ClippedString).ref).length, 10 * 1024 * 1024);
    assert.throws(() => s.fullValue({ spanId: 'ffffffffffffffff', field: 'inputs', path: [] }), /no longer in the trace/);
  });

  it('clips long arrays and deep nesting, keeping a way back to the whole', () => {
    const base = { spanId: 'a', field: 'outputs' as const };
    const long = clipValue({ xs: Array.from({ length: 1200 }, (_, i) => i) }, base, { string: 100, items: 500, depth: 40 }) as { xs: unknown[] };
    assert.equal(long.xs.length, 501);
    const rest = long.xs[500];
    assert.ok(isClipped(rest) && rest.$clipped === 'rest' && rest.omitted === 700);
    assert.deepEqual(rest.ref.path, ['xs']);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const cut = clipValue(deep, base, { string: 1000, items: 10, depth: 5 });
    const at5 = resolvePath(cut, ['d', 'd', 'd', 'd', 'd']);
    assert.ok(isClipped(at5) && at5.$clipped === 'string' && at5.head.startsWith('{"d":'));
  });
});

describe('panel: search', () => {
  const t = trace({ spans: 2000, seed: 11, hostile: true });
  const s = new TraceSession(t);
  const names = (r: { indices: number[] }) => new Set(r.indices.map((i) => s.table.names[i]));

  it('matches names, types, models and content, all words required', () => {
    assert.deepEqual([...names(s.search('type:TOOL'))].sort(), ['get_weather', 'run_sql', 'search_web']);
    assert.deepEqual([...names(s.search('name:retrieve'))], ['retrieve_docs']);
    const weather = s.search('paris');
    assert.ok(weather.indices.length > 100, 'content text is searched');
    const both = s.search('type:tool paris');
    assert.ok(both.indices.every((i) => s.table.types[s.table.kind[i]] === 'TOOL'));
    assert.ok(s.search('status:error').indices.every((i) => s.table.status[i] === STATUS_CODES.indexOf('ERROR')));
    assert.deepEqual(s.search('   ').indices, []);
    assert.ok(s.search('"onerror=alert(1)"').indices.length > 0, 'quoted phrases match as one');
    const sorted = [...weather.indices].sort((a, b) => a - b);
    assert.deepEqual(weather.indices, sorted, 'indices come in tree order');
  });

  it('parses field prefixes and quotes', () => {
    assert.deepEqual(parseQuery('type:LLM "two words" Name:x'), [
      { field: 'type', word: 'llm' },
      { field: 'any', word: 'two words' },
      { field: 'name', word: 'x' },
    ]);
  });
});

describe('panel: messages, ids and HTML shell', () => {
  it('accepts only well-formed webview messages', () => {
    assert.ok(isWebviewToHost({ kind: 'command', method: 'ready', params: {} }));
    assert.ok(isWebviewToHost({ kind: 'request', id: 3, method: 'search', params: { query: 'x' } }));
    for (const bad of [null, 'ready', { kind: 'command', method: 'ready' }, { kind: 'request', method: 'search', params: {} }, { kind: 'reply', id: 1, method: 'x', params: {} }]) {
      assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad));
    }
  });

  it('turns tree nodes, refs, ids and links into trace refs', () => {
    const id = 'tr-0123456789abcdef0123456789abcdef';
    assert.deepEqual(toTraceRef({ traceId: id, spanId: 'abc', experimentId: '2', label: 'x' }), { traceId: id, spanId: 'abc', experimentId: '2' });
    assert.deepEqual(toTraceRef({ ref: { traceId: id } }), { traceId: id });
    // Tree nodes carry their fields as getters.
    const node = new (class {
      get traceId() {
        return id;
      }
      get spanId() {
        return 'abc';
      }
    })();
    assert.deepEqual(toTraceRef(node), { traceId: id, spanId: 'abc' });
    assert.equal(toTraceRef({ spanId: 'x' }), undefined);
    assert.equal(parseTraceIdInput(`http://127.0.0.1:5000/#/experiments/1/traces?selectedEvaluationId=${id.toUpperCase()}`), id);
    assert.equal(parseTraceIdInput('0123456789abcdef0123456789ABCDEF'), id);
    assert.equal(parseTraceIdInput('not an id!'), undefined);
    assert.equal(parseTraceIdInput('  '), undefined);
  });

  it('serves a shell whose policy allows one nonced script and nothing remote or inline', () => {
    const html = panelHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', script: 'https://x/dist/webview.js', codicons: 'https://x/dist/codicons/codicon.css' }, 'NONCE123');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1].replace(/&#39;|&apos;/g, "'") ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-NONCE123'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!file\+)/);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((s) => s.includes('nonce="NONCE123"') && /src="/.test(s)));
    assert.doesNotMatch(html, /\son\w+=/i, 'no inline handlers');
    assert.equal(contentSecurityPolicy('x', 'n').includes("style-src x"), true);
    // data: URIs for images and audio only: the host builds them from the trace's bytes.
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives.get('img-src'), ['https://file+.vscode-resource.vscode-cdn.net', 'data:']);
    assert.deepEqual(directives.get('media-src'), ['data:']);
    for (const [k, v] of directives) if (k !== 'img-src' && k !== 'media-src') assert.ok(!v.includes('data:'), `${k} allows data:`);
    // Fresh nonces differ.
    const n1 = /nonce="([^"]+)"/.exec(panelHtml({ cspSource: 'x', script: 's', codicons: 'c' }))?.[1];
    const n2 = /nonce="([^"]+)"/.exec(panelHtml({ cspSource: 'x', script: 's', codicons: 'c' }))?.[1];
    assert.ok(n1 && n2 && n1 !== n2 && n1.length >= 20);
  });

  it('webview code never parses HTML or evaluates strings', () => {
    const dir = join(__dirname, '..', '..', 'webview');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      // Comments may name the APIs (to say they are not used); code may not.
      const code = readFileSync(join(dir, f), 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      assert.doesNotMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|\.srcdoc\s*=|setAttribute\(\s*['"](on|style|href|src)/, f);
    }
  });
});

describe('panel: the table on the wire', () => {
  it('packs and unpacks the whole table exactly, hostile and repeated names included', () => {
    const t = trace({ spans: 500, encoding: 'otel', seed: 4 });
    const s = new TraceSession(t);
    const odd = ['', 'a\u0000b', '\uD800 lone', '😀 emoji', '</script>', 'x'.repeat(10_000)];
    const names = [...s.table.names.slice(0, 494), ...odd];
    const table = { ...s.table, names };
    const wire = packTable(table);
    assert.deepStrictEqual(unpackTable(wire), table);
    assert.ok('text' in wire.names.distinct && wire.names.distinct.text.length < names.join('').length, 'a repeated name crosses once');
    assert.equal(wire.kind, s.table.kind, 'typed arrays travel as they are');
    assert.ok('steps' in wire.times, 'times as whole microseconds');
    // What the session posts is the packed form, built once.
    const p = s.payload(1);
    assert.deepStrictEqual(unpackTable(p.table), s.table);
    assert.equal(s.payload(2).table, p.table);
  });

  it('leaves out what the page can work out: tree columns, zero tokens, ends of same-length ids', () => {
    const s = new TraceSession(trace({ spans: 2000, encoding: 'python', seed: 2 }));
    const wire = packTable(s.table);
    assert.ok(!('parent' in wire) && !('subtreeEnd' in wire), 'of the tree, only depths cross');
    let withTokens = 0;
    for (let i = 0; i < s.table.n; i++) if (s.table.tokens.subarray(i * TOKEN_COLS, (i + 1) * TOKEN_COLS).some((x) => x !== 0)) withTokens++;
    assert.ok(withTokens > 0 && withTokens < s.table.n, `${withTokens} spans with tokens`);
    assert.equal(wire.tokenRows.length, withTokens);
    assert.ok(wire.tokenRows instanceof Uint8Array, 'model calls a few rows apart: their rows as steps of a byte');
    assert.equal(wire.tokens.length, withTokens * TOKEN_COLS);
    assert.ok('hex' in wire.ids && wire.ids.width === 16 && wire.ids.hex.length === 8 * s.table.n, 'MLflow span ids: 16 hex digits each, as 8 bytes');
    assert.deepStrictEqual(unpackTable(wire).ids, s.table.ids);
    // Ids of different lengths keep their ends; as long but not lowercase hex, their text.
    const ids = [...s.table.ids.slice(0, -1), 'short'];
    const mixed = packTable({ ...s.table, ids });
    assert.ok('ends' in mixed.ids);
    assert.deepStrictEqual(unpackTable(mixed).ids, ids);
    for (const odd of ['ABCDEF0123456789', 'g123456789abcdef', 'é123456789abcdef']) {
      const same = [...s.table.ids.slice(0, -1), odd];
      const w = packTable({ ...s.table, ids: same });
      assert.ok('text' in w.ids && 'width' in w.ids, odd);
      assert.deepStrictEqual(unpackTable(w).ids, same);
    }
    // Numbers in the narrowest arrays that hold them, back as the table's own types.
    assert.ok(wire.depth instanceof Int8Array && wire.model instanceof Int8Array && wire.names.of instanceof Uint16Array, 'a 2,000-span table');
    assert.ok(wire.tokens instanceof Uint16Array, 'counts under 65,536');
    const bigCounts = s.table.tokens.map((x) => (x ? x + 70_000 : 0));
    const big = packTable({ ...s.table, tokens: bigCounts });
    assert.ok(big.tokens instanceof Uint32Array);
    assert.deepStrictEqual(unpackTable(big).tokens, bigCounts);
    const fractional = s.table.tokens.slice();
    const at = wire.tokenRows[0] * TOKEN_COLS;
    fractional[at] = 0.5;
    const many = s.table.model.map((m, i) => (i === 1 ? 40_000 : m));
    const wide = packTable({ ...s.table, tokens: fractional, model: many, models: Array.from({ length: 40_001 }, (_, k) => `m${k}`) });
    assert.ok(wide.tokens instanceof Float64Array && wide.model instanceof Int32Array);
    const back = unpackTable(wide);
    assert.equal(back.tokens[at], 0.5);
    assert.ok(back.model instanceof Int32Array && back.model[1] === 40_000 && back.parent instanceof Int32Array);
  });

  it('sends times as whole microseconds: steps and durations, odd ends as they are', () => {
    const s = new TraceSession(trace({ spans: 2000, encoding: 'python', seed: 5 }));
    const w = packTimes(s.table.start, s.table.end);
    assert.ok('steps' in w && w.odd.rows.length === 0);
    assert.ok(w.durations instanceof Uint32Array, 'calls of up to 2 s: 32 bits of µs');
    assert.deepStrictEqual(unpackTimes(w, s.table.n), { start: s.table.start, end: s.table.end });
    // One lasting 80 minutes, a running span (-1), a start 30 minutes after the one above it, a
    // start before the one above it, one 90 minutes after it and one 89 minutes before that:
    // exactly back.
    const start = Float64Array.from([0, 0.001, 1_800_000, 1_799_999.999, 7_200_000.5, 1_860_000, 12.5]);
    const end = Float64Array.from([4_800_000.25, -1, 1_800_000.002, 1_800_001, 7_200_001, 1_860_000, 12.5]);
    const odd = packTimes(start, end);
    assert.ok('steps' in odd && odd.steps instanceof Int32Array);
    assert.deepStrictEqual([[...odd.odd.rows], [...odd.jumps.rows]], [[0, 1], [4, 1]], 'odd ends at rows 0 and 1, jumps at 4 and 5 (as steps)');
    assert.deepStrictEqual(unpackTimes(odd, 7), { start, end });
    // Finer than a microsecond: as they are.
    const a = Float64Array.from([0, 0.0005]);
    const b = Float64Array.from([1, 1]);
    const fine = packTimes(a, b);
    assert.ok('start' in fine);
    assert.deepStrictEqual(unpackTimes(fine, 2), { start: a, end: b });
    // Untrusted: checked.
    const bad: unknown[] = [
      { ...w, durations: w.durations.slice(1) },
      { ...w, base: 0.5 },
      { ...w, steps: Float64Array.from(w.steps) },
      { ...w, odd: { rows: new Uint8Array([3]), end: new Float64Array(0) } },
      { ...w, odd: { rows: new Uint32Array([s.table.n]), end: new Float64Array(1) } },
      { ...w, jumps: { rows: new Uint8Array([3]), start: new Float64Array([NaN]) } },
      { ...w, jumps: { rows: new Uint8Array([3]), start: new Float64Array([0.0001]) } },
      { ...w, jumps: undefined },
      { start: s.table.start, end: s.table.end.slice(1) },
    ];
    for (const b of bad) assert.throws(() => unpackTimes(b as WireTimes, s.table.n), /malformed/);
  });

  it('rejects a malformed pack instead of drawing wrong rows', () => {
    const good = packTable(new TraceSession(trace({ spans: 20, encoding: 'python', seed: 1 })).table);
    const names = (distinct: WireTable['names']['distinct'], of = good.names.of) => ({ ...good, names: { distinct, of } });
    const bad: [string, WireTable][] = [
      ['ends past the text', names({ text: 'ab', ends: new Uint32Array(20).fill(3) }, new Uint32Array(20))],
      ['ends going backwards', { ...good, ids: { text: 'abc', ends: new Uint32Array([2, 1, 3]) } }],
      ['a width that does not divide the text', { ...good, ids: { text: 'abc', width: 2 } }],
      ['a zero width', { ...good, ids: { text: '', width: 0 } }],
      ['too few strings', { ...good, ids: { text: 'a', ends: new Uint32Array([1]) } }],
      ['not a pack', { ...good, names: ['a'] as unknown as WireTable['names'] }],
      ['a name index past the names', names(good.names.distinct, new Uint32Array(20).fill(10_000))],
      ['a token row past the table', { ...good, tokenRows: new Uint32Array([25]), tokens: new Float64Array(TOKEN_COLS) }],
      ['token numbers missing', { ...good, tokenRows: new Uint32Array([1, 2]), tokens: new Float64Array(TOKEN_COLS) }],
      ['a depth that skips a level', { ...good, depth: good.depth.map((d, i) => (i === 3 ? d + 2 : d)) }],
      ['a negative depth', { ...good, depth: good.depth.map((d, i) => (i === 5 ? -1 : d)) }],
      ['a first span below the root', { ...good, depth: good.depth.map((d, i) => (i === 0 ? 1 : d)) }],
      ['a depth column of floats', { ...good, depth: Float64Array.from(good.depth) as unknown as Int32Array }],
      ['token rows past the table', { ...good, tokenRows: new Uint8Array([10, 10]), tokens: new Uint16Array(2 * TOKEN_COLS) }],
      ['a token row twice', { ...good, tokenRows: new Uint8Array([1, 0]), tokens: new Uint16Array(2 * TOKEN_COLS) }],
      ['a model column too short', { ...good, model: good.model.slice(1) }],
      ['token counts as a list', { ...good, tokens: [...good.tokens] as unknown as Uint32Array }],
      ['hex ids as text', { ...good, ids: { hex: 'ab' as unknown as Uint8Array, width: 16 } }],
      ['hex ids short of a whole id', { ...good, ids: { hex: new Uint8Array(7), width: 16 } }],
    ];
    for (const [what, w] of bad) assert.throws(() => unpackTable(w), /malformed|holds/, what);
  });
});
