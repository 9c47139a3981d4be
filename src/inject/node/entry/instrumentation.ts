// The OpenTelemetry instrumentation of `@google/genai`: when the app loads the package (require
// through require-in-the-middle; import through genaiModule.ts, which esmHooks.ts registers), its
// `GoogleGenAI` export is replaced by a construct-trapping Proxy of itself. Every client the app creates (also from subclasses) is instrumented right after its constructor ran;
// the class keeps its name, statics, prototype and instanceof behaviour.
//
// The other packages hooked as they load (hooked.ts) have modules of their own, which say what
// they patch: the legacy SDK (legacy.ts), openai (openai.ts), the AI SDK 6 (frameworks/aiSdk6.ts),
// LangChain's callback manager and Google chat model (frameworks/langchain.ts) and Genkit's stream
// calls (frameworks/genkit.ts). Each checks the package's version: an unknown one is left alone
// (its model calls are still traced wherever they reach a traced SDK).
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { aiSdk6Definition } from '../frameworks/aiSdk6';
import { genkitDefinition } from '../frameworks/genkit';
import { langchainDefinitions } from '../frameworks/langchain';
import { legacySdkDefinition } from '../legacy';
import { openaiDefinition } from '../openai';

export const SUPPORTED_VERSIONS = ['>=1.0.0 <5'];

type Exports = Record<string, unknown>;

const proxies = new WeakMap<object, object>();
const originals = new WeakMap<object, object>();

export class GeminiInstrumentation extends InstrumentationBase {
  constructor(
    version: string,
    private readonly onClient: (client: unknown) => void,
  ) {
    super('gemini-trace-node', version, {} as InstrumentationConfig);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@google/genai',
        SUPPORTED_VERSIONS,
        (exports: Exports) => this.patchExports(exports),
        (exports: Exports) => this.unpatchExports(exports),
      ),
      legacySdkDefinition(),
      openaiDefinition(),
      aiSdk6Definition(),
      ...langchainDefinitions(),
      genkitDefinition(),
    ];
  }

  private patchExports(exports: Exports): Exports {
    try {
      if (exports && typeof exports.GoogleGenAI === 'function') exports.GoogleGenAI = this.tracedClass(exports.GoogleGenAI);
    } catch {
      /* leave the module as it is */
    }
    return exports;
  }

  /** `GoogleGenAI` as the app gets it: a construct-trapping Proxy of the class (one per class). An
   *  ES module app gets it through genaiModule.ts, a CommonJS one through patchExports. */
  tracedClass(original: unknown): unknown {
    if (typeof original !== 'function' || originals.has(original)) return original;
    let traced = proxies.get(original);
    if (!traced) {
      const onClient = this.onClient;
      traced = new Proxy(original, {
        construct(target, args, newTarget) {
          const client = Reflect.construct(target, args, newTarget) as object;
          try {
            onClient(client);
          } catch {
            /* the client works untraced */
          }
          return client;
        },
      });
      proxies.set(original, traced);
      originals.set(traced, original);
    }
    return traced;
  }

  private unpatchExports(exports: Exports): void {
    try {
      const current = exports?.GoogleGenAI;
      const original = current && typeof current === 'function' ? originals.get(current) : undefined;
      if (original) exports.GoogleGenAI = original;
    } catch {
      /* ignore */
    }
  }
}
