// One assertion set for the Gemini fixture apps of both languages (Node: test/component/inject-node.test.ts,
// Python: test/component/inject-python.test.ts). The apps make the same calls (generate, stream, a chat
// with a tool its SDK calls, a chat stream, an embedding, a token count, a 429), each marked with
// `@call:<name>` on its line; both tracers must write the same spans for them: names, types,
// nesting, inputs and outputs under REST field names, tokens only on model calls, the call site,
// the endpoint every models.* call went to and the chat each chat turn belongs to.
// Traces are read back from a real MLflow through `traces/get` (OTLP-shaped spans).
import assert from 'node:assert/strict';
import type { RecordedCall } from '../fixtures/gemini/standin';
import { markedLine, parsed } from './traceView';
import type { Json, TraceView } from './traceView';

export const usage = (u: Json) => ({ input_tokens: u.promptTokenCount, output_tokens: u.candidatesTokenCount, total_tokens: u.totalTokenCount });
const lastUsage = (call: RecordedCall) => (call.method === 'streamGenerateContent' ? [...call.response].reverse().find((c: Json) => c.usageMetadata)?.usageMetadata : call.response.usageMetadata);
const bodyHas = (c: RecordedCall, text: string) => JSON.stringify(c.body).includes(text);

export interface GenaiApp {
  /** The fixture's absolute path: every span's code.filepath. */
  file: string;
  run: { id: string; name: string; startedAt: string; workspace: string };
  runtime: 'node' | 'python';
  /** Calls beyond the five every app makes (generate, stream, chat, embed, fail). */
  extra: ('chatStream' | 'count')[];
  /** The error class the SDK raised for the 429, as the exception event names it. */
  exceptionType: string;
  /** The stand-in's URL the app called: every models.* span's gemini.api.base_url. */
  standinUrl: string;
}

/** Checks the traces of one run of a Gemini fixture app against what the stand-in saw. */
export function assertGenaiTraces(app: GenaiApp, all: TraceView[], calls: RecordedCall[]): void {
  assert.equal(all.length, 5 + app.extra.length, `one trace per top-level call: ${all.map((t) => t.roots[0]?.name).join(', ')}`);
  const byLine = (name: string) => {
    const line = markedLine(app.file, name);
    const found = all.filter((t) => t.roots[0].attrs['code.lineno'] === line);
    assert.equal(found.length, 1, `one trace at line ${line} (${name}); roots at ${all.map((t) => `${t.roots[0].name}:${t.roots[0].attrs['code.lineno']}`).join(', ')}`);
    return found[0];
  };

  // Where each call went, as the SDK resolved it (for replays): the version the SDK really called.
  const versions = [...new Set(calls.map((c) => c.apiVersion))];
  assert.equal(versions.length, 1, `one API version: ${versions.join(', ')}`);
  assert.match(versions[0], /^v1/);
  for (const t of all) {
    assert.equal(t.roots.length, 1);
    for (const s of t.spans.filter((x) => x.name.startsWith('Models.'))) {
      assert.equal(s.attrs['gemini.api.base_url'], app.standinUrl, `${s.name} gemini.api.base_url`);
      assert.equal(s.attrs['gemini.api.version'], versions[0], `${s.name} gemini.api.version`);
    }
    for (const s of t.spans.filter((x) => !x.name.startsWith('Models.'))) assert.equal(s.attrs['gemini.api.base_url'], undefined, `${s.name}: only models.* spans name the endpoint`);
    assert.equal(t.tags['gemini_trace.run_id'], app.run.id);
    assert.equal(t.tags['gemini_trace.run_name'], app.run.name);
    assert.equal(t.tags['gemini_trace.run_started'], app.run.startedAt);
    assert.equal(t.tags['gemini_trace.workspace'], app.run.workspace);
    assert.equal(t.tags['gemini_trace.runtime'], app.runtime);
    assert.equal(t.tags['mlflow.traceName'], t.roots[0].name);
    for (const s of t.spans) {
      assert.equal(s.attrs['code.filepath'], app.file, `${s.name} code.filepath`);
      assert.equal(s.attrs['code.lineno'], t.roots[0].attrs['code.lineno'], `${s.name} code.lineno`);
      assert.equal(typeof s.attrs['code.function'], 'string');
    }
  }

  // Plain generation: one LLM span with inputs, outputs, config and the stand-in's usage.
  const gen = byLine('generate').roots[0];
  const genCall = calls.find((c) => c.method === 'generateContent' && bodyHas(c, 'Say hello'))!;
  assert.equal(gen.name, 'Models.generateContent');
  assert.equal(gen.attrs['mlflow.spanType'], 'LLM');
  assert.equal(gen.status, 'STATUS_CODE_OK');
  assert.deepEqual(gen.children, [], 'a call without automatic function calling is one span');
  assert.equal(gen.attrs['mlflow.llm.model'], 'gemini-2.5-flash');
  assert.equal(gen.attrs['mlflow.llm.provider'], 'gemini');
  assert.equal(gen.attrs['mlflow.message.format'], 'gemini');
  const genIn = parsed(gen.attrs['mlflow.spanInputs']) as Json;
  assert.equal(genIn.model, 'gemini-2.5-flash');
  assert.match(String(genIn.contents), /^Say hello to /);
  assert.equal(gen.attrs['gen_ai.request.temperature'], (genIn.config as Json).temperature);
  const genOut = parsed(gen.attrs['mlflow.spanOutputs']) as { candidates: { content: { parts: { text?: string; thought?: boolean }[] } }[] };
  const replyPart = genOut.candidates[0].content.parts.find((p) => !p.thought)!;
  assert.equal(replyPart.text, genCall.response.candidates[0].content.parts.find((p: Json) => !p.thought).text);
  const genUsage = parsed(gen.attrs['mlflow.chat.tokenUsage']) as Json;
  assert.deepEqual({ input_tokens: genUsage.input_tokens, output_tokens: genUsage.output_tokens, total_tokens: genUsage.total_tokens }, usage(genCall.response.usageMetadata));
  if (genCall.response.usageMetadata.thoughtsTokenCount) assert.equal(genUsage.thoughts_tokens, genCall.response.usageMetadata.thoughtsTokenCount);

  // Stream: one span over the whole iteration, the assembled text, time to first chunk, usage.
  const st = byLine('stream').roots[0];
  const stCall = calls.find((c) => c.method === 'streamGenerateContent' && bodyHas(c, 'Stream a short'))!;
  assert.equal(st.name, 'Models.generateContentStream');
  assert.equal(st.attrs['mlflow.spanType'], 'LLM');
  const stOut = parsed(st.attrs['mlflow.spanOutputs']) as { candidates: { content: { parts: { text: string }[] } }[] };
  assert.equal(stOut.candidates[0].content.parts[0].text, 'echo: Stream a short answer please');
  assert.ok((st.attrs['gemini_trace.time_to_first_chunk_ms'] as number) > 0, 'time to first chunk recorded');
  assert.equal(st.attrs['gemini_trace.stream_chunks'], stCall.response.length);
  assert.deepEqual(parsed(st.attrs['mlflow.chat.tokenUsage']), usage(lastUsage(stCall)));

  // Chat with automatic function calling: CHAT_MODEL › LLM › [LLM round trip, TOOL, LLM round trip].
  const chatTrace = byLine('chat');
  const chat = chatTrace.roots[0];
  assert.equal(chat.name, 'Chat.sendMessage');
  assert.equal(chat.attrs['mlflow.spanType'], 'CHAT_MODEL');
  assert.match(String((parsed(chat.attrs['mlflow.spanInputs']) as Json).message), /weather in Paris/);
  assert.equal(chat.attrs['mlflow.chat.tokenUsage'], undefined, 'usage only on model-call spans');
  assert.deepEqual(chat.children.map((c) => [c.name, c.attrs['mlflow.spanType']]), [['Models.generateContent', 'LLM']]);
  const op = chat.children[0];
  assert.equal(op.attrs['mlflow.chat.tokenUsage'], undefined, 'usage only on model-call spans');
  assert.deepEqual(op.children.map((c) => [c.name, c.attrs['mlflow.spanType']]), [['Models.generateContentInternal', 'LLM'], ['get_weather', 'TOOL'], ['Models.generateContentInternal', 'LLM']]);
  const tool = op.children[1];
  assert.equal(tool.attrs['gen_ai.tool.name'], 'get_weather');
  assert.deepEqual(parsed(tool.attrs['mlflow.spanInputs']), { city: 'test' });
  assert.deepEqual(parsed(tool.attrs['mlflow.spanOutputs']), { city: 'test', forecast: 'sunny' });
  const chatCalls = calls.filter((c) => c.method === 'generateContent' && bodyHas(c, 'weather in Paris'));
  assert.equal(chatCalls.length, 2);
  assert.deepEqual(parsed(op.children[0].attrs['mlflow.chat.tokenUsage']), usage(chatCalls[0].response.usageMetadata));
  assert.deepEqual(parsed(op.children[2].attrs['mlflow.chat.tokenUsage']), usage(chatCalls[1].response.usageMetadata));
  const round2 = parsed(op.children[2].attrs['mlflow.spanInputs']) as { contents: { parts: Json[] }[] };
  assert.ok(JSON.stringify(round2.contents).includes('"functionResponse"'), 'the second round trip sends the tool result (REST field names)');
  // Each chat's turns carry its id, counted per process: this app makes one chat.
  assert.equal(chatTrace.tags['gemini_trace.chat'], 'chat-1');
  for (const t of all) if (!t.roots[0].name.startsWith('Chat.')) assert.equal(t.tags['gemini_trace.chat'], undefined, `${t.roots[0].name} belongs to no chat`);
  const summed = JSON.parse(chatTrace.metadata['mlflow.trace.tokenUsage']) as Json;
  assert.equal(summed.total_tokens, chatCalls.reduce((n, c) => n + c.response.usageMetadata.totalTokenCount, 0), 'MLflow sums each round trip once');

  // Embedding.
  const emb = byLine('embed').roots[0];
  assert.equal(emb.name, 'Models.embedContent');
  assert.equal(emb.attrs['mlflow.spanType'], 'EMBEDDING');
  assert.equal(emb.attrs['mlflow.llm.model'], 'gemini-embedding-001');
  assert.equal(((parsed(emb.attrs['mlflow.spanOutputs']) as { embeddings: { values: number[] }[] }).embeddings[0].values).length, 8);
  assert.equal(emb.attrs['mlflow.chat.tokenUsage'], undefined);

  // The 429: an ERROR trace with the SDK's message and status.
  const failTrace = byLine('fail');
  const fail = failTrace.roots[0];
  assert.equal(failTrace.state, 'ERROR');
  assert.equal(fail.status, 'STATUS_CODE_ERROR');
  assert.equal(fail.attrs['http.response.status_code'], 429);
  const exception = fail.events.find((e) => e.name === 'exception');
  assert.ok(exception, 'an exception event');
  assert.equal(exception.attrs['exception.type'], app.exceptionType);
  assert.match(String(exception.attrs['exception.message']), /RESOURCE_EXHAUSTED/);

  if (app.extra.includes('chatStream')) {
    assert.equal(byLine('chatStream').tags['gemini_trace.chat'], 'chat-1', 'the same chat\'s next turn');
    const cs = byLine('chatStream').roots[0];
    assert.equal(cs.name, 'Chat.sendMessageStream');
    assert.ok((cs.attrs['gemini_trace.time_to_first_chunk_ms'] as number) > 0);
    assert.equal(cs.children[0].name, 'Models.generateContentStream');
    // The chat has callable tools, so the SDK streams through its AFC loop: one round trip here.
    const rt = cs.children[0].children;
    assert.deepEqual(rt.map((c) => c.name), ['Models.generateContentStreamInternal']);
    const csCall = calls.find((c) => c.method === 'streamGenerateContent' && bodyHas(c, 'And tomorrow'))!;
    assert.deepEqual(parsed(rt[0].attrs['mlflow.chat.tokenUsage']), usage(lastUsage(csCall)));
    assert.equal(cs.attrs['mlflow.chat.tokenUsage'], undefined);
    assert.equal(cs.children[0].attrs['mlflow.chat.tokenUsage'], undefined);
  }
  if (app.extra.includes('count')) {
    const ct = byLine('count').roots[0];
    assert.equal(ct.name, 'Models.countTokens');
    assert.equal((parsed(ct.attrs['mlflow.spanOutputs']) as Json).totalTokens, 4);
    assert.equal(ct.attrs['mlflow.chat.tokenUsage'], undefined, 'counting tokens spends none');
  }
}

/** What no trace may hold when content capture is off (the apps' prompts and replies). */
export function assertNoContent(all: TraceView[], secrets: string[]): void {
  const text = JSON.stringify(all.map((t) => t.spans.map((s) => [s.attrs['mlflow.spanInputs'], s.attrs['mlflow.spanOutputs']])));
  for (const secret of secrets) assert.ok(!text.includes(secret), `"${secret}" must not be recorded`);
}
