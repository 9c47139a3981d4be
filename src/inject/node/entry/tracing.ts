// The tracing machinery of the Node preload (dist/inject/node/tracing.cjs), started by preload.cjs
// (entry/preload.ts) when the app first loads a package it traces, first uses a `GoogleGenAI`
// client or a framework's global hook, never at start: a process that never reaches Gemini never
// loads this file.
//
// Within it the stages stay lazy (esbuild keeps a lazy `require` lazy: the module's code runs on
// that call): the module hooks (instrumentation.ts, with each framework's hook definition) now;
// for a client, the wrappers of its methods (client.ts and what it imports); on the first traced
// call, the OpenTelemetry SDK and the exporter (tracer.ts, from calls.ts). A hook module keeps this
// so: it imports nothing heavy at its top (not calls.ts' tracer, not the SDK) and requires its
// wrappers when the package it hooks loads.
import { isMainThread, parentPort } from 'node:worker_threads';
import type * as Client from '../client';
import { ignoreFile } from '../callsite';
import { setRuntime } from '../calls';
import type { PreloadConfig } from '../config';
import { integration } from '../frameworks/aiSdk7';
import { wrapGenkitProvider } from '../frameworks/genkit';
import { GeminiInstrumentation } from './instrumentation';

/** What the start-up hands over. */
export interface Boot {
  version: string;
  cfg: PreloadConfig;
  /** Our own bundles: their frames are never the user's call site. */
  files: string[];
}

/** What the start-up's global hooks (frameworks/globalHooks.ts) stand for. */
export interface Tracing {
  aiSdkIntegration: Record<string, unknown>;
  wrapGenkitProvider: typeof wrapGenkitProvider;
  /** Wraps one `GoogleGenAI` client (lazyGenAI.ts hands each over). */
  instrumentClient: (client: object) => void;
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
export function activate(boot: Boot): Tracing | undefined {
  // Node also runs --require preloads in its module-loader thread (a worker with no parentPort,
  // where the ESM hooks live): nothing to trace there. A user's Worker has a parentPort.
  if (!isMainThread && !parentPort) return undefined;
  for (const f of boot.files) ignoreFile(f);

  // One line per kind of trouble (MLflow unreachable, outbox full), so stderr gets a note, not a flood.
  const warned = new Set<string>();
  const warn = (line: string, key = 'mlflow') => {
    if (warned.has(key)) return;
    warned.add(key);
    try {
      process.stderr.write(`${line}\n`);
    } catch {
      /* stderr closed: nothing to do */
    }
  };
  setRuntime({ cfg: boot.cfg, warn });
  new GeminiInstrumentation(boot.version);
  return { aiSdkIntegration: integration, wrapGenkitProvider, instrumentClient: (client) => (require('../client') as typeof Client).instrumentClient(client) };
}
/* eslint-enable @typescript-eslint/no-require-imports */
