// LangChain.js and LangGraph.js, traced through LangChain's callbacks (langchainRuns.ts says what
// the spans hold). LangChain has no OpenTelemetry of its own, and its configure hooks live in
// per-async-context variables that a preload cannot set for the app. So as @langchain/core's
// callback manager loads (its CommonJS and ESM files), CallbackManager._configureSync, which every
// run uses to build its callbacks, is wrapped to add our handler, inheritable, to every manager.
//
// Further hooks make the spans right:
// - ChatGoogleGenerativeAI (@langchain/google-genai) sends its requests through the legacy
//   @google/generative-ai SDK, which legacy.ts traces: its _generate / _streamResponseChunks /
//   _streamChatModelEvents run inside the chat-model run's span, so the SDK span nests under it
//   (the SDK span then holds the Gemini detail and the usage; no second trace, no double count).
// - Code a run executes (a tool's function, a graph node, a RunnableLambda) runs with LangChain's
//   run config in LangChain's AsyncLocalStorage: its callbacks name the run as their parent. A
//   Gemini call made there (the app's own @google/genai call in a tool) nests under that run's span.
// - The app's call site: LangGraph starts its runs inside async generators, and a chat model's
//   invoke reaches its callbacks through promise continuations: either way the stack no longer
//   shows the app's line. So the entry points of LangChain's runnables, chat models, LLMs and tools
//   (as their @langchain/core files load), and the `run` of LangChain's own AsyncLocalStorage
//   (entered synchronously from a graph's call), carry the app's line into the run's async context
//   (sites.ts), where the top-level run's span picks it up.
import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import { addForeignParent } from '../calls';
import type { Frame } from '../calls';
import { wrapMethod } from '../wrap';
import { handler, runCall } from './langchainRuns';
import { siteEntry, withSite } from './sites';

type Obj = Record<string, unknown>;
type Fn = (...args: unknown[]) => unknown;
const PATCHED = Symbol.for('gemini-trace.langchain');
const LC_STORAGE = Symbol.for('ls:tracing_async_local_storage');
const LC_CHILD_CONFIG = Symbol.for('lc:child_config');
const VERSIONS = ['>=0.3.0 <2'];

/** The @langchain/core files whose classes' entry points carry the app's line (see the header). */
const ENTRY_FILES = ['runnables/base', 'language_models/chat_models', 'language_models/llms', 'tools/index'];
const ENTRY_METHODS = ['invoke', 'batch', 'stream', 'generate', 'call'];

export function langchainDefinitions(): InstrumentationNodeModuleDefinition[] {
  const guarded = (patch: (exports: Obj) => void) => (exports: Obj) => {
    try {
      patch(exports);
    } catch {
      /* LangChain works untraced */
    }
    return exports;
  };
  const file = (path: string, patch: (exports: Obj) => void) =>
    ['cjs', 'js'].map((ext) => new InstrumentationNodeModuleFile(`@langchain/core/dist/${path}.${ext}`, VERSIONS, guarded(patch), () => undefined));
  return [
    new InstrumentationNodeModuleDefinition('@langchain/core', VERSIONS, undefined, undefined, [
      ...file('callbacks/manager', (exports) => patchCallbackManager(exports?.CallbackManager)),
      ...ENTRY_FILES.flatMap((path) => file(path, entryPoints)),
    ]),
    new InstrumentationNodeModuleDefinition('@langchain/google-genai', ['>=0.1.0 <3'], (exports: Obj) => {
      try {
        patchGoogleChatModel(exports?.ChatGoogleGenerativeAI);
      } catch {
        /* the model works untraced */
      }
      return exports;
    }),
  ];
}

function claim(o: unknown): o is Obj {
  if (!o || (typeof o !== 'object' && typeof o !== 'function') || Object.prototype.hasOwnProperty.call(o, PATCHED)) return false;
  Object.defineProperty(o, PATCHED, { value: true });
  return true;
}

/** The span of the LangChain run whose code is running now, from LangChain's own context. */
function currentRun(): Frame | undefined {
  const storage = (globalThis as Record<symbol, { getStore?: () => unknown } | undefined>)[LC_STORAGE];
  const store = storage?.getStore?.() as { extra?: Record<symbol, { callbacks?: { _parentRunId?: unknown } }> } | undefined;
  return runCall(store?.extra?.[LC_CHILD_CONFIG]?.callbacks?._parentRunId)?.frame;
}

function patchCallbackManager(cm: unknown): void {
  if (typeof cm !== 'function' || !claim(cm)) return;
  addForeignParent(currentRun);
  wrapMethod(cm as unknown as Obj, '_configureSync', (original) =>
    function (this: unknown, ...args: unknown[]) {
      let manager = original.apply(this, args) as { handlers?: unknown[]; addHandler?: (h: unknown, inherit?: boolean) => void } | undefined;
      try {
        watchStorage();
        if (!manager && typeof this === 'function') manager = new (this as new () => typeof manager)();
        if (manager && Array.isArray(manager.handlers) && !manager.handlers.includes(handler) && typeof manager.addHandler === 'function') manager.addHandler(handler, true);
      } catch {
        /* the run goes on untraced */
      }
      return manager;
    },
  );
}

/** Wraps the `run` of LangChain's global AsyncLocalStorage (once): a run entered from the app's
 *  own code carries the app's line. */
function watchStorage(): void {
  const storage = (globalThis as Record<symbol, unknown>)[LC_STORAGE] as Obj | undefined;
  if (!storage || typeof storage.run !== 'function' || !claim(storage)) return;
  const run = storage.run as Fn;
  Object.defineProperty(storage, 'run', {
    configurable: true, writable: true, enumerable: false,
    value: function (this: unknown, ...args: unknown[]) {
      return withSite(() => run.apply(this, args));
    },
  });
}

/** The own entry points (invoke, batch, …) of every class a file exports run under withSite: some
 *  reach their first callback through promise continuations that drop the app's stack (a chat
 *  model's invoke), so the line is taken as the app calls. */
function entryPoints(exports: Obj): void {
  for (const value of Object.values(exports ?? {})) {
    const proto = typeof value === 'function' ? (value.prototype as Obj | undefined) : undefined;
    if (!proto || !claim(proto)) continue;
    for (const key of ENTRY_METHODS) if (Object.prototype.hasOwnProperty.call(proto, key)) wrapMethod(proto, key, siteEntry);
  }
}

/** Runs the model's request in its chat-model run's span (found by the run manager's id). */
function patchGoogleChatModel(cls: unknown): void {
  const proto = typeof cls === 'function' ? (cls.prototype as Obj) : undefined;
  if (!proto || !claim(proto)) return;
  const inRun = (key: string, generator: boolean) =>
    wrapMethod(proto, key, (original) =>
      function (this: unknown, ...args: unknown[]) {
        const call = runCall((args[2] as { runId?: unknown } | undefined)?.runId);
        if (!call) return original.apply(this, args);
        const result = call.run(() => original.apply(this, args));
        if (!generator || !result || typeof (result as AsyncGenerator).next !== 'function') return result;
        const gen = result as AsyncGenerator;
        // Each step of the generator runs the model's code: in the span's context too.
        const stepped: AsyncGenerator = {
          next: (...a: [] | [unknown]) => call.run(() => gen.next(...a)),
          return: (v?: unknown) => call.run(() => gen.return(v)),
          throw: (e?: unknown) => call.run(() => gen.throw(e)),
          [Symbol.asyncIterator]() {
            return stepped;
          },
        } as AsyncGenerator;
        return stepped;
      },
    );
  inRun('_generate', false);
  inRun('_streamResponseChunks', true);
  inRun('_streamChatModelEvents', true);
}
