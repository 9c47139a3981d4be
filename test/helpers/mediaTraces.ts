// Real traces of issue 15's calls: test/fixtures/apps/media/app.cjs run under the real Node preload
// (built privately), or its twin app.py under the Python tracer (in the google-genai app venv),
// against the Gemini stand-in, written to a real MLflow, and read back with the product's own client
// and normaliser. One run per runtime and test process, shared by the files that use it; one
// assertion set for both runtimes' traces (assertMediaApp).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient } from '../../src/mlflow/client';
import { readModelCall } from '../../src/model/adapters/read';
import { spanCalls } from '../../src/model/adapters/spanCalls';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import { GEMINI_ATTR, GEMINI_TAG } from '../../src/shared/runTags';
import type { Trace } from '../../src/model/types';
import { faultApps, root, tracedEnv } from '../fixtures/apps/faults/harness';
import { makePng } from '../fixtures/gemini/richReplies';
import { startStandin } from '../fixtures/gemini/standin';
import { mlflowUrl, uniqueName } from './mlflow';

export const CALLS = ['grounded', 'image', 'big', 'audio', 'schema', 'turn1', 'turn2', 'chatA1', 'chatB1', 'chatA2', 'chatB2'] as const;
export type CallName = (typeof CALLS)[number];

export interface MediaTraces {
  mlflowUrl: string;
  experimentId: string;
  experiment: string;
  /** Trace per call, in call order. */
  traces: Record<CallName, Trace>;
  /** The image the app sent (the stand-in's answer image is richReplies.IMAGE_OUT). */
  imageIn: Buffer;
  /** The stand-in's URL the app called (the spans record it as gemini.api.base_url). */
  standinUrl: string;
  /** The API version in the paths the SDK called (its default: v1 in @google/genai 3.1). */
  apiVersion: string;
}

export type MediaRuntime = 'node' | 'python';

export const IMAGE_IN = { width: 64, height: 40 };
const apps = join(faultApps, '..', 'media');

const shared = new Map<MediaRuntime, Promise<MediaTraces>>();

export function mediaTraces(runtime: MediaRuntime = 'node'): Promise<MediaTraces> {
  if (!shared.has(runtime)) shared.set(runtime, run(runtime));
  return shared.get(runtime)!;
}

/** The command that runs the media app under `runtime`, and the preload's dist folder (Node's, built privately). */
async function command(runtime: MediaRuntime): Promise<{ cmd: string; app: string; distDir: string }> {
  if (runtime === 'python') {
    const { ensureAppVenv } = await import('../../scripts/lib/python.mjs');
    return { cmd: ensureAppVenv('genai'), app: join(apps, 'app.py'), distDir: join(root, 'dist') };
  }
  const distDir = join(mkdtempSync(join(tmpdir(), 'gt-media-')), 'dist');
  const { buildNodeInject } = await import('../../scripts/lib/node-inject.mjs');
  await buildNodeInject(distDir);
  return { cmd: process.execPath, app: join(apps, 'app.cjs'), distDir };
}

async function run(runtime: MediaRuntime): Promise<MediaTraces> {
  const base = await mlflowUrl();
  const { cmd, app, distDir } = await command(runtime);
  const standin = await startStandin();
  const experiment = uniqueName(`media-${runtime}`);
  const imageIn = makePng(IMAGE_IN.width, IMAGE_IN.height, 7);
  let apiVersion = '';
  try {
    const env = tracedEnv({ runtime, distDir, trackingUri: base, experiment, standinUrl: standin.url, extra: { GT_MEDIA_IMAGE: imageIn.toString('base64') } });
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(cmd, [app], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    if (out.code !== 0) throw new Error(`the ${runtime} media app failed (${out.code}):\n${out.stdout}\n${out.stderr}`);
    apiVersion = standin.calls[0]?.apiVersion ?? '';
  } finally {
    await standin.close();
  }
  const client = new MlflowClient({ trackingUri: base });
  let exp: string | undefined;
  let infos: Awaited<ReturnType<MlflowClient['searchTraces']>>['traces'] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    exp ??= (await client.getExperimentByName(experiment))?.experiment_id;
    if (exp) infos = (await client.searchTraces({ experimentIds: [exp], maxResults: 100, orderBy: ['timestamp_ms ASC'] })).traces;
    if (infos.length >= CALLS.length) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!exp || infos.length !== CALLS.length) throw new Error(`expected ${CALLS.length} traces in ${experiment}, found ${infos.length}`);
  const traces = {} as Record<CallName, Trace>;
  for (let i = 0; i < CALLS.length; i++) {
    const full = await client.getTrace(infos[i].trace_id);
    const t = normalizeTrace({ info: full.info, spans: full.data.spans });
    if (isTraceError(t)) throw new Error(t.error);
    traces[CALLS[i]] = t;
  }
  return { mlflowUrl: base, experimentId: exp, experiment, traces, imageIn, standinUrl: standin.url, apiVersion };
}

/** What both runtimes' tracers must have written for the media app: the big image as metadata, the
 *  small one whole, each chat's turns tagged apart, the endpoint every call went to (for replays). */
export function assertMediaApp(m: MediaTraces): void {
  const big = spanCalls(m.traces.big)[0].call.request[0].parts[1];
  assert.equal(big.kind, 'media');
  assert.ok(big.kind === 'media' && big.elided && !big.data && big.bytes === m.imageIn.length + 3 * 1024 * 1024, `the big image as metadata: ${JSON.stringify(big)}`);
  const elided = JSON.stringify(m.traces.big.spans[0].inputs);
  assert.ok(elided.includes('"gemini_trace_elided":"over the 2 MB per-part limit"'), 'the reason, worded as the contract words it');
  const small = spanCalls(m.traces.image)[0].call.request[0].parts[1];
  assert.ok(small.kind === 'media' && small.data && small.bytes === m.imageIn.length, 'a small image is kept whole');
  const chatOf = (k: 'chatA1' | 'chatA2' | 'chatB1' | 'chatB2') => m.traces[k].summary.tags[GEMINI_TAG.chat];
  assert.equal(chatOf('chatA1'), chatOf('chatA2'));
  assert.equal(chatOf('chatB1'), chatOf('chatB2'));
  assert.deepEqual([chatOf('chatA1'), chatOf('chatB1')], ['chat-1', 'chat-2'], 'chats numbered from 1 in the order the app made them');
  for (const k of ['grounded', 'image', 'big', 'audio', 'schema', 'turn1', 'turn2'] as const) assert.equal(m.traces[k].summary.tags[GEMINI_TAG.chat], undefined, `${k}: a plain call belongs to no chat`);
  for (const t of Object.values(m.traces)) {
    for (const span of t.spans.filter((s) => s.name.startsWith('Models.'))) {
      assert.equal(span.attributes[GEMINI_ATTR.baseUrl], m.standinUrl, `${span.name} base URL`);
      assert.equal(span.attributes[GEMINI_ATTR.apiVersion], m.apiVersion, 'the version the SDK really called');
    }
  }
  assert.match(m.apiVersion, /^v1/);
  assert.ok(readModelCall(m.traces.grounded.spans[0]));
}
