// What a traced Interactions / Live app must have left in MLflow, checked span by span against what
// the Gemini stand-in recorded. Written for any tracer: the Node preload's apps
// (test/fixtures/apps/{node-cjs,node-esm,ts-tsx}/interactions.*) and the Python tracer's
// (test/fixtures/apps/python/interactions{,_async}_app.py, `# @call:<name>` markers), one scenario:
//   single      create: model, input [text "Say hello to <label>", a PNG image, 3200 bytes of 16 kHz
//               PCM audio], system_instruction, generation_config {temperature 0.2, thinking_level low}
//   stream      create: "Stream a short answer please", stream: true, read to the end
//   turn1..3    create: "What is the weather in Paris? [[call:get_weather {"city":"Paris"}]]" with a
//               get_weather function tool; then previous_interaction_id + its function_result
//               {forecast: sunny}; then previous_interaction_id + "Thanks! And tomorrow?"
//   tools       create: "Check https://docs.test/owls and count these words" with google_search,
//               url_context, code_execution, file_search and an mcp_server (name weather, an
//               Authorization header "Bearer mcp-secret-token", allowed tool "forecast")
//   structured  create: "Name a city as JSON", response_format with a {city, population} schema
//   agent/poll  create: agent, "Research the history of owls [[run:1500]]", background; get until done
//   agent2/cancel  create: agent, "Research bats [[run:60000]]", background; cancel
//   fail        create: "This call fails [[400]]" (the app catches the error)
//   live/liveSend/liveTool  a Live session (TEXT, a "lookup" function); sendClientContent
//               "Look up owls [[call:lookup {"q":"owls"}]]"; the tool response {answer: "owls are birds"}
//               sent from onmessage; close after turnComplete
// Beside the scenario: the Live edge cases (assertLiveEdges), a background run while it runs
// (assertRunningRun) and once the app stopped watching (assertUnfinishedRun), a history kept by
// hand that drops a thought signature (assertSignatureReplay).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { TAG } from '../../src/shared/runTags';
import { interactionReply } from '../fixtures/gemini/interactionReplies';
import type { RecordedCall } from '../fixtures/gemini/standin';
import { experimentId, inProgressTrace, markedLine, parsed, traces } from './traceView';
import type { Json, SpanView, TraceView } from './traceView';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON read back from MLflow */
type Any = any;

export interface AppRun {
  traces: TraceView[];
  /** The app's source file (its @call markers). */
  file: string;
  /** What the stand-in recorded for this run only. */
  calls: RecordedCall[];
  /** The word in "Say hello to <label>". */
  label: string;
  /** Run tags every trace must carry (gemini_trace.run_id, runtime, …). */
  tags: Record<string, string>;
  capture?: boolean;
}

export const SCENARIO_TRACES = 11;

const a = (s: SpanView, k: string): Any => parsed(s.attrs[k]);
const userText = (c: RecordedCall) => JSON.stringify(c.body?.input ?? '');

/** mlflow.chat.tokenUsage as the contract maps an Interaction's usage. */
export function expectedUsage(u: Any): Json {
  const out: Json = { input_tokens: u.total_input_tokens ?? 0, output_tokens: u.total_output_tokens ?? 0, total_tokens: u.total_tokens };
  if (u.total_cached_tokens !== undefined) out.cache_read_input_tokens = u.total_cached_tokens;
  if (u.total_thought_tokens !== undefined) out.thoughts_tokens = u.total_thought_tokens;
  if (u.total_tool_use_tokens !== undefined) out.tool_use_prompt_tokens = u.total_tool_use_tokens;
  return out;
}

/** The request body as the contract records it: audio/video data as its size, MCP headers masked. */
export function expectedInputs(body: Any): Any {
  return JSON.parse(JSON.stringify(body), (_k, v) => {
    if (v && typeof v === 'object' && (v.type === 'audio' || v.type === 'video') && typeof v.data === 'string') {
      const { data, ...rest } = v;
      const bytes = Buffer.from(data, 'base64').length;
      const rate = Number(/rate=(\d+)/.exec(String(v.mime_type))?.[1]);
      return { ...rest, bytes, ...(rate ? { duration_ms: (bytes / 2 / rate) * 1000 } : {}) };
    }
    if (v && typeof v === 'object' && v.type === 'mcp_server' && v.headers) return { ...v, headers: Object.fromEntries(Object.keys(v.headers).map((h) => [h, '[redacted]'])) };
    return v;
  });
}

/** The content items of a request's `input`: a list of them, or of steps whose user_input steps
 *  hold them (google-genai sends a content list as one user_input step; @google/genai as given). */
const contentItems = (input: Any): Any[] => (Array.isArray(input) ? input.flatMap((c: Any) => (c?.type === 'user_input' && Array.isArray(c.content) ? c.content : [c])) : []);

/** With captureContent false: none of the scenario's prompts, answers, tool arguments or media
 *  bytes in any span's inputs or outputs. */
export function assertContentKeptOut(traces: TraceView[]): void {
  const text = JSON.stringify(traces.map((t) => t.spans.map((s) => [s.attrs['mlflow.spanInputs'], s.attrs['mlflow.spanOutputs']])));
  for (const secret of ['Say hello', 'echo:', 'Answer briefly', 'Paris', 'sunny', 'owls', 'report:', 'iVBOR']) assert.ok(!text.includes(secret), `"${secret}" must not be recorded`);
}

/** Each span's start is the wall clock at millisecond resolution (OpenTelemetry anchors every span
 *  to Date.now()), so spans compare within a couple of milliseconds. */
const SLACK = 2_000_000n;
const within = (outer: SpanView, inner: SpanView) => outer.start <= inner.start + SLACK && inner.end <= outer.end + SLACK;

function one<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `exactly one ${what}, found ${items.length}`);
  return items[0];
}

export function assertInteractionsApp(run: AppRun): void {
  const { traces, file, calls } = run;
  const capture = run.capture ?? true;
  const line = (name: string) => markedLine(file, name);
  const traceAt = (name: string) => one(traces.filter((t) => Number(a(t.roots[0], 'code.lineno')) === line(name)), `trace at @call:${name} (line ${line(name)})`);
  const creates = calls.filter((c) => c.method === 'interactions.create');
  const createWith = (text: string) => one(creates.filter((c) => userText(c).includes(text)), `create with "${text}"`);

  assert.equal(traces.length, SCENARIO_TRACES, `traces: ${traces.map((t) => t.roots[0]?.name).join(', ')}`);
  for (const t of traces) {
    assert.equal(t.roots.length, 1, `one root in ${t.id}`);
    for (const [k, v] of Object.entries(run.tags)) assert.equal(t.tags[k], v, `tag ${k} on ${t.roots[0].name}`);
    assert.equal(t.tags['mlflow.traceName'], t.roots[0].name);
    for (const s of t.spans) {
      assert.equal(a(s, 'code.filepath'), file, `${s.name} code.filepath`);
      assert.equal(typeof a(s, 'code.function'), 'string', `${s.name} code.function`);
      if (a(s, 'mlflow.spanType') !== 'TOOL') assert.equal(a(s, 'mlflow.llm.provider'), 'gemini', `${s.name} provider`);
    }
  }
  const usageSpans = (t: TraceView) => t.spans.filter((s) => s.attrs['mlflow.chat.tokenUsage'] !== undefined);

  /** A model create's trace: one CHAT_MODEL span, inputs, outputs, usage, id, conversation tag. */
  const modelCreate = (name: string, call: RecordedCall, conversation: string) => {
    const t = traceAt(name);
    const s = one(t.spans, `span in ${name}`);
    assert.equal(s.name, 'Interactions.create');
    assert.equal(a(s, 'mlflow.spanType'), 'CHAT_MODEL');
    assert.equal(a(s, 'mlflow.message.format'), 'gemini.interactions');
    assert.equal(a(s, 'mlflow.llm.model'), call.body.model);
    assert.equal(Number(a(s, 'code.lineno')), line(name));
    assert.equal(s.status, 'STATUS_CODE_OK', `${name}: ${s.statusMessage}`);
    assert.equal(t.state, 'OK');
    const response = call.body.stream ? undefined : call.response;
    const id = response?.id ?? call.id;
    assert.equal(a(s, 'gemini.interaction.id'), id);
    assert.equal(a(s, 'gemini.interaction.background'), false);
    assert.equal(t.tags['gemini_trace.conversation'], conversation, `${name}: conversation tag`);
    const expected = interactionReply(call.body);
    assert.equal(a(s, 'gemini.interaction.status'), expected.status);
    if (capture) assert.deepEqual(a(s, 'mlflow.spanInputs'), expectedInputs(call.body), `${name}: inputs`);
    const out = a(s, 'mlflow.spanOutputs');
    assert.equal(out.id, id);
    assert.equal(out.status, expected.status);
    if (capture) assert.deepEqual(out.steps, expectedInputs(expected.steps), `${name}: steps`);
    else assert.deepEqual(out.steps.map((x: Any) => x.type), expected.steps.map((x: Any) => x.type));
    assert.deepEqual(a(s, 'mlflow.chat.tokenUsage'), expectedUsage(expected.usage), `${name}: usage`);
    assert.deepEqual(JSON.parse(t.metadata['mlflow.trace.tokenUsage']), { input_tokens: expected.usage.total_input_tokens, output_tokens: expected.usage.total_output_tokens, total_tokens: expected.usage.total_tokens });
    return { t, s, out, id };
  };

  // Single turn, multimodal: the audio is recorded as its size and duration, never its bytes.
  const single = createWith(`Say hello to ${run.label}`);
  const sv = modelCreate('single', single, single.response.id);
  assert.equal(a(sv.s, 'gen_ai.request.temperature'), 0.2);
  assert.equal(a(sv.s, 'gemini.request.thinking_level'), 'low');
  if (capture) {
    assert.equal(sv.out.output_text, `echo: Say hello to ${run.label}`);
    const audio = contentItems(a(sv.s, 'mlflow.spanInputs').input).find((c: Any) => c.type === 'audio');
    assert.deepEqual(audio, { type: 'audio', mime_type: 'audio/pcm;rate=16000', bytes: 3200, duration_ms: 100 });
  }

  // Stream: one span over the whole stream, assembled into the same steps, time to first delta.
  const stream = createWith('Stream a short answer please');
  const st = modelCreate('stream', stream, stream.id!);
  assert.ok(a(st.s, 'gemini_trace.time_to_first_chunk_ms') > 0, 'time to first step delta');
  assert.equal(a(st.s, 'gemini_trace.stream_events'), stream.response.length);
  const stops = stream.response.filter((e: Any) => e.event_type === 'step.stop');
  // A JSON null comes back from MLflow as an empty value.
  assert.deepEqual(a(st.s, 'gemini.interaction.step_usage').map((x: Any) => x ?? null), stops.map((e: Any) => e.step_usage ?? null));

  // Three turns chained by previous_interaction_id: one conversation, the function call kept.
  const t1 = createWith('weather in Paris');
  const t2 = one(creates.filter((c) => c.body.previous_interaction_id === t1.response.id), 'turn 2');
  const t3 = one(creates.filter((c) => c.body.previous_interaction_id === t2.response.id), 'turn 3');
  const c1 = modelCreate('turn1', t1, t1.response.id);
  const c2 = modelCreate('turn2', t2, t1.response.id);
  modelCreate('turn3', t3, t1.response.id);
  const fc = c1.out.steps.find((x: Any) => x.type === 'function_call');
  assert.equal(fc.name, 'get_weather');
  if (capture) assert.deepEqual(fc.arguments, { city: 'Paris' });
  assert.equal(a(c1.s, 'gemini.interaction.status'), 'requires_action');
  assert.equal(a(c2.s, 'gemini.interaction.previous_id'), t1.response.id);
  assert.deepEqual(a(c1.s, 'mlflow.chat.tools'), [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]);

  // Built-in tools: every call/result step in order; the MCP server's credentials never recorded.
  const toolsCall = createWith('Check https://docs.test/owls');
  const tools = modelCreate('tools', toolsCall, toolsCall.response.id);
  assert.deepEqual(tools.out.steps.map((x: Any) => x.type), ['user_input', 'google_search_call', 'google_search_result', 'url_context_call', 'url_context_result', 'code_execution_call', 'code_execution_result', 'file_search_call', 'file_search_result', 'mcp_server_tool_call', 'mcp_server_tool_result', 'model_output']);
  assert.deepEqual(a(tools.s, 'gemini.request.tools'), ['google_search', 'url_context', 'code_execution', 'file_search', 'mcp_server']);
  assert.ok(!JSON.stringify(tools.t.spans.map((s) => s.attrs)).includes('mcp-secret-token'), 'MCP header value not recorded');

  // Structured output.
  const structuredCall = createWith('Name a city as JSON');
  const structured = modelCreate('structured', structuredCall, structuredCall.response.id);
  if (capture) assert.deepEqual(JSON.parse(structured.out.output_text), { city: 'test', population: 1 });

  // A background agent polled to completion: one trace, root from create until the finished poll.
  const agentCall = createWith('history of owls');
  const agentId = agentCall.response.id;
  const polls = calls.filter((c) => c.method === 'interactions.get' && c.id === agentId);
  const ag = traceAt('agent');
  assert.equal(ag.state, 'OK');
  const root = ag.roots[0];
  assert.equal(root.name, 'Interactions.background');
  assert.equal(a(root, 'mlflow.spanType'), 'AGENT');
  assert.equal(a(root, 'gemini.agent'), agentCall.body.agent);
  assert.equal(a(root, 'gemini.interaction.status'), 'completed');
  assert.equal(a(root, 'gemini.interaction.background'), true);
  assert.equal(ag.tags['gemini_trace.conversation'], agentId);
  assert.deepEqual(root.children.map((s) => [s.name, a(s, 'mlflow.spanType'), Number(a(s, 'code.lineno'))]), [
    ['Interactions.create', 'AGENT', line('agent')],
    ...polls.map(() => ['Interactions.get', 'AGENT', line('poll')]),
  ]);
  assert.deepEqual(root.children.map((s) => a(s, 'gemini.interaction.status')), ['in_progress', ...polls.map((p) => p.response.status)]);
  const finalPoll = polls[polls.length - 1].response;
  assert.equal(finalPoll.status, 'completed');
  assert.deepEqual(usageSpans(ag).map((s) => s.id), [root.children[root.children.length - 1].id], 'usage once, on the poll that saw it complete');
  assert.deepEqual(a(root.children[root.children.length - 1], 'mlflow.chat.tokenUsage'), expectedUsage(finalPoll.usage));
  if (capture) assert.deepEqual(a(root, 'mlflow.spanOutputs').steps, finalPoll.steps);
  assert.ok(within(root, root.children[0]) && within(root, root.children[root.children.length - 1]), 'the root spans the whole run');

  // A background agent cancelled: the cancel call is fine, the run ended as an error.
  const doomed = createWith('Research bats');
  const cx = traceAt('agent2');
  assert.equal(cx.state, 'ERROR');
  assert.equal(cx.roots[0].status, 'STATUS_CODE_ERROR');
  assert.match(cx.roots[0].statusMessage, /cancelled/);
  assert.deepEqual(cx.roots[0].children.map((s) => [s.name, a(s, 'mlflow.spanType'), s.status, Number(a(s, 'code.lineno'))]), [
    ['Interactions.create', 'AGENT', 'STATUS_CODE_OK', line('agent2')],
    ['Interactions.cancel', 'UNKNOWN', 'STATUS_CODE_OK', line('cancel')],
  ]);
  assert.equal(a(cx.roots[0].children[1], 'gemini.interaction.id'), doomed.response.id);

  // The failing call: ERROR with the API's message and the HTTP status.
  const fail = traceAt('fail');
  assert.equal(fail.state, 'ERROR');
  assert.equal(fail.roots[0].status, 'STATUS_CODE_ERROR');
  assert.equal(Number(a(fail.roots[0], 'http.response.status_code')), 400);
  assert.match(fail.roots[0].statusMessage, /invalid argument/);
  assert.ok(fail.roots[0].events.some((e) => e.name === 'exception'), 'an exception event');

  // The Live session: one trace, a turn, the tool call inside it, the turn's usage.
  const liveCall = one(calls.filter((c) => c.method === 'live'), 'live session');
  const lv = traceAt('live');
  const session = lv.roots[0];
  assert.equal(session.name, 'Live.session');
  assert.equal(a(session, 'mlflow.spanType'), 'CHAIN');
  assert.equal(a(session, 'gemini.live.session_id'), liveCall.id);
  assert.equal(session.attrs['mlflow.chat.tokenUsage'], undefined);
  const sessionOut = a(session, 'mlflow.spanOutputs');
  assert.equal(sessionOut.ended_by, 'client');
  assert.equal(sessionOut.turns, 1);
  const turn = one(session.children, 'turn');
  assert.equal(turn.name, 'Live.turn');
  assert.equal(a(turn, 'mlflow.spanType'), 'CHAT_MODEL');
  assert.equal(a(turn, 'mlflow.message.format'), 'gemini.live');
  assert.equal(a(turn, 'gemini.live.session_id'), liveCall.id, 'a turn names its session, as its root does');
  assert.equal(Number(a(turn, 'code.lineno')), line('liveSend'));
  const serverUsage = liveCall.response.find((m: Any) => m.usageMetadata).usageMetadata;
  assert.deepEqual(a(turn, 'mlflow.chat.tokenUsage'), { input_tokens: serverUsage.promptTokenCount, output_tokens: serverUsage.responseTokenCount, total_tokens: serverUsage.totalTokenCount });
  assert.deepEqual(sessionOut.usage, a(turn, 'mlflow.chat.tokenUsage'));
  const turnOut = a(turn, 'mlflow.spanOutputs');
  assert.equal(turnOut.turn_complete, true);
  assert.equal(turnOut.interrupted, false);
  const turnIn = a(turn, 'mlflow.spanInputs');
  assert.deepEqual(turnIn.messages.map((m: Any) => Object.keys(m)[0]), ['clientContent', 'toolResponse']);
  assert.deepEqual(turnOut.messages.map((m: Any) => Object.keys(m)).flat().filter((k: string) => k !== 'serverContent'), ['toolCall', 'usageMetadata']);
  const tool = one(turn.children, 'tool span');
  assert.equal(tool.name, 'lookup');
  assert.equal(a(tool, 'mlflow.spanType'), 'TOOL');
  assert.equal(a(tool, 'gen_ai.tool.call.id'), liveCall.response.find((m: Any) => m.toolCall).toolCall.functionCalls[0].id);
  assert.equal(Number(a(tool, 'code.lineno')), line('liveSend'));
  if (capture) {
    assert.equal(turnOut.text, `lookup returned ${JSON.stringify({ answer: 'owls are birds' })}`);
    assert.deepEqual(a(tool, 'mlflow.spanInputs'), { q: 'owls' });
    assert.deepEqual(a(tool, 'mlflow.spanOutputs'), { answer: 'owls are birds' });
  }
  assert.ok(within(turn, tool), 'the tool span lies inside its turn');
}

/** The Live edge cases every language's live-edges app makes (node-cjs/live-edges.cjs,
 *  python/live_edges.py), in order: an audio turn with transcriptions the server interrupts, a
 *  session the server ends with goAway, one it closes with 1011, one still open at exit. Every
 *  session opens at `@call:connect`, the audio turn at `@call:audioSend`. */
export function assertLiveEdges(traces: TraceView[], file: string): void {
  assert.equal(traces.length, 4);
  const [audio, away, broken, left] = traces;
  for (const t of traces) {
    assert.equal(t.roots[0].name, 'Live.session');
    assert.equal(Number(a(t.roots[0], 'code.lineno')), markedLine(file, 'connect'));
    const session = a(t.roots[0], 'gemini.live.session_id');
    assert.ok(session, 'the session id from setupComplete');
    for (const turn of t.roots[0].children) assert.equal(a(turn, 'gemini.live.session_id'), session, 'a turn names its session, as its root does');
  }
  const out = (t: TraceView) => a(t.roots[0], 'mlflow.spanOutputs');
  assert.ok(!JSON.stringify(audio.spans.map((s) => s.attrs)).includes('"data"'), 'no audio bytes anywhere');
  const turn = audio.roots[0].children[0];
  assert.equal(Number(a(turn, 'code.lineno')), markedLine(file, 'audioSend'));
  assert.deepEqual(a(turn, 'mlflow.spanInputs').messages, [
    { realtimeInput: { audio: { mimeType: 'audio/pcm;rate=16000', bytes: 12800, durationMs: 400, chunks: 4 } } },
    { realtimeInput: { text: 'Please stop me [[interrupt]]' } },
  ]);
  const turnOut = a(turn, 'mlflow.spanOutputs');
  assert.equal(turnOut.interrupted, true);
  assert.equal(turnOut.turn_complete, true);
  assert.equal(turnOut.text, '');
  assert.equal(turnOut.output_transcription, 'echo: Please ');
  assert.deepEqual(turnOut.messages[0], { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', bytes: 4800, durationMs: 100 } }] }, outputTranscription: { text: 'echo: Please ' } } });
  assert.deepEqual(turnOut.messages[1], { serverContent: { interrupted: true } });
  assert.deepEqual([out(audio).ended_by, audio.state], ['client', 'OK']);
  assert.deepEqual([out(away).ended_by, out(away).close_code, out(away).go_away, away.state], ['server', 1000, { timeLeft: '0s' }, 'OK']);
  assert.deepEqual([out(broken).ended_by, out(broken).close_code, broken.state], ['server', 1011, 'ERROR']);
  assert.match(broken.roots[0].statusMessage, /code 1011/);
  assert.deepEqual([out(left).ended_by, out(left).turns, left.state], ['exit', 1, 'OK']);
  assert.ok(a(left.roots[0].children[0], 'mlflow.chat.tokenUsage').total_tokens > 0);
}

/** A background agent the app stopped watching (interactions-exit.cjs / interactions_exit.py in
 *  leave or exit mode): its trace exported with the last status seen, tagged unfinished. */
export function assertUnfinishedRun(t: TraceView, file: string, runId: string): void {
  const rootSpan = t.roots[0];
  assert.equal(rootSpan.name, 'Interactions.background');
  assert.equal(t.tags['gemini_trace.unfinished'], 'true');
  assert.ok(['', 'STATUS_CODE_UNSET'].includes(rootSpan.status), `outcome unknown, neither OK nor ERROR: ${rootSpan.status}`);
  assert.equal(t.state, 'OK', 'MLflow records a root with no status as OK');
  assert.equal(a(rootSpan, 'gemini.interaction.status'), 'in_progress', 'the last status the app saw');
  assert.equal(a(rootSpan, 'gemini.interaction.id'), runId);
  assert.deepEqual(rootSpan.children.map((s) => [s.name, s.status, Number(a(s, 'code.lineno'))]), [['Interactions.create', 'STATUS_CODE_OK', markedLine(file, 'start')], ['Interactions.get', 'STATUS_CODE_OK', markedLine(file, 'poll')]]);
  assert.equal(t.spans.filter((s) => s.attrs['mlflow.chat.tokenUsage'] !== undefined).length, 0);
}

/** A background agent's trace while it runs (interactions-exit.cjs / interactions_exit.py in watch
 *  mode), found by its run tag: MLflow holds it IN_PROGRESS, its children without their root, and
 *  lists it named and with its conversation, set over REST while the root is open. */
export function assertRunningRun(seen: TraceView | undefined, runtime: 'node' | 'python'): asserts seen is TraceView {
  assert.ok(seen, 'the trace showed as IN_PROGRESS, found by its run tag and named, while the agent ran');
  assert.equal(seen.tags[TAG.runtime], runtime);
  assert.equal(seen.tags['mlflow.traceName'], 'Interactions.background');
  assert.match(String(seen.tags['gemini_trace.conversation']), /^interaction-\d+$/);
  assert.ok(seen.spans.length >= 1 && seen.spans.every((s) => s.name !== 'Interactions.background'), 'the children, without their root yet');
}

/** An app that keeps the history itself (interactions-replay.cjs / interactions_replay.py): asked
 *  at `@call:ask`, the history sent back whole at `@call:kept` and rebuilt without the thought
 *  signature at `@call:dropped`. Only the last create is marked, with the step and the
 *  interaction that signed it. */
export function assertSignatureReplay(traces: TraceView[], file: string): void {
  assert.equal(traces.length, 3);
  const at = (name: string) => one(traces.filter((t) => Number(a(t.roots[0], 'code.lineno')) === markedLine(file, name)), `trace at @call:${name}`).roots[0];
  const ask = at('ask');
  const call = a(ask, 'mlflow.spanOutputs').steps.find((s: Any) => s.type === 'function_call');
  assert.equal(a(ask, 'gemini.interaction.dropped_signatures'), undefined);
  assert.equal(a(at('kept'), 'gemini.interaction.dropped_signatures'), undefined, 'the history sent back whole drops nothing');
  assert.deepEqual(a(at('dropped'), 'gemini.interaction.dropped_signatures'), [{ step: 'function_call lookup_order', id: call.id, interaction: a(ask, 'gemini.interaction.id') }]);
}

/** A background agent watched to its end (interactions-exit.cjs / interactions_exit.py in watch
 *  mode, already spawned as `child`): seen IN_PROGRESS while the app runs (its agent runs 4 s from
 *  the create; watched for as long as the app runs, since a loaded machine may take seconds to
 *  start it), then the same trace OK and completed once the app saw it finish. */
export async function assertWatchedRun(child: ChildProcess, experiment: string, runId: string, runtime: 'node' | 'python'): Promise<TraceView> {
  let running = true;
  const exited = new Promise<number | null>((done) => child.on('close', (code) => { running = false; done(code); }));
  const seen = await inProgressTrace(experiment, runId, () => running, ['mlflow.traceName', 'gemini_trace.conversation']);
  assertRunningRun(seen, runtime);
  assert.equal(await exited, 0);
  const [done] = await traces(await experimentId(experiment), 1, 20_000, { settled: true });
  assert.equal(done.id, seen.id);
  assert.equal(done.state, 'OK');
  assert.equal(done.roots[0].name, 'Interactions.background');
  assert.equal(a(done.roots[0], 'gemini.interaction.status'), 'completed');
  assert.equal(done.tags['gemini_trace.unfinished'], undefined);
  return done;
}
