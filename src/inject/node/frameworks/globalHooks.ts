// The frameworks that offer a global hook instead of a module to patch: the AI SDK 7 calls every
// integration on `globalThis.AI_SDK_TELEMETRY_INTEGRATIONS`, Genkit stores its telemetry provider
// on `globalThis.__GENKIT_TELEMETRY_PROVIDER`. The preload's start-up (entry/preload.ts) puts both
// hooks in place before the app runs, but the tracing machinery behind them loads only when the
// framework first uses them: each hook asks for it through `tracing()` then. Nothing heavy is
// imported here for that reason.

type Obj = Record<string | symbol, unknown>;

const AI_SDK_LIST = 'AI_SDK_TELEMETRY_INTEGRATIONS';
const GENKIT_PROVIDER = '__GENKIT_TELEMETRY_PROVIDER';

/** Puts one integration on the AI SDK's global list (once per process). It stands for the one
 *  `integration()` returns, which is asked for when the SDK first reads a callback; with none (the
 *  tracing could not start) it has no callbacks. */
export function installAiSdkIntegration(integration: () => Obj | undefined): void {
  const g = globalThis as { [AI_SDK_LIST]?: unknown };
  // Not enumerable: the app's globals look as they did (the SDK reads and pushes to it by name).
  if (!Array.isArray(g[AI_SDK_LIST])) Object.defineProperty(g, AI_SDK_LIST, { value: [], writable: true, configurable: true, enumerable: false });
  const list = g[AI_SDK_LIST] as unknown[];
  if (list.some((i) => (i as Obj)?.[STANDS_IN] === true)) return;
  const real = (): Obj => integration() ?? {};
  list.push(
    new Proxy({} as Obj, {
      get: (_t, key) => (key === STANDS_IN ? true : real()[key]),
      has: (_t, key) => key in real(),
      ownKeys: () => Reflect.ownKeys(real()),
      // Reported configurable: the proxy's own target has none of these keys.
      getOwnPropertyDescriptor: (_t, key) => {
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        return d && { ...d, configurable: true };
      },
    }),
  );
}

const STANDS_IN = Symbol.for('gemini-trace.ai-sdk-integration');

/** Takes Genkit's telemetry provider as Genkit stores it (once per process) and keeps what
 *  `wrap()` makes of it (the tracing's processor added to its enableTelemetry). */
export function watchGenkit(wrap: () => ((provider: Obj) => Obj) | undefined): void {
  const g = globalThis as Obj;
  if (Object.getOwnPropertyDescriptor(g, GENKIT_PROVIDER)) return;
  let held: Obj | undefined;
  Object.defineProperty(g, GENKIT_PROVIDER, {
    configurable: true,
    enumerable: false,
    get: () => held,
    set(provider: Obj) {
      held = provider;
      try {
        const w = wrap();
        if (w) held = w(provider);
      } catch {
        held = provider;
      }
    },
  });
}
