// One traced call = one span. The span's parent is the traced call running in the current async
// context (our own AsyncLocalStorage, not the global OpenTelemetry context, so an app with its own
// OpenTelemetry setup is left alone). The outermost call of a trace captures the user's call site
// and carries the run tags; nested calls (a chat's model call, a tool) inherit the call site.
//
// Only calls that can have children (a chat turn, an automatic-function-calling loop, a tool) open
// a context scope. On Node 20 an AsyncLocalStorage in use puts a hook on every promise the process
// creates, so the storage is switched off again whenever no such call is in flight: a plain
// generateContent pays nothing for context tracking.
// Every method here swallows its own failures: tracing must never change what the app sees.
//
// The OpenTelemetry SDK and the exporter (tracer.ts) are loaded by the first call that starts a
// span, not when the app starts: a process that never calls Gemini never pays for them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { CODE_ATTR, GT_ATTR, OTLP_TRACE_TAG_PREFIX } from '../../shared/runTags';
import { captureCallSite } from './callsite';
import type { CallSite } from './callsite';
import type { PreloadConfig } from './config';
import { ATTR, chatTools, configAttributes, errorAttributes, errorMessage, toJson, tokenUsage } from './spans';
import type { SpanType } from './spans';
import { boundMedia, newBudget, type MediaBudget } from './media';
import { rootEnded, rootOpened } from './openRoots';
import type * as TracerModule from './tracer';

export interface Frame {
  span: Span;
  site?: CallSite;
  /** Inside a models.* call that runs the SDK's automatic function calling loop. */
  afc: boolean;
  /** Model-call spans opened under this AFC call. */
  innerCalls: number;
  /** Model-call spans (LLM, CHAT_MODEL) opened directly under this one: a framework's model-call
   *  span with a traced SDK call under it leaves the model call (and its usage) to that child. */
  modelCalls: number;
  /** Its span has ended: a call made later from its async context (a timer a tool set) starts a new trace. */
  done?: boolean;
  /** The frame it was opened under (to tell which of two candidate parents is the nearer). */
  parent?: Frame;
  /** Media bytes the trace may still keep (media.ts), shared by its spans. */
  media: MediaBudget;
}

const frames = new AsyncLocalStorage<Frame>();
/** Scoped calls in flight; at zero the storage (and its promise hook) is disabled. */
let scopes = 0;

interface Runtime {
  cfg: PreloadConfig;
  warn: (line: string, key?: string) => void;
}
let runtime: Runtime | undefined;
let tracerLoaded: typeof TracerModule | undefined;

/** tracer.ts, loaded on the first call (see the header) and kept: the bundle's `require` of an
 *  inlined module builds a fresh exports object on every call, about 10 µs of each traced call. */
function tracerModule(): typeof TracerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first call, see the header
  return (tracerLoaded ??= require('./tracer') as typeof TracerModule);
}
/** The run tags as root-span attributes, built once. */
let rootTags: Attributes = {};

export function setRuntime(r: Runtime): void {
  runtime = r;
  rootTags = {};
  for (const [tag, value] of Object.entries(r.cfg.runTags)) rootTags[OTLP_TRACE_TAG_PREFIX + tag] = value;
}

export function captureContent(): boolean {
  return runtime?.cfg.captureContent ?? true;
}

export function currentFrame(): Frame | undefined {
  const f = frames.getStore();
  return f && !f.done ? f : undefined;
}

/** Where a call finds its parent besides our own async context: frameworks that keep a context of
 *  their own (LangChain's run in its AsyncLocalStorage, Genkit's OpenTelemetry context) register a
 *  lookup once they are in use. */
const foreignParents: Array<() => Frame | undefined> = [];

export function addForeignParent(find: () => Frame | undefined): void {
  if (!foreignParents.includes(find)) foreignParents.push(find);
}

function below(f: Frame, ancestor: Frame): boolean {
  for (let p = f.parent, n = 0; p && n < 200; p = p.parent, n++) if (p === ancestor) return true;
  return false;
}

/** The nearest open call: our own context's, unless a framework's own context names a call nested
 *  deeper (a LangChain tool running inside a traced AI SDK tool, say). */
function parentFrame(): Frame | undefined {
  const own = currentFrame();
  for (const find of foreignParents) {
    try {
      const f = find();
      if (f && !f.done && (!own || below(f, own))) return f;
    } catch {
      /* ignore that framework */
    }
  }
  return own;
}

export interface CallSpec {
  name: string;
  type: SpanType;
  /** Built lazily, and only here, so a failure to shape inputs cannot reach the app. Absent: the
   *  span records no mlflow.spanInputs (MLflow derives them from a framework's own attributes). */
  inputs?: () => unknown;
  model?: unknown;
  config?: unknown;
  afc?: boolean;
  /** This call can have traced children (chat turn, AFC loop, tool): run it in a context scope. */
  scope?: boolean;
  attributes?: Attributes;
  /** The parent, named outright rather than taken from the async context: a background run's
   *  root for a later poll, a Live session for its turns. `null` starts a new trace. Such a child
   *  records its own call site (falling back to the parent's when no user frame is on the stack). */
  parent?: Frame | null;
  /** `mlflow.message.format` (default `gemini` for a model call): which model-call adapter reads it. */
  format?: string;
  /** OpenTelemetry span kind (default CLIENT, INTERNAL for a tool): a framework's own steps are INTERNAL. */
  kind?: SpanKind;
  /** The app's call site, known already: taken earlier (a framework's own span starts after awaits
   *  that left the app's line off the stack), or the parent's, for a framework's inner spans whose
   *  stacks hold no app frame to look for. */
  site?: CallSite;
  /** Trace tags this call adds when it is the trace's root (a chat's id). */
  traceTags?: Record<string, string>;
  /** A root that stays open while its children are exported (a background run, a Live session):
   *  the trace is named over REST as soon as MLflow holds one of its spans (openRoots.ts). */
  openRoot?: boolean;
}

export class Call {
  private ended = false;
  /** The trace tags this root carries so far (roots named over REST while open, openRoots.ts). */
  private openTags?: Record<string, string>;
  private constructor(
    readonly span: Span,
    readonly frame: Frame,
    readonly started: number,
    private readonly scoped: boolean,
    /** The first span of its trace: trace tags go here. */
    readonly isRoot: boolean,
  ) {
    if (scoped) scopes++;
  }

  /** A new span, or undefined when tracing is unavailable (the caller then just calls through). */
  static start(spec: CallSpec): Call | undefined {
    try {
      if (!runtime) return undefined;
      const { tracer } = tracerModule().getPipeline(runtime.cfg, runtime.warn);
      const parent = spec.parent === undefined ? parentFrame() : (spec.parent ?? undefined);
      const site = spec.site ?? (spec.parent ? (captureCallSite() ?? spec.parent.site) : parent ? parent.site : captureCallSite());
      const media = parent ? parent.media : newBudget();
      const attrs: Attributes = { [ATTR.spanType]: spec.type };
      if (spec.inputs) attrs[ATTR.inputs] = toJson(boundMedia(spec.inputs(), media), media.kept);
      if (typeof spec.model === 'string' && spec.model) {
        attrs[ATTR.model] = spec.model;
        attrs[ATTR.provider] = 'gemini';
        attrs[ATTR.messageFormat] = 'gemini';
        Object.assign(attrs, configAttributes(spec.config));
        const tools = chatTools(spec.config);
        if (tools) attrs[ATTR.tools] = tools;
      }
      if (spec.format) {
        attrs[ATTR.provider] = 'gemini';
        attrs[ATTR.messageFormat] = spec.format;
      }
      if (spec.attributes) Object.assign(attrs, spec.attributes);
      if (site) {
        attrs[CODE_ATTR.filepath] = site.filepath;
        attrs[CODE_ATTR.lineno] = site.lineno;
        attrs[CODE_ATTR.function] = site.function;
      }
      if (!parent) {
        Object.assign(attrs, rootTags);
        attrs[`${OTLP_TRACE_TAG_PREFIX}mlflow.traceName`] = spec.name;
        for (const [k, v] of Object.entries(spec.traceTags ?? {})) attrs[OTLP_TRACE_TAG_PREFIX + k] = v;
      }
      const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent.span) : ROOT_CONTEXT;
      const span = tracer.startSpan(spec.name, { kind: spec.kind ?? (spec.type === 'TOOL' ? SpanKind.INTERNAL : SpanKind.CLIENT), attributes: attrs }, ctx);
      if (parent && (spec.type === 'LLM' || spec.type === 'CHAT_MODEL')) parent.modelCalls++;
      const call = new Call(span, { span, site, afc: !!spec.afc, innerCalls: 0, modelCalls: 0, parent, media }, performance.now(), !!(spec.scope || spec.afc), !parent);
      if (spec.openRoot && !parent) {
        const tags: Record<string, string> = { 'mlflow.traceName': spec.name, ...spec.traceTags };
        call.openTags = tags;
        rootOpened(span.spanContext().traceId, () => ({ ...tags }));
      }
      return call;
    } catch {
      return undefined;
    }
  }

  /** Sets span attributes while the span is open (never throws). */
  set(attrs: Attributes): void {
    try {
      if (!this.ended) this.span.setAttributes(attrs);
    } catch {
      /* ignore */
    }
  }

  /** Tags the trace (root spans only: MLflow reads `mlflow.traceTag.*` from the root). */
  tag(key: string, value: string): void {
    if (!this.isRoot) return;
    this.set({ [OTLP_TRACE_TAG_PREFIX + key]: value });
    if (this.openTags && !this.ended) this.openTags[key] = value;
  }

  /** `mlflow.chat.tokenUsage`, already in MLflow's keys. */
  usage(usage: object | undefined): void {
    if (usage) this.set({ [ATTR.usage]: toJson(usage) });
  }

  get done(): boolean {
    return this.ended;
  }

  /** Runs fn with this call as the parent of any traced call fn makes (scoped calls only). */
  run<T>(fn: () => T): T {
    return this.scoped && !this.ended ? frames.run(this.frame, fn) : fn();
  }

  firstChunk(): void {
    try {
      this.span.setAttribute(GT_ATTR.timeToFirstChunkMs, Math.round((performance.now() - this.started) * 1000) / 1000);
    } catch {
      /* ignore */
    }
  }

  /** Ends the span with its outputs; usage only on model-call spans (MLflow sums usage over spans).
   *  `endTime` (performance.now()) when the work ended before the span could (a Live turn whose
   *  usage arrives after its turnComplete). */
  succeed(outputs: (() => unknown) | undefined, usageFrom?: unknown, extra?: Attributes, endTime?: number): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (outputs) this.span.setAttribute(ATTR.outputs, toJson(boundMedia(outputs(), this.frame.media), this.frame.media.kept));
      if (usageFrom !== undefined) {
        const usage = tokenUsage(usageFrom);
        if (usage) this.span.setAttribute(ATTR.usage, toJson(usage));
      }
      if (extra) this.span.setAttributes(extra);
      this.span.setStatus({ code: SpanStatusCode.OK });
    } catch {
      /* ignore */
    }
    this.end(endTime);
  }

  /** Ends the span with neither OK nor ERROR: its work's outcome is unknown (a background run the
   *  process stopped watching). MLflow records such a trace as OK; tags say what happened. */
  abandon(outputs: () => unknown): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.span.setAttribute(ATTR.outputs, toJson(boundMedia(outputs(), this.frame.media), this.frame.media.kept));
    } catch {
      /* ignore */
    }
    this.end();
  }

  fail(err: unknown, outputs?: () => unknown, extra?: Attributes, endTime?: number): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (outputs) this.span.setAttribute(ATTR.outputs, toJson(boundMedia(outputs(), this.frame.media), this.frame.media.kept));
      if (extra) this.span.setAttributes(extra);
      this.span.setAttributes(errorAttributes(err));
      this.span.recordException(err instanceof Error ? err : { name: (err as { name?: string })?.name, message: errorMessage(err) });
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
    } catch {
      /* ignore */
    }
    this.end(endTime);
  }

  private end(endTime?: number): void {
    this.frame.done = true;
    try {
      this.span.end(endTime);
      if (this.openTags) rootEnded(this.span.spanContext().traceId);
    } catch {
      /* ignore */
    }
    if (this.scoped && --scopes === 0) {
      try {
        frames.disable();
      } catch {
        /* ignore */
      }
    }
  }
}

/** Wraps a promise-returning call: the span ends when the promise settles, and the app gets the
 *  same value or the same error object back. */
export function traced<T>(call: Call | undefined, invoke: () => T, onValue: (call: Call, value: Awaited<T>) => void): T {
  if (!call) return invoke();
  let result: T;
  try {
    result = call.run(invoke);
  } catch (e) {
    call.fail(e);
    throw e;
  }
  if (!(result instanceof Promise)) {
    call.succeed(() => result);
    return result;
  }
  return result.then(
    (value: Awaited<T>) => {
      try {
        onValue(call, value);
      } catch {
        /* ignore */
      }
      return value;
    },
    (e: unknown) => {
      call.fail(e);
      throw e;
    },
  ) as T;
}
