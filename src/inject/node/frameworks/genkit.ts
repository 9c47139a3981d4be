// Genkit, traced through its own OpenTelemetry spans. Genkit starts an OpenTelemetry NodeSDK of its
// own the first time an action runs, through the telemetry provider it keeps on the global object
// (`__GENKIT_TELEMETRY_PROVIDER`, set when genkit loads). The preload defines that global as an
// accessor at start (globalHooks.ts: a process without Genkit pays for one property), and when Genkit
// stores its provider there, wrapGenkitProvider adds our span processor to what enableTelemetry gets.
//
// The processor mirrors every Genkit span as one of ours, so our exporter, run tags, call sites and
// attribute shapes apply (and Genkit's own OpenTelemetry packages, of whatever version, are only
// read, never fed to ours). genkitShape.ts says what the spans hold:
//
// SPAN SHAPE (gemini_trace.library = "genkit")
// - One span per Genkit span, same name and nesting: a flow (`weatherFlow`) › `generate` › the model
//   action (`googleai/gemini-2.5-flash`) and tools (`weather`), a tool loop's nested `generate`.
// - mlflow.spanType: flow CHAIN, or AGENT when a model under it was offered tools; generate and
//   other utilities CHAIN; model CHAT_MODEL; tool TOOL; embedder EMBEDDING; retriever RETRIEVER.
// - mlflow.spanInputs / mlflow.spanOutputs: Genkit's input and output; a model span's are Gemini's
//   (genkitShape.ts), with usage on the model spans only (Genkit repeats it on generate).
// - A Gemini call of the app's own inside a flow or tool (@google/genai) nests under the Genkit
//   span active there (found through the OpenTelemetry context Genkit registered).
//
// The call site: a flow or generate call the app awaits shows the app's line on the stack when
// Genkit opens its span; generateStream starts its work detached, so it is wrapped (as `genkit`
// loads) to carry the app's line to it (sites.ts). Inner spans point at the app's line that made
// them when their stack shows one (a generate call inside a flow), else at their parent's.
//
// An app that turns Genkit's OpenTelemetry off (disableGenkitOTelInitialization) and runs its own is
// not traced here: Genkit's spans then go to the app's pipeline only.
import type { Attributes } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { GT_ATTR } from '../../../shared/runTags';
import { addForeignParent, Call, captureContent } from '../calls';
import type { Frame } from '../calls';
import { ATTR, fromJson } from '../spans';
import { wrapMethod } from '../wrap';
import { genkitType, modelCall, offersTools } from './genkitShape';
import { currentSite, siteEntry } from './sites';

type Obj = Record<string, unknown>;
const OTEL_API = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const TRACER = 'genkit-tracer';

/** What a Genkit span (its SDK's ReadableSpan, any 1.x or 2.x version) offers us. */
interface GenkitSpan {
  name: string;
  attributes: Attributes;
  status?: { code?: number; message?: string };
  spanContext(): { spanId: string };
  parentSpanId?: string;
  parentSpanContext?: { spanId?: string };
  instrumentationLibrary?: { name?: string };
  instrumentationScope?: { name?: string };
}

interface Mirror {
  call: Call;
  top: Mirror;
  offeredTools?: boolean;
}

const mirrors = new Map<string, Mirror>();
const MAX_OPEN = 10_000;

function isGenkit(span: GenkitSpan): boolean {
  return (span.instrumentationScope?.name ?? span.instrumentationLibrary?.name) === TRACER;
}

const processor = {
  onStart(span: GenkitSpan): void {
    try {
      if (!isGenkit(span)) return;
      const parentId = span.parentSpanId ?? span.parentSpanContext?.spanId;
      const parent = parentId ? mirrors.get(parentId) : undefined;
      const call = Call.start({
        name: span.name, type: genkitType(span.attributes), scope: true, kind: SpanKind.INTERNAL, inputs: () => null,
        attributes: { [GT_ATTR.library]: 'genkit' }, ...(parent ? { parent: parent.call.frame } : { site: currentSite() }),
      });
      if (!call) return;
      if (mirrors.size >= MAX_OPEN) mirrors.clear();
      const m: Mirror = { call, top: undefined as unknown as Mirror };
      m.top = parent?.top ?? m;
      mirrors.set(span.spanContext().spanId, m);
    } catch {
      /* tracing only */
    }
  },

  onEnd(span: GenkitSpan): void {
    try {
      const id = span.spanContext().spanId;
      const m = mirrors.get(id);
      if (!m) return;
      mirrors.delete(id);
      const a = span.attributes;
      const capture = captureContent();
      let type = genkitType(a);
      let inputs: unknown = capture ? fromJson(a['genkit:input']) ?? null : {};
      let outputs: unknown = capture ? fromJson(a['genkit:output']) ?? null : {};
      const extra: Attributes = {};
      if (type === 'CHAT_MODEL') {
        if (offersTools(a)) m.top.offeredTools = true;
        const c = modelCall(a, capture);
        ({ inputs, outputs } = c);
        Object.assign(extra, c.attrs);
      }
      if (m === m.top && type === 'CHAIN' && m.offeredTools) type = 'AGENT';
      extra[ATTR.spanType] = type;
      extra[ATTR.inputs] = JSON.stringify(inputs ?? null);
      if (span.status?.code === SpanStatusCode.ERROR) m.call.fail(new Error(span.status.message ?? 'Genkit action failed'), () => outputs, extra);
      else m.call.succeed(() => outputs, undefined, extra);
    } catch {
      /* tracing only */
    }
  },

  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** The Genkit span active in Genkit's OpenTelemetry context (the global context manager its SDK
 *  registered), read without an API version check: the context key is the API's, stable across 1.x. */
function activeGenkitSpan(): Frame | undefined {
  const api = (globalThis as Record<symbol, { context?: { active?: () => { getValue?: (k: symbol) => unknown } } } | undefined>)[OTEL_API];
  const span = api?.context?.active?.()?.getValue?.(SPAN_KEY) as { spanContext?: () => { spanId?: string } } | undefined;
  const id = span?.spanContext?.()?.spanId;
  return id ? mirrors.get(id)?.call.frame : undefined;
}

type Provider = Obj & { enableTelemetry?: (config: unknown) => unknown };

/** Genkit's telemetry provider with our processor added to what its enableTelemetry is given
 *  (globalHooks.ts hands it over as Genkit stores it, once per process). */
export function wrapGenkitProvider(provider: Provider): Provider {
  const enable = provider?.enableTelemetry;
  if (typeof enable !== 'function') return provider;
  addForeignParent(activeGenkitSpan);
  return {
    ...provider,
    enableTelemetry: async (config: unknown) => {
      const c = ((config instanceof Promise ? await config : config) ?? {}) as Obj;
      const own = Array.isArray(c.spanProcessors) ? c.spanProcessors : [];
      return enable.call(provider, { ...c, spanProcessors: [...own, processor] });
    },
  };
}

const PATCHED = Symbol.for('gemini-trace.genkit');

/** `genkit` as it loads: its streaming calls carry the app's line (see the header). */
export function genkitDefinition(): InstrumentationNodeModuleDefinition {
  return new InstrumentationNodeModuleDefinition('genkit', ['>=1.0.0 <2'], (exports: Obj) => {
    try {
      for (let proto = (exports?.Genkit as { prototype?: Obj } | undefined)?.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as Obj) {
        if (!Object.prototype.hasOwnProperty.call(proto, 'generateStream')) continue;
        if (!Object.prototype.hasOwnProperty.call(proto, PATCHED)) {
          Object.defineProperty(proto, PATCHED, { value: true });
          wrapMethod(proto, 'generateStream', siteEntry);
        }
        break;
      }
    } catch {
      /* Genkit works untraced */
    }
    return exports;
  });
}
