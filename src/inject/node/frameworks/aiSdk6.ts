// The Vercel AI SDK 6 (`ai` 6.x, what npm installs on Node 20), traced through its own OpenTelemetry
// spans. It records them only when a call asks (`experimental_telemetry: {isEnabled: true}`), on
// the tracer the call names. So as the package loads, its entry points (generateText, streamText,
// generateObject, streamObject, embed, embedMany, and ToolLoopAgent's calls) are wrapped to pass a
// tracer of ours, a small object per call that opens our spans: `ai.generateText` › its model calls
// `ai.generateText.doGenerate` and `ai.toolCall`, as the SDK nests them. aiSdkShape.ts says what
// each span records. The app's own choices win: a call with telemetry off (`isEnabled: false`), or
// with a tracer of its own, or asking for the SDK's global OpenTelemetry tracer while the app has
// registered an OpenTelemetry provider, is left as it is.
//
// Each tracer runs the SDK's work inside the span's context scope, so a tool that calls
// @google/genai (or another AI SDK call) nests under the `ai.toolCall` span. The call site is the
// app's line that made the call, taken when the wrapper runs (the SDK's spans start after awaits).
import type { Attributes, Span, SpanContext, SpanOptions, SpanStatus, Tracer } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { Call, captureContent } from '../calls';
import { captureCallSite } from '../callsite';
import type { CallSite } from '../callsite';
import { wrapMethod } from '../wrap';
import { attributeValue, endAttributes, roleOf, spanTypeOf, startAttributes } from './aiSdkShape';
import type { Role } from './aiSdkShape';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const ENTRY_POINTS = ['generateText', 'streamText', 'generateObject', 'streamObject', 'embed', 'embedMany'];
const PATCHED = Symbol.for('gemini-trace.ai-sdk-6');

export function aiSdk6Definition(): InstrumentationNodeModuleDefinition {
  return new InstrumentationNodeModuleDefinition('ai', ['>=6.0.0 <7'], (exports: Obj) => patchExports(exports));
}

/** The exports with the entry points wrapped. CommonJS exports are getters that cannot be
 *  redefined, so a CommonJS module gets a Proxy that answers the wrapped ones; an ES module's
 *  namespace (import-in-the-middle's) takes assignments. */
function patchExports(exports: Obj): Obj {
  try {
    if (!exports || exports[PATCHED as unknown as string]) return exports;
    const wrapped = new Map<string, unknown>();
    for (const name of ENTRY_POINTS) if (typeof exports[name] === 'function') wrapped.set(name, wrapEntry(exports[name] as Fn, undefined));
    const agent = (exports.ToolLoopAgent as { prototype?: Obj } | undefined)?.prototype;
    if (agent && !Object.prototype.hasOwnProperty.call(agent, PATCHED)) {
      Object.defineProperty(agent, PATCHED, { value: true });
      wrapMethod(agent, 'prepareCall', (original) =>
        function (this: { settings?: { id?: unknown } }, ...args: unknown[]) {
          const site = captureCallSite();
          const id = typeof this?.settings?.id === 'string' ? this.settings.id : 'ToolLoopAgent';
          return Promise.resolve(original.apply(this, args)).then((prepared) => withTelemetry(prepared, () => site, id));
        },
      );
    }
    let assigned = true;
    for (const [name, fn] of wrapped) {
      try {
        exports[name] = fn;
        if (exports[name] !== fn) assigned = false;
      } catch {
        assigned = false;
      }
    }
    if (assigned) return exports;
    return new Proxy(exports, {
      get: (target, key, receiver) => (typeof key === 'string' && wrapped.has(key) ? wrapped.get(key) : key === PATCHED ? true : Reflect.get(target, key, receiver)),
    });
  } catch {
    return exports;
  }
}

type Fn = (...args: unknown[]) => unknown;

function wrapEntry(original: Fn, agent: string | undefined): Fn {
  const wrapper = function (this: unknown, ...args: unknown[]) {
    let options = args[0];
    try {
      options = withTelemetry(options, captureCallSite, agent);
    } catch {
      /* call untraced */
    }
    return original.apply(this, options === args[0] ? args : [options, ...args.slice(1)]);
  };
  Object.defineProperty(wrapper, 'name', { value: original.name });
  return wrapper;
}

/** A copy of the call's options with our tracer, unless the app decided about telemetry itself
 *  (the app's line is taken only then). */
function withTelemetry(options: unknown, site: () => CallSite | undefined, agent: string | undefined): unknown {
  if (!isObj(options)) return options;
  const t = options.experimental_telemetry;
  const own = isObj(t) ? t : {};
  if (own.isEnabled === false || own.tracer !== undefined) return options;
  if (own.isEnabled === true && globalTracerProvider()) return options;
  const capture = captureContent();
  return {
    ...options,
    experimental_telemetry: { ...own, isEnabled: true, tracer: new CallTracer(site(), agent), recordInputs: own.recordInputs ?? capture, recordOutputs: own.recordOutputs ?? capture },
  };
}

/** The app registered an OpenTelemetry tracer provider of its own (the AI SDK would use it). */
function globalTracerProvider(): boolean {
  const api = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return !!api?.trace;
}

/** One per AI SDK call: opens our spans for it. The first is the operation (the trace's root, or
 *  nested under the traced call the app made it in); the SDK's others (model calls, tool calls) are
 *  its children. Only a tool call runs in a context scope of ours: what the tool does (a Gemini
 *  call of the app's own) nests under it; the rest needs no context tracking. */
class CallTracer implements Tracer {
  root?: AiSpan;

  constructor(
    readonly site: CallSite | undefined,
    readonly agent: string | undefined,
  ) {}

  startSpan(name: string, options?: SpanOptions): Span {
    return new AiSpan(this, name, options?.attributes ?? {});
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = (rest.length > 1 ? rest[0] : undefined) as SpanOptions | undefined;
    const span = new AiSpan(this, name, options?.attributes ?? {});
    return span.run(() => fn(span)) as ReturnType<F>;
  }
}

const NO_CONTEXT: SpanContext = { traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 };

class AiSpan implements Span {
  private readonly attrs: Attributes;
  private readonly role: Role;
  private readonly call: Call | undefined;
  usedTools = false;
  private error: unknown;
  private failed = false;

  constructor(tracer: CallTracer, name: string, attributes: Attributes) {
    this.attrs = { ...attributes };
    const op = typeof attributes['ai.operationId'] === 'string' ? attributes['ai.operationId'] : name;
    this.role = roleOf(op);
    const root = tracer.root;
    if (root && (this.role === 'tool' || (this.role === 'model' && Array.isArray(attributes['ai.prompt.tools'])))) root.usedTools = true;
    const extra: Attributes = { ...attributes, ...startAttributes(this.role, attributes) };
    if (tracer.agent && !root) {
      extra['gen_ai.agent.name'] = tracer.agent;
      this.usedTools = true;
    }
    const parent = root?.call?.frame;
    this.call = Call.start({
      name, type: spanTypeOf(this.role, this.usedTools), scope: this.role === 'tool',
      attributes: extra, kind: this.role === 'model' || this.role === 'embedCall' ? SpanKind.CLIENT : SpanKind.INTERNAL,
      ...(parent ? { parent, site: parent.site } : { site: tracer.site }),
    });
    tracer.root ??= this;
  }

  run<T>(fn: () => T): T {
    return this.call ? this.call.run(fn) : fn();
  }

  spanContext(): SpanContext {
    return this.call?.span.spanContext() ?? NO_CONTEXT;
  }

  setAttribute(key: string, value: unknown): this {
    return this.setAttributes({ [key]: value } as Attributes);
  }

  setAttributes(attributes: Attributes): this {
    const kept: Attributes = {};
    for (const [k, value] of Object.entries(attributes)) {
      const v = attributeValue(value);
      if (v !== undefined) kept[k] = this.attrs[k] = v;
    }
    this.call?.set(kept);
    return this;
  }

  addEvent(name: string, attributes?: unknown): this {
    try {
      this.call?.span.addEvent(name, isObj(attributes) ? (attributes as Attributes) : undefined);
    } catch {
      /* ignore */
    }
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (status.code === SpanStatusCode.ERROR) {
      this.failed = true;
      this.error ??= new Error(status.message ?? 'AI SDK call failed');
    }
    return this;
  }

  updateName(): this {
    return this;
  }

  recordException(exception: unknown): void {
    this.failed = true;
    this.error = exception;
  }

  isRecording(): boolean {
    return !!this.call && !this.call.done;
  }

  end(): void {
    const call = this.call;
    if (!call || call.done) return;
    let extra: Attributes = {};
    try {
      extra = endAttributes(this.role, this.attrs, this.usedTools);
    } catch {
      /* end it as it is */
    }
    if (this.failed) call.fail(this.error, undefined, extra);
    else call.succeed(undefined, undefined, extra);
  }
}
