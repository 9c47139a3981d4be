// The Node preload (dist/inject/node/preload.cjs), loaded into the user's process with
// `NODE_OPTIONS=--require <preload> --import <esm-hook>` (src/launch/env.ts). It hooks the packages
// a Gemini app reaches Gemini through as they load (hooked.ts: @google/genai, the legacy SDK,
// openai, the AI SDK 6, LangChain, Genkit) and leaves a global hook for the frameworks that offer
// one (the AI SDK 7's telemetry integrations, Genkit's telemetry provider). Nothing of a
// framework's runs unless the app loads it; all tracing machinery is built on the first traced call.
//
// Once per process: a guard on globalThis and on `process` (shared by every realm of a thread)
// keeps a second copy (another install, a second --require) from tracing twice. Child processes
// inherit NODE_OPTIONS and are traced once each; worker threads are their own JS realm with their
// own guard, so Gemini calls made in a worker are traced by that worker's copy.
// GEMINI_TRACE_ACTIVE=0 turns it off while leaving NODE_OPTIONS alone.
//
// Only type imports at the top: the modules themselves (OpenTelemetry among them) are required
// inside start(), so that anything they throw while initialising lands in its try/catch and the
// app starts untraced instead of crashing.
//
// Loaded in three stages, each only when needed (esbuild keeps a lazy `require` lazy: the module's
// code runs on that call):
// 1. at start: the configuration, the module hooks (instrumentation.ts, with each framework's hook
//    definition) and the global hooks of the AI SDK 7 and Genkit, nothing more;
// 2. when the app makes a client: the wrappers of its methods (client.ts and what it imports);
// 3. on the first traced call: the OpenTelemetry SDK and the exporter (tracer.ts, from calls.ts),
//    and on the first export the OTLP serializer (exporter.ts).
// A hook module keeps this so: it imports nothing heavy at its top (not calls.ts' tracer, not the
// SDK) and requires its wrappers when the package it hooks loads.
import { dirname } from 'node:path';
import { isMainThread, parentPort } from 'node:worker_threads';
import type * as Callsite from '../callsite';
import type * as Calls from '../calls';
import type * as Client from '../client';
import type * as Config from '../config';
import type * as AiSdk7 from '../frameworks/aiSdk7';
import type * as Genkit from '../frameworks/genkit';
import type * as Instrumentation from './instrumentation';

// The extension's version, from package.json at build time (scripts/lib/node-inject.mjs).
declare const GEMINI_TRACE_VERSION: string;
const VERSION = typeof GEMINI_TRACE_VERSION === 'string' ? GEMINI_TRACE_VERSION : '0.0.0-dev';
const GUARD = Symbol.for('gemini-trace.node.preload');

type Guarded = { [GUARD]?: { version: string; file: string } };

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
function start(): void {
  // Node also runs --require preloads in its module-loader thread (a worker with no parentPort,
  // where the ESM hooks live): nothing to trace there. A user's Worker has a parentPort.
  if (!isMainThread && !parentPort) return;
  const { readConfig, tracingDisabled } = require('../config') as typeof Config;
  const g = globalThis as Guarded;
  const proc = process as unknown as Guarded;
  if (g[GUARD] || proc[GUARD] || tracingDisabled()) return;
  const marker = { version: VERSION, file: __filename };
  Object.defineProperty(g, GUARD, { value: marker, enumerable: false });
  Object.defineProperty(proc, GUARD, { value: marker, enumerable: false });

  const { ignoreFile } = require('../callsite') as typeof Callsite;
  const { setRuntime } = require('../calls') as typeof Calls;
  const { GeminiInstrumentation } = require('./instrumentation') as typeof Instrumentation;

  // Frames in our own bundles (preload.cjs, esm-hook.mjs) are never the user's call site.
  ignoreFile(__filename);
  for (const f of ['preload.cjs', 'esm-hook.mjs', 'esm-loader.mjs']) ignoreFile(`${dirname(__filename)}/${f}`);

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
  setRuntime({ cfg: readConfig(), warn });
  new GeminiInstrumentation(VERSION, (client) => (require('../client') as typeof Client).instrumentClient(client));
  // Frameworks that offer a global hook instead of a module to patch: nothing of ours runs until
  // the app's framework calls it.
  (require('../frameworks/aiSdk7') as typeof AiSdk7).installAiSdkIntegration();
  (require('../frameworks/genkit') as typeof Genkit).watchGenkit();
}
/* eslint-enable @typescript-eslint/no-require-imports */

try {
  start();
} catch {
  // Tracing is best effort: the app must start exactly as it would without us.
}
