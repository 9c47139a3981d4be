// A trace still in progress holds only the spans that have ended: MLflow receives a span when it
// ends, so a background run's root (or a Live session's) is missing while its children are there.
// Those children name a parent that is not in the trace yet: not a broken trace, but one still
// going. Each such parent is stood in for by a running span, so the trace reads as the tree it will
// be (named after the trace when there is one such root), not as a list of orphans with warnings.
import type { Span } from './types';

export const STILL_RUNNING = 'Still running: MLflow receives a span when it ends, so this one is not in the trace yet. The spans under it have ended and arrived.';

/** Stand-ins for the parents the spans of an in-progress trace name but do not hold. */
export function openParents(nodes: readonly Span[], traceName: string | undefined): Span[] {
  const ids = new Set(nodes.map((s) => s.id));
  const missing = new Map<string, bigint>();
  for (const s of nodes) {
    if (s.parentId === null || ids.has(s.parentId)) continue;
    const start = missing.get(s.parentId);
    if (start === undefined || s.startNs < start) missing.set(s.parentId, s.startNs);
  }
  const name = missing.size === 1 && traceName ? traceName : 'Still running';
  return [...missing].map(([id, startNs]) => ({
    id, parentId: null, name, type: 'UNKNOWN', startNs, endNs: null, status: 'IN_PROGRESS', statusMessage: STILL_RUNNING,
    attributes: {}, inputs: null, outputs: null, events: [], exceptions: [], orphan: false, children: [], depth: 0,
  }));
}
