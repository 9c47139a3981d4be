// Tree nodes kept per id, so each is one object for its whole life: VS Code matches change
// events (and reveal) by object identity, and a live update must refresh exactly one node.
import type { Experiment } from '../mlflow/types';
import type { SessionKind } from '../model/sessions';
import type { Span, TraceSummary } from '../model/types';
import { ConversationNode, ExperimentNode, LoadMoreNode, RunNode, SpanNode, TraceNode } from './nodes';
import type { RunInfo } from './traceSource';

export class NodeCache {
  private readonly exps = new Map<string, ExperimentNode>();
  private readonly runs = new Map<string, RunNode>();
  private readonly traces = new Map<string, TraceNode>();
  private readonly conversations = new Map<string, ConversationNode>();
  private readonly spanLists = new Map<string, SpanNode[]>();
  private readonly mores = new Map<string, LoadMoreNode>();

  /** After a reload: runs, traces and spans are rebuilt; experiment nodes (and their expansion) stay. */
  clearBelowExperiments(): void {
    this.runs.clear();
    this.conversations.clear();
    this.traces.clear();
    this.spanLists.clear();
    this.mores.clear();
  }

  experiment(e: Experiment, configured: boolean): ExperimentNode {
    let n = this.exps.get(e.experiment_id);
    if (n) {
      n.experiment = e;
      n.configured = configured;
    } else {
      n = new ExperimentNode(e, configured);
      this.exps.set(e.experiment_id, n);
    }
    return n;
  }

  run(isActive: (runId: string) => boolean, parent: ExperimentNode, run: RunInfo, first: boolean): RunNode {
    const key = `${parent.experimentId}\n${run.id}`;
    let n = this.runs.get(key);
    if (n) {
      n.run = run;
      n.active = isActive(run.id);
    } else {
      // The newest run of the configured experiment opens by itself: its traces show at once.
      n = new RunNode(parent, run, isActive(run.id), first && parent.configured);
      this.runs.set(key, n);
    }
    return n;
  }

  conversation(parent: RunNode, conversationId: string, traces: TraceSummary[], session?: SessionKind): ConversationNode {
    const probe = new ConversationNode(parent, conversationId, traces, session);
    const n = this.conversations.get(probe.id);
    if (n && n.parent === parent) {
      n.traces = traces;
      return n;
    }
    this.conversations.set(probe.id, probe);
    return probe;
  }

  trace(parent: RunNode | ConversationNode, s: TraceSummary): TraceNode {
    let n = this.traces.get(s.id);
    if (n && n.parent === parent) n.summary = s;
    else {
      n = new TraceNode(parent, s);
      this.traces.set(s.id, n);
    }
    return n;
  }

  /** Span nodes are made once per parent; the spans themselves come from the trace store. */
  spans(parent: TraceNode | SpanNode, spans: readonly Span[]): SpanNode[] {
    let nodes = this.spanLists.get(parent.id);
    if (!nodes || nodes.length !== spans.length || nodes.some((n, i) => n.span !== spans[i])) {
      nodes = spans.map((sp) => new SpanNode(parent, sp));
      this.spanLists.set(parent.id, nodes);
    }
    return nodes;
  }

  more(parent: RunNode | ExperimentNode | undefined, what: LoadMoreNode['what']): LoadMoreNode {
    const n = new LoadMoreNode(parent, what);
    const existing = this.mores.get(n.id);
    if (existing) return existing;
    this.mores.set(n.id, n);
    return n;
  }

  forgetMore(n: LoadMoreNode): void {
    this.mores.delete(n.id);
  }

  forgetTrace(traceId: string): void {
    this.traces.delete(traceId);
  }

  experimentNode(id: string): ExperimentNode | undefined {
    return this.exps.get(id);
  }
  runNode(experimentId: string, runId: string): RunNode | undefined {
    return this.runs.get(`${experimentId}\n${runId}`);
  }
  traceNode(traceId: string): TraceNode | undefined {
    return this.traces.get(traceId);
  }
  experimentNodes(): ExperimentNode[] {
    return [...this.exps.values()];
  }
  runNodes(): RunNode[] {
    return [...this.runs.values()];
  }
  traceNodes(): TraceNode[] {
    return [...this.traces.values()];
  }

  /** Name of a trace's root span once its spans were shown (labels unnamed traces). */
  rootSpanName(traceId: string): string | undefined {
    return this.spanLists.get(`trace:${traceId}`)?.[0]?.span.name;
  }
}
