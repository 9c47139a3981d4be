// The contract between the injection (Node preload, Python shim, CLI) and the explorer: the
// environment variables the extension sets in a traced process, and the trace tags and span
// attributes those processes write. Changing a name here changes it everywhere.

export const ENV = {
  /** Set by the injector; the preload/shim refuse to run twice when they see it marked active. */
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
  liveSessionId: 'gemini.live.session_id',
} as const;

/** Trace tags of the Interactions and Live surfaces (root-span attributes with OTLP_TRACE_TAG_PREFIX). */
export const GEMINI_TAG = {
  /** Id of the first interaction of a `previous_interaction_id` chain within one process: the
   *  Traces view groups a run's traces with the same value into one conversation. */
  conversation: 'gemini_trace.conversation',
  /** "true" on a trace whose process exited before it observed the work's end (background agent). */
  unfinished: 'gemini_trace.unfinished',
} as const;
