// A small Gemini app for trying Gemini Trace Explorer: one plain call, one streamed call, and a
// chat that calls a function. It has no tracing code of its own; run it from a launch
// configuration with "geminiTrace": true and each call becomes a trace in MLflow.
// `@google/genai` resolves from the repository's node_modules (examples/ lives inside the repo).
const { GoogleGenAI, Type } = require('@google/genai');

const MODEL = process.env.GEMINI_MODEL || 'gemini-2.5-flash';
const baseUrl = process.env.GOOGLE_GEMINI_BASE_URL;
// On the loopback Gemini stand-in (npm start), [[call:NAME]] asks it for a function call; the
// real API decides from the tool declaration alone.
const offline = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(baseUrl || '');

if (!process.env.GEMINI_API_KEY) {
  console.error('Set GEMINI_API_KEY (or GOOGLE_GEMINI_BASE_URL and any key for the local stand-in).');
  process.exit(1);
}
const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY, ...(baseUrl ? { httpOptions: { baseUrl } } : {}) });

const getWeather = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
};

function weatherIn(city) {
  return { city, celsius: 18, sky: 'clear' };
}

async function plainCall() {
  const res = await ai.models.generateContent({ model: MODEL, contents: 'Say in one sentence what a trace is.' });
  console.log(`generateContent: ${res.text}`);
}

async function streamedCall() {
  const stream = await ai.models.generateContentStream({ model: MODEL, contents: 'Write a haiku about reading traces.' });
  let text = '';
  for await (const chunk of stream) text += chunk.text ?? '';
  console.log(`generateContentStream: ${text}`);
}

async function chatWithFunctionCall() {
  const chat = ai.chats.create({ model: MODEL, config: { tools: [{ functionDeclarations: [getWeather] }] } });
  const first = await chat.sendMessage({ message: `What is the weather in Paris?${offline ? ' [[call:get_weather]]' : ''}` });
  const calls = first.functionCalls ?? [];
  if (!calls.length) {
    console.log(`chat: ${first.text}`);
    return;
  }
  const parts = calls.map((c) => ({ functionResponse: { name: c.name, response: weatherIn(c.args?.city ?? 'Paris') } }));
  const answer = await chat.sendMessage({ message: parts });
  console.log(`chat: called ${calls.map((c) => c.name).join(', ')}; answer: ${answer.text}`);
}

async function main() {
  await plainCall();
  await streamedCall();
  await chatWithFunctionCall();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
