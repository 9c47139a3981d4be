// "Load more" in the Traces view: the next page of a run's traces, older runs of an experiment,
// more experiments.
import * as vscode from 'vscode';
import { errorMessage } from '../shared/errors';
import { ExperimentNode, RunNode, type LoadMoreNode } from './nodes';
import type { TreeState } from './treeState';

/** Older runs looked up per click. */
const MORE_RUNS = 10;

export async function loadMore(s: TreeState, node: LoadMoreNode): Promise<void> {
  if (node.loading) return;
  node.loading = true;
  s.changed(node);
  try {
    if (node.what === 'traces' && node.parent instanceof RunNode) {
      const list = s.dataFor(node.parent.experimentId).list(node.parent.run.id);
      await list.loadNext();
      s.live.seed(list.items);
    } else if (node.what === 'runs' && node.parent instanceof ExperimentNode) {
      await s.dataFor(node.parent.experimentId).discoverRuns(MORE_RUNS);
    } else {
      await s.experiments.loadMore();
    }
    s.services.connection.report(true);
  } catch (e) {
    s.services.connection.report(false, e);
    void vscode.window.showErrorMessage(`Gemini Trace: loading more failed: ${errorMessage(e)}`);
  } finally {
    node.loading = false;
    s.nodes.forgetMore(node);
    s.changed(node.parent instanceof ExperimentNode || node.parent instanceof RunNode ? node.parent : undefined);
  }
}
