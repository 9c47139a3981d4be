// What changed between two traces, as plain data for the panel's Compare view: latency, tokens by
// kind and cost of each side with their deltas, the paired model calls, and the spans one side has
// and the other lacks. Pure: no vscode, so the same code runs in the extension and in unit tests.
import type { Cost, Span, TokenUsage, Trace } from '../model/types';
import { pairCalls, summarizePair, type PairSummary } from './pairing';

/** Span paths listed at most, per side: a 100k-span trace must not post a 100k-row list. */
const MAX_PATHS = 500;

export type TokenKind = keyof TokenUsage;
export const TOKEN_KINDS: readonly TokenKind[] = ['input', 'output', 'thinking', 'cached', 'total'];

export interface CompareSide {
  traceId: string;
  name: string;
  /** Epoch milliseconds the trace started. */
  startEpochMs: number;
  /** null while the trace is still running (or nothing recorded it). */
  durationMs: number | null;
  usage: TokenUsage;
  cost?: Cost;
  spanCount: number;
  modelCalls: number;
}

/** Spans sharing one name path, counted: how many more one side has than the other. */
export interface SpanPathDelta {
  /** Span names from the root down to the span (the middle left out past 40 names). */
  path: string[];
  /** How many names were left out of the middle of `path` (after its first two). */
  elided: number;
  count: number;
  /** Ids of the surplus spans on the side that has them (up to 20), in tree order. */
  spanIds: string[];
}

export interface CompareSummary {
  /** The earlier trace: "before". Deltas are right − left. */
  left: CompareSide;
  right: CompareSide;
  /** null when either side has no duration. */
  latencyDeltaMs: number | null;
  tokenDelta: TokenUsage;
  /** Undefined when a side has no recorded cost or the currencies differ: no honest delta then. */
  costDelta?: { total: number; currency: string };
  pairs: PairSummary[];
  /** Only in the right trace. */
  added: SpanPathDelta[];
  /** Only in the left trace. */
  removed: SpanPathDelta[];
  /** Set when the added or removed list was cut at MAX_PATHS entries. */
  truncated: boolean;
}

/** The same latency the panel header shows: first span start to last span end. */
export function traceDurationMs(t: Trace): number | null {
  if (t.status === 'IN_PROGRESS' || t.summary.state === 'IN_PROGRESS') return null;
  if (t.endNs !== null && t.spans.length) return Number(t.endNs - t.startNs) / 1e6;
  return t.summary.durationMs;
}

function side(t: Trace, modelCalls: number): CompareSide {
  const s: CompareSide = {
    traceId: t.summary.id,
    name: t.summary.name || t.roots[0]?.name || t.summary.id,
    startEpochMs: t.spans.length ? Number(t.startNs / 1_000_000n) : t.summary.requestTimeMs,
    durationMs: traceDurationMs(t),
    usage: { ...t.usage },
    spanCount: t.spans.length,
    modelCalls,
  };
  // The header's rule: the spans' rolled-up cost, else what MLflow recorded for the trace.
  const cost = t.cost ?? t.summary.cost;
  if (cost) s.cost = cost;
  return s;
}

/** Longer name paths keep their first and last names: a 10,000-deep chain posts ~40, not 10,000. */
const MAX_PATH_NAMES = 40;

/**
 * Name paths as small integers shared by both traces: a path is (its parent path, a name), so
 * each span costs one map lookup whatever its depth, and equal paths get equal ids.
 */
class PathIds {
  private readonly ids = new Map<string, number>();
  readonly parent: number[] = [];
  readonly name: string[] = [];

  id(parent: number, name: string): number {
    const k = `${parent}\u0000${name}`;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.name.length;
      this.ids.set(k, id);
      this.parent.push(parent);
      this.name.push(name);
    }
    return id;
  }

  /** The names from the root down, the middle elided past MAX_PATH_NAMES. */
  names(id: number): { path: string[]; elided: number } {
    const chain: number[] = [];
    for (let p = id; p >= 0; p = this.parent[p]) chain.push(p);
    chain.reverse();
    const keep = chain.length <= MAX_PATH_NAMES ? chain : [...chain.slice(0, 2), ...chain.slice(chain.length - (MAX_PATH_NAMES - 2))];
    return { path: keep.map((p) => this.name[p]), elided: chain.length - keep.length };
  }
}

const nameOf = (s: Span) => s.name || '(unnamed span)';

/** Every span with its name path id, in tree order (iterative: a 10,000-deep chain is fine). */
function pathIds(t: Trace, ids: PathIds): { span: Span; path: number }[] {
  const out: { span: Span; path: number }[] = [];
  const seen = new Set<Span>();
  const stack: { span: Span; parent: number }[] = [...t.roots].reverse().map((span) => ({ span, parent: -1 }));
  while (stack.length) {
    const { span, parent } = stack.pop()!;
    if (seen.has(span)) continue;
    seen.add(span);
    const path = ids.id(parent, nameOf(span));
    out.push({ span, path });
    for (let i = span.children.length - 1; i >= 0; i--) stack.push({ span: span.children[i], parent: path });
  }
  // A span the tree did not reach still counts, at the root.
  for (const span of t.spans) if (!seen.has(span)) out.push({ span, path: ids.id(-1, nameOf(span)) });
  return out;
}

/** Spans of `a` whose name path occurs more often in `a` than in `b` (a multiset difference). */
function surplus(a: { span: Span; path: number }[], b: { span: Span; path: number }[], ids: PathIds): SpanPathDelta[] {
  const inB = new Map<number, number>();
  for (const { path } of b) inB.set(path, (inB.get(path) ?? 0) + 1);
  const groups = new Map<number, { count: number; spanIds: string[] }>();
  for (const { span, path } of a) {
    const left = inB.get(path) ?? 0;
    // The first n spans of a path are matched with the other side's n; the rest are surplus.
    if (left > 0) {
      inB.set(path, left - 1);
      continue;
    }
    const g = groups.get(path) ?? groups.set(path, { count: 0, spanIds: [] }).get(path)!;
    g.count++;
    if (g.spanIds.length < 20) g.spanIds.push(span.id);
  }
  return [...groups].slice(0, MAX_PATHS + 1).map(([path, g]) => ({ ...ids.names(path), ...g }));
}

function delta(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { input: b.input - a.input, output: b.output - a.output, thinking: b.thinking - a.thinking, cached: b.cached - a.cached, total: b.total - a.total };
}

/** Compares two traces; the earlier one (by start time) becomes the left, "before" side. */
export function compareSummary(x: Trace, y: Trace): CompareSummary {
  const [a, b] = startOf(x) <= startOf(y) ? [x, y] : [y, x];
  const pairs = pairCalls(a, b);
  const left = side(a, pairs.filter((p) => p.left).length);
  const right = side(b, pairs.filter((p) => p.right).length);
  const ids = new PathIds();
  const pa = pathIds(a, ids);
  const pb = pathIds(b, ids);
  const added = surplus(pb, pa, ids);
  const removed = surplus(pa, pb, ids);
  const lc = left.cost;
  const rc = right.cost;
  const currency = (c: Cost) => c.currency ?? 'USD';
  return {
    left,
    right,
    latencyDeltaMs: left.durationMs === null || right.durationMs === null ? null : right.durationMs - left.durationMs,
    tokenDelta: delta(left.usage, right.usage),
    costDelta: lc && rc && currency(lc) === currency(rc) ? { total: rc.total - lc.total, currency: currency(rc) } : undefined,
    pairs: pairs.map(summarizePair),
    added: added.slice(0, MAX_PATHS),
    removed: removed.slice(0, MAX_PATHS),
    truncated: added.length > MAX_PATHS || removed.length > MAX_PATHS,
  };
}

function startOf(t: Trace): number {
  return t.spans.length ? Number(t.startNs / 1_000_000n) : t.summary.requestTimeMs;
}

