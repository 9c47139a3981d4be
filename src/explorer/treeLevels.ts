// The Traces view's levels: the children of the root (experiments), an experiment (runs), a run
// (traces and conversations), a trace and a span (spans), each loaded when VS Code first asks.
import { COMMAND } from '../contributions/ids';
import { isMlflowError } from '../mlflow/errors';
import { errorMessage } from '../shared/errors';
import { groupConversations, isConversation } from './conversations';
import { isEmptyFilter } from './filter';
import { ConversationNode, ExperimentNode, MessageNode, RunNode, SpanNode, TraceNode, type Node } from './nodes';
import type { TreeState } from './treeState';

/** Older runs looked up in the background after an experiment's first page. */
const PREFETCH_RUNS = 5;

export async function childrenOf(s: TreeState, node?: Node): Promise<Node[]> {
  try {
    if (!node) return await rootChildren(s);
    if (node instanceof ExperimentNode) return await experimentChildren(s, node);
    if (node instanceof RunNode) return await runChildren(s, node);
    if (node instanceof ConversationNode) return node.traces.map((t) => s.nodes.trace(node, t));
    if (node instanceof TraceNode) return await traceChildren(s, node);
    if (node instanceof SpanNode) return s.nodes.spans(node, node.span.children);
    return [];
  } catch (e) {
    const { connection, log } = s.services;
    connection.report(false, e);
    const msg = errorMessage(e);
    log.warn(`explorer: loading ${node?.id ?? 'experiments'} failed: ${msg}`);
    if (!node) {
      // Unreachable or refused: an empty root lets the welcome view explain and offer fixes.
      s.rootFailed = true;
      if (connection.state === 'down' || connection.state === 'unauthorized') return [];
    }
    const badFilter = isMlflowError(e) && e.kind === 'bad-request' && s.filterString;
    return [
      new MessageNode(node, badFilter ? `The filter was rejected: ${msg}` : `Could not load: ${msg}`, 'error', msg,
        badFilter ? { command: COMMAND.setFilter, title: 'Edit Filter' } : { command: COMMAND.refresh, title: 'Retry' }),
    ];
  }
}

async function rootChildren(s: TreeState): Promise<Node[]> {
  const { connection, runs } = s.services;
  if (connection.state === 'down' || connection.state === 'unauthorized') {
    // Empty, so the welcome view for this state explains it and offers the fixes. The live
    // poll (or Refresh) probes the server and brings the tree back when it answers.
    s.rootFailed = true;
    return [];
  }
  s.rootFailed = false;
  const list = await s.experiments.list();
  connection.report(true);
  const configured = await s.experiments.configured();
  let shown = list.experiments;
  if (s.currentRun) {
    const run = runs.latest;
    if (!run) return [new MessageNode(undefined, 'No traced run in this window yet: start one, or show all runs.', 'info', undefined, { command: COMMAND.allRuns, title: 'Show All Runs' })];
    const id = await s.experiments.idForRun(run);
    shown = shown.filter((e) => e.experiment_id === id);
    if (!shown.length) return [new MessageNode(undefined, `Waiting for the first trace of ${run.name}…`, 'loading')];
  } else {
    s.anyTraces ??= s.experiments.anyTraces(list.experiments.map((e) => e.experiment_id)).catch((e) => {
      s.anyTraces = undefined;
      throw e;
    });
    const empty = isEmptyFilter(s.filter) && !(await s.anyTraces);
    s.setEmpty(empty);
    if (empty) return [];
  }
  const nodes: Node[] = shown.map((e) => s.nodes.experiment(e, e.experiment_id === configured?.experiment_id));
  if (list.hasMore && !s.currentRun) nodes.push(s.nodes.more(undefined, 'experiments'));
  return nodes;
}

async function experimentChildren(s: TreeState, node: ExperimentNode): Promise<Node[]> {
  const data = s.dataFor(node.experimentId);
  for (const run of s.windowRunsOf(node.experiment)) data.addKnownRun({ id: run.id, name: run.name, startedMs: run.startedAt.getTime() });
  if (s.currentRun) {
    const latest = s.services.runs.latest;
    const info = latest && data.runs.get(latest.id);
    return info ? [s.nodes.run(s.isActive, node, info, true)] : [];
  }
  await data.ensureRuns();
  // The newest traces are known now: a later poll must not report them as new.
  s.live.seed(data.discoveredTraces);
  s.live.markBaselined(node.experimentId);
  const runs = data.sortedRuns();
  if (!runs.length) {
    return [new MessageNode(node, isEmptyFilter(s.filter) ? 'No traces in this experiment yet' : 'No traces match the filter', 'info', undefined,
      isEmptyFilter(s.filter) ? undefined : { command: COMMAND.clearFilter, title: 'Clear Filter' })];
  }
  const nodes: Node[] = runs.map((r, i) => s.nodes.run(s.isActive, node, r, i === 0));
  if (data.hasMoreRuns) {
    if (data.prefetched) nodes.push(s.nodes.more(node, 'runs'));
    else {
      // Show these runs now; look for a few older ones in the background (one row each).
      data.prefetched = true;
      void data.discoverRuns(PREFETCH_RUNS).then(
        () => s.changed(node),
        (e: unknown) => s.services.log.debug(`explorer: looking for older runs failed: ${errorMessage(e)}`),
      );
    }
  }
  return nodes;
}

async function runChildren(s: TreeState, node: RunNode): Promise<Node[]> {
  const list = s.dataFor(node.experimentId).list(node.run.id);
  await list.ensureFirst();
  s.live.seed(list.items);
  s.live.markBaselined(node.experimentId);
  const nodes: Node[] = groupConversations(list.items).map((e) => (isConversation(e) ? s.nodes.conversation(node, e.conversationId, e.traces, e.session) : s.nodes.trace(node, e)));
  if (!nodes.length) {
    return [new MessageNode(node, node.active ? 'Waiting for traces…' : isEmptyFilter(s.filter) ? 'No traces' : 'No traces match the filter', node.active ? 'loading' : 'info')];
  }
  if (list.hasMore) nodes.push(s.nodes.more(node, 'traces'));
  return nodes;
}

async function traceChildren(s: TreeState, node: TraceNode): Promise<Node[]> {
  const trace = await s.services.traces.get(node.traceId);
  s.services.connection.report(true);
  if (!node.summary.name && trace.roots[0]) queueMicrotask(() => s.changed(node)); // label from the root span
  return s.nodes.spans(node, trace.roots);
}
