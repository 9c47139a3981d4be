// The module hooks of the packages traced as they load (hooked.ts), on OpenTelemetry's
// instrumentation base (require-in-the-middle, and import-in-the-middle through esmHooks.ts).
// `@google/genai` is not among them: the preload's start-up makes its clients lazy (lazyGenAI.ts).
//
// Each package has a module of its own, which says what it patches: the legacy SDK (legacy.ts),
// openai (openai.ts), the AI SDK 6 (frameworks/aiSdk6.ts),
// LangChain's callback manager and Google chat model (frameworks/langchain.ts) and Genkit's stream
// calls (frameworks/genkit.ts). Each checks the package's version: an unknown one is left alone
// (its model calls are still traced wherever they reach a traced SDK).
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { aiSdk6Definition } from '../frameworks/aiSdk6';
import { genkitDefinition } from '../frameworks/genkit';
import { langchainDefinitions } from '../frameworks/langchain';
import { legacySdkDefinition } from '../legacy';
import { openaiDefinition } from '../openai';

export class GeminiInstrumentation extends InstrumentationBase {
  constructor(version: string) {
    super('gemini-trace-node', version, {} as InstrumentationConfig);
  }

  protected init() {
    return [legacySdkDefinition(), openaiDefinition(), aiSdk6Definition(), ...langchainDefinitions(), genkitDefinition()];
  }
}
