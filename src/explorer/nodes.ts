// Tree nodes. Trace and span nodes carry TraceRef fields (traceId, spanId, experimentId) so
// every command receives them directly. Node objects are kept and reused per id: VS Code
// matches change events by object identity, so a live update can refresh one run node.
import type { Experiment } from '../mlflow/types';
import type { SessionKind } from '../model/sessions';
import type { Span, TraceSummary } from '../model/types';
import type { TraceRef } from '../shared/traceRef';
import type { RunInfo } from './traceSource';

export type Node = ExperimentNode | RunNode | ConversationNode | TraceNode | SpanNode | LoadMoreNode | MessageNode;

export class ExperimentNode {
  readonly kind = 'experiment';
  readonly parent = undefined;
  constructor(
    public experiment: Experiment,
    /** The experiment traced apps write to (settings/env): expanded and listed first. */
    public configured: boolean,
  ) {}
  get id(): string {
    return `exp:${this.experiment.experiment_id}`;
  }
  get experimentId(): string {
    return this.experiment.experiment_id;
  }
}

export class RunNode {
  readonly kind = 'run';
  constructor(
    readonly parent: ExperimentNode,
    public run: RunInfo,
    /** Running now in this window (debug session or terminal). */
    public active: boolean,
    public expandByDefault: boolean,
  ) {}
  get id(): string {
    return `run:${this.parent.experimentId}:${this.run.id || '<other>'}`;
  }
  get experimentId(): string {
    return this.parent.experimentId;
  }
}

/** The traces of one run that form one session (model/sessions.ts): MLflow's session metadata,
 *  a chat object's turns, or interactions chained by previous id. */
export class ConversationNode {
  readonly kind = 'conversation';
  constructor(
    readonly parent: RunNode,
    readonly conversationId: string,
    /** First turn first. */
    public traces: TraceSummary[],
    readonly session: SessionKind = 'conversation',
  ) {}
  get id(): string {
    return `conv:${this.parent.experimentId}:${this.parent.run.id}:${this.session}:${this.conversationId}`;
  }
  get experimentId(): string {
    return this.parent.experimentId;
  }
}

export class TraceNode implements TraceRef {
  readonly kind = 'trace';
  constructor(
    readonly parent: RunNode | ConversationNode,
    public summary: TraceSummary,
  ) {}
  get id(): string {
    return `trace:${this.summary.id}`;
  }
  get traceId(): string {
    return this.summary.id;
  }
  get experimentId(): string {
    return this.summary.experimentId ?? this.parent.experimentId;
  }
}

export class SpanNode implements TraceRef {
  readonly kind = 'span';
  constructor(
    readonly parent: TraceNode | SpanNode,
    readonly span: Span,
  ) {}
  get id(): string {
    return `span:${this.traceId}:${this.span.id}`;
  }
  get traceId(): string {
    return this.parent.traceId;
  }
  get spanId(): string {
    return this.span.id;
  }
  get experimentId(): string {
    return this.parent.experimentId;
  }
}

/** "Load more" at the end of a paged list: more traces of a run, more runs, more experiments. */
export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(
    readonly parent: RunNode | ExperimentNode | undefined,
    readonly what: 'traces' | 'runs' | 'experiments',
    public loading = false,
  ) {}
  get id(): string {
    return `more:${this.parent?.id ?? 'root'}`;
  }
}

/** An inline note: empty list, filter matched nothing, or an error with the fix. */
export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly parent: Node | undefined,
    readonly label: string,
    readonly icon: 'info' | 'error' | 'warning' | 'loading',
    readonly detail?: string,
    readonly command?: { command: string; title: string; arguments?: unknown[] },
  ) {}
  get id(): string {
    return `msg:${this.parent?.id ?? 'root'}:${this.label}`;
  }
}
