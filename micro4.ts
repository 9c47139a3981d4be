import { setRuntime } from './src/inject/node/calls';
import { instrumentClient } from './src/inject/node/client';
import { readConfig } from './src/inject/node/config';
import { interactionReply } from './test/fixtures/gemini/interactionReplies';
setRuntime({ cfg: readConfig({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:5557', MLFLOW_EXPERIMENT_NAME: 'micro4' }), warn: () => {} });
const body = { model: 'gemini-3-flash-preview', input: 'benchmark call number 12', generation_config: { temperature: 0.5 } };
const r = interactionReply(body);
let n = 0;
const fakeInteraction = () => ({ id: `interaction-${++n}`, object: 'interaction', status: r.status, model: body.model, created: 'x', updated: 'y', steps: r.steps, usage: { ...r.usage }, sdkHttpResponse: { headers: {} }, output_text: 'echo' });
const gen = { candidates: [{ content: { role: 'model', parts: [{ text: 'echo: benchmark call number 12' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 5, totalTokenCount: 9 }, modelVersion: 'gemini-2.5-flash', responseId: 'x' };
class Interactions { async create(_p: unknown) { return fakeInteraction(); } }
class Client { models = { generateContent: async (_p: unknown) => gen }; private _i?: Interactions; get interactions() { return (this._i ??= new Interactions()); } }
const plain = new Client();
const traced = new Client();
instrumentClient(traced);
async function time(label: string, f: () => Promise<unknown>, n = 20000) {
  for (let i = 0; i < 2000; i++) await f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  return ((performance.now() - t0) / n) * 1000;
}
(async () => {
  const base = await time('plain', () => plain.interactions.create(body));
  const ti = await time('traced interactions', () => traced.interactions.create(body));
  const g0 = await time('plain gen', () => plain.models.generateContent({ model: 'm', contents: 'benchmark call number 12', config: { temperature: 0.5 } }));
  const tg = await time('traced gen', () => traced.models.generateContent({ model: 'm', contents: 'benchmark call number 12', config: { temperature: 0.5 } }));
  console.log(`interactions.create added ${(ti - base).toFixed(1)} µs; generateContent added ${(tg - g0).toFixed(1)} µs`);
  process.exit(0);
})();
