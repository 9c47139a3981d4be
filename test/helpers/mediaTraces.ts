// Real traces of issue 15's calls: test/fixtures/apps/media/app.cjs run under the real Node preload
// (built privately) against the Gemini stand-in, written to a real MLflow, and read back with the
// product's own client and normaliser. One run per test process, shared by the files that use it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient } from '../../src/mlflow/client';
import { isTraceError, normalizeTrace } from '../../src/model/normalize';
import type { Trace } from '../../src/model/types';
import { faultApps, tracedEnv } from '../fixtures/apps/faults/harness';
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

export const IMAGE_IN = { width: 64, height: 40 };
const app = join(faultApps, '..', 'media', 'app.cjs');

let shared: Promise<MediaTraces> | undefined;

export function mediaTraces(): Promise<MediaTraces> {
  shared ??= run();
  return shared;
}

async function run(): Promise<MediaTraces> {
  const base = await mlflowUrl();
  const distDir = join(mkdtempSync(join(tmpdir(), 'gt-media-')), 'dist');
  const { buildNodeInject } = await import('../../scripts/lib/node-inject.mjs');
  await buildNodeInject(distDir);
  const standin = await startStandin();
  const experiment = uniqueName('media');
  const imageIn = makePng(IMAGE_IN.width, IMAGE_IN.height, 7);
  let apiVersion = '';
  try {
    const env = tracedEnv({ runtime: 'node', distDir, trackingUri: base, experiment, standinUrl: standin.url, extra: { GT_MEDIA_IMAGE: imageIn.toString('base64') } });
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, [app], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    if (out.code !== 0) throw new Error(`the media app failed (${out.code}):\n${out.stdout}\n${out.stderr}`);
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
