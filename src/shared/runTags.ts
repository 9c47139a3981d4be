// The contract between the injection (Node preload, Python tracer, CLI) and the explorer: the
// environment variables the extension sets in a traced process, and the trace tags and span
// attributes those processes write. Changing a name here changes it everywhere.

export const ENV = {
  /** Set by the injector; the Node preload and the Python tracer refuse to run twice when they see it marked active. */
  active: 'GEMINI_TRACE_ACTIVE',
  runId: 'GEMINI_TRACE_RUN_ID',
  runName: 'GEMINI_TRACE_RUN_NAME',
  /** ISO 8601 time the run started. */
  runStarted: 'GEMINI_TRACE_RUN_STARTED',
  workspace: 'GEMINI_TRACE_WORKSPACE',
  /** "false" keeps prompts and responses out of traces. */
  captureContent: 'GEMINI_TRACE_CAPTURE_CONTENT',
  /** A file the injector rewrites (its text: the time in ms) after each upload MLflow accepted, so
   *  the Traces view asks MLflow for new traces when there are some instead of on every tick. */
  signal: 'GEMINI_TRACE_SIGNAL',
  trackingUri: 'MLFLOW_TRACKING_URI',
  experimentName: 'MLFLOW_EXPERIMENT_NAME',
  experimentId: 'MLFLOW_EXPERIMENT_ID',
} as const;

/** Trace tags every traced run writes, so the explorer can group "this run". */
export const TAG = {
  runId: 'gemini_trace.run_id',
  runName: 'gemini_trace.run_name',
  runStarted: 'gemini_trace.run_started',
  workspace: 'gemini_trace.workspace',
  /** "node" | "python" */
  runtime: 'gemini_trace.runtime',
} as const;

/** OTel semantic-convention attributes for the user's call site, on Gemini spans. */
export const CODE_ATTR = {
  filepath: 'code.filepath',
  lineno: 'code.lineno',
  function: 'code.function',
} as const;

/** Extra span attributes the Node preload writes beyond MLflow's own. */
export const GT_ATTR = {
  timeToFirstChunkMs: 'gemini_trace.time_to_first_chunk_ms',
  /** Events a streamed interaction delivered. */
  streamEvents: 'gemini_trace.stream_events',
  /** The app stopped reading a stream before its end. */
  streamClosedEarly: 'gemini_trace.stream_closed_early',
  /** An event of a streamed interaction could not be read: the output holds what came before. */
  streamUnparsed: 'gemini_trace.stream_unparsed',
  /** The app passed the stream to tee / pipeTo / pipeThrough, which read it out of the tracer's sight. */
  streamHandedOn: 'gemini_trace.stream_handed_on',
  /** The package whose call or step a span records, when it is not the Gemini SDK itself:
   *  `@google/generative-ai`, `openai`, `ai` (Vercel AI SDK), `langchain`, `genkit` (Python:
   *  `google-adk`, `langchain`, `openai`). Both tracers write the same names. */
  library: 'gemini_trace.library',
  /** A framework's model-call span whose model call a traced SDK span under it records (with the
   *  usage): `true` on the wrapper, which then carries neither usage nor a model call of its own. */
  modelCallBelow: 'gemini_trace.model_call_below',
} as const;

/** MLflow's OTLP ingest turns a root span's `mlflow.traceTag.<key>` attributes into trace tags
 *  (sqlalchemy_store._log_spans_once), so the Node preload tags runs with no extra request. */
export const OTLP_TRACE_TAG_PREFIX = 'mlflow.traceTag.';

/**
 * `mlflow.message.format` per wire format: which model-call adapter reads a span. Both tracers
 * (Node and Python) write the same format for the same call; frameworks' own spans carry none and
 * are recognised by their attributes (`gen_ai.*`, `ai.*`).
 */
export const MESSAGE_FORMAT = {
  /** models.generateContent / chats: inputs `{model, contents, config}`, outputs the response. */
  generateContent: 'gemini',
  /** interactions.create / get: inputs the request body, outputs the Interaction resource (REST field names). */
  interactions: 'gemini.interactions',
  /** A Live API turn: inputs `{messages: [client messages]}`, outputs `{messages: [server messages], …}`. */
  live: 'gemini.live',
  /** OpenAI chat completions (OpenAI-compatible endpoints, gateways). */
  openaiChat: 'openai.chat',
} as const;

/** Span attributes of the Interactions and Live surfaces, written alike by both tracers. */
export const GEMINI_ATTR = {
  interactionId: 'gemini.interaction.id',
  previousInteractionId: 'gemini.interaction.previous_id',
  /** The status the app last saw: in_progress, requires_action, completed, failed, cancelled, … */
  interactionStatus: 'gemini.interaction.status',
  agent: 'gemini.agent',
  background: 'gemini.interaction.background',
  /** JSON list aligned with a streamed interaction's steps: each step's `step_usage` (null where none). */
  stepUsage: 'gemini.interaction.step_usage',
  /** JSON list of the call steps a create's input replayed without the thought signature an
   *  earlier reply of the same process gave them: `[{step, id, interaction}]`. */
  droppedSignatures: 'gemini.interaction.dropped_signatures',
  liveSessionId: 'gemini.live.session_id',
  /** The API base URL the call went to, as the SDK resolved it (no key, no query), e.g. the
   *  default endpoint or a proxy's: a replay goes to the same place. */
  baseUrl: 'gemini.api.base_url',
  /** The API version in the request path: v1beta, v1, v1alpha. */
  apiVersion: 'gemini.api.version',
} as const;

/** Trace tags of the Interactions and Live surfaces (root-span attributes with OTLP_TRACE_TAG_PREFIX). */
export const GEMINI_TAG = {
  /** Id of the first interaction of a `previous_interaction_id` chain within one process: the
   *  Traces view groups a run's traces with the same value into one conversation. */
  conversation: 'gemini_trace.conversation',
  /** "true" on a trace whose process exited before it observed the work's end (background agent). */
  unfinished: 'gemini_trace.unfinished',
  /** Id of one chat object (`ai.chats.create`, `client.chats.create`) within one process, on
   *  every trace of its turns (`sendMessage`, `sendMessageStream`): the Traces view groups a
   *  run's traces with the same value into one session. Any string unique per chat in the run
   *  (the tracers write `chat-<n>`, n counting chats from 1 in the process). */
  chat: 'gemini_trace.chat',
  /** `<trace id>/<span id>` of the model call a replay re-sent (on the replay's trace). */
  replayOf: 'gemini_trace.replay_of',
} as const;

/** MLflow's own trace metadata for sessions and users (its UI groups sessions by the first). */
export const MLFLOW_META = { session: 'mlflow.trace.session', user: 'mlflow.trace.user' } as const;

/** Span attributes MLflow's OTLP ingest turns into that metadata (OTel semantic conventions; read
 *  from any span of the trace, first one wins: sqlalchemy_store._log_spans). */
export const OTEL_SESSION_ATTR = { session: 'session.id', user: 'user.id' } as const;

/**
 * How a tracer records a media part whose bytes it did not keep (over its per-part or per-trace
 * budget): the blob keeps `mimeType` (and `displayName`), loses `data`, and gains these two keys,
 * e.g. `{"mimeType": "image/png", "gemini_trace_bytes": 5242880, "gemini_trace_elided": "over the
 * 1 MB per-part limit"}`. Both tracers write the same keys in both spellings of the blob
 * (inlineData / inline_data, Interactions content blocks, Live blobs).
 */
export const MEDIA_ELIDED = { bytes: 'gemini_trace_bytes', reason: 'gemini_trace_elided' } as const;
