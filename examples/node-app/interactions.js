// A Gemini app on the Interactions and Live APIs, for trying Gemini Trace Explorer: a three-turn
// conversation with a function call, built-in tools with thinking, a history kept by hand that
// loses a thought signature (the trace panel warns about it), a background research agent polled
// until it is done, and a Live session that calls a tool. It has no tracing code of its own; run
// it from a launch configuration with "geminiTrace": true and each call becomes a trace in MLflow.
// `@google/genai` resolves from the repository's node_modules (examples/ lives inside the repo).
const { GoogleGenAI, Modality } = require('@google/genai');

const MODEL = process.env.GEMINI_MODEL || 'gemini-3-flash-preview';
const AGENT = process.env.GEMINI_AGENT || 'deep-research-pro-preview-12-2025';
const LIVE_MODEL = process.env.GEMINI_LIVE_MODEL || 'gemini-live-2.5-flash-preview';
const baseUrl = process.env.GOOGLE_GEMINI_BASE_URL;
// On the loopback Gemini stand-in (npm start), [[call:NAME {args}]] asks it for a function call and
// [[run:MS]] sets how long the background run takes; the real API decides by itself.
const offline = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(baseUrl || '');
const hint = (marker) => (offline ? ` ${marker}` : '');

if (!process.env.GEMINI_API_KEY) {
  console.error('Set GEMINI_API_KEY (or GOOGLE_GEMINI_BASE_URL and any key for the local stand-in).');
  process.exit(1);
}
const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY, ...(baseUrl ? { httpOptions: { baseUrl } } : {}) });
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const getWeather = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function weatherIn(city) {
  return { city, celsius: 18, sky: 'clear' };
}

/** Three turns chained by previous_interaction_id: the model asks for get_weather, gets its result, answers a follow-up. */
async function conversation() {
  const first = await ai.interactions.create({
    model: MODEL,
    input: `What is the weather in Paris?${hint('[[call:get_weather {"city":"Paris"}]]')}`,
    tools: [getWeather],
    generation_config: { thinking_level: 'low' },
  });
  const call = first.steps.find((s) => s.type === 'function_call');
  const second = await ai.interactions.create({
    model: MODEL,
    previous_interaction_id: first.id,
    input: call ? [{ type: 'function_result', call_id: call.id, name: call.name, result: weatherIn(call.arguments.city) }] : 'Go on.',
    tools: [getWeather],
  });
  const third = await ai.interactions.create({ model: MODEL, previous_interaction_id: second.id, input: 'And what should I wear tomorrow?' });
  console.log(`conversation: ${third.output_text}`);
}

/** Google Search and code execution, with the model's thinking summarized. */
async function research() {
  const res = await ai.interactions.create({
    model: MODEL,
    input: 'How many words are in the title of the tallest building article? Search, then count with code.',
    tools: [{ type: 'google_search' }, { type: 'code_execution' }],
    generation_config: { thinking_level: 'low', thinking_summaries: 'auto' },
  });
  console.log(`research: ${res.steps.map((s) => s.type).join(', ')}`);
}

/**
 * A history kept by hand (store: false) that sends the model's function call back without the
 * thought step that signed it: Gemini rejects such a turn or answers without its earlier reasoning.
 * The trace panel names the call the signature was dropped from.
 */
async function historyByHand() {
  const question = { type: 'user_input', content: [{ type: 'text', text: `Is it raining in Oslo?${hint('[[call:get_weather {"city":"Oslo"}]]')}` }] };
  const first = await ai.interactions.create({ model: MODEL, store: false, input: [question], tools: [getWeather], generation_config: { thinking_level: 'low' } });
  const call = first.steps.find((s) => s.type === 'function_call');
  if (!call) return;
  const { id, name, arguments: args } = call; // the bug: the thought step before it, and its signature, are left out
  const history = [question, { type: 'function_call', id, name, arguments: args }, { type: 'function_result', call_id: id, name, result: weatherIn(args.city) }];
  const second = await ai.interactions.create({ model: MODEL, store: false, input: history, tools: [getWeather] });
  console.log(`history by hand: ${second.output_text}`);
}

/** A research agent run in the background, polled until it is done. */
async function backgroundAgent() {
  let run = await ai.interactions.create({ agent: AGENT, input: `Compare the three longest rivers of Europe.${hint('[[run:8000]]')}`, background: true });
  while (run.status === 'in_progress' || run.status === 'queued') {
    await sleep(1000);
    run = await ai.interactions.get(run.id);
  }
  console.log(`agent: ${run.status}`);
}

/** A Live session: one typed turn; the model calls lookup_time and answers with its result. */
async function live() {
  let session;
  const done = new Promise((resolve) => {
    const onmessage = (message) => {
      if (message.toolCall) {
        const functionResponses = message.toolCall.functionCalls.map((fc) => ({ id: fc.id, name: fc.name, response: { time: '21:04' } }));
        session.sendToolResponse({ functionResponses });
      }
      if (message.serverContent?.turnComplete) resolve();
    };
    ai.live
      .connect({ model: LIVE_MODEL, config: { responseModalities: [Modality.TEXT], tools: [{ functionDeclarations: [{ name: 'lookup_time', description: 'The time in a city.' }] }] }, callbacks: { onmessage } })
      .then((s) => {
        session = s;
        session.sendClientContent({ turns: `What time is it in Tokyo?${hint('[[call:lookup_time {"city":"Tokyo"}]]')}` });
      });
  });
  await done;
  session.close();
  console.log('live: done');
}

async function main() {
  await conversation();
  await research();
  await historyByHand();
  await backgroundAgent();
  await live();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
