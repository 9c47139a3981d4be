// The model call: one normalised shape for every way an app calls a model. Each wire format
// (generateContent, Interactions, Live, OpenAI chat, OTel GenAI, the AI SDK's ai.*) is read into
// it by its own adapter (src/model/adapters/); the chat view, diffs, pairing, CodeLens and search
// read only this. Pure data: no vscode, no HTTP, nothing format-specific past this point.
import type { TokenUsage } from '../types';

/** Which adapter read the span. Views never branch on it; it is shown and logged. */
export type WireFormat = 'gemini.generateContent' | 'gemini.interactions' | 'gemini.live' | 'openai.chat' | 'otel.genai' | 'ai-sdk';

export interface Link {
  url: string;
  title?: string;
  /** The site a grounding source belongs to, when the API names it (its URL may be a redirect). */
  domain?: string;
}

export interface UrlStatus {
  url: string;
  /** As the API reports it: success, error, paywall, unsafe, URL_RETRIEVAL_STATUS_SUCCESS, … */
  status?: string;
}

/**
 * One part of a message or one step of a response. `signature` says a thought signature came
 * with the part (its bytes are never kept): the API wants it sent back unchanged on later turns.
 * `tokens`: what the step cost, where the API reports it per step (a streamed interaction's
 * `step_usage`: output and thinking tokens), on the step's first part.
 */
export type Part = PartBody & { tokens?: number };

type PartBody =
  | { kind: 'text'; text: string; signature?: true; citations?: Link[] }
  /** A thought summary (the text may be empty when only a signature came). */
  | { kind: 'thought'; text: string; signature?: true }
  /**
   * Image, audio, video or a document: its type and size, and where its bytes are: `data` (the
   * recorded base64 text itself, the span's own string: never a copy, never posted whole to a
   * view), `attachment` (an MLflow trace attachment), or `uri` (a file or URL, shown as text).
   * `elided` says why a tracer kept only the metadata; `chunks`, how many streamed chunks (Live
   * audio) the tracer folded into this one entry.
   */
  | { kind: 'media'; mimeType?: string; bytes?: number; uri?: string; durationMs?: number; data?: string; attachment?: string; elided?: string; chunks?: number; signature?: true }
  | { kind: 'functionCall'; name: string; args: unknown; id?: string; signature?: true }
  | { kind: 'functionResponse'; name: string; response: unknown; id?: string; isError?: true }
  /** A built-in tool the model (or the server) ran: code execution, search, URL context, file
   *  search, MCP, maps, retrieval, … `tool` names it; the fields it has are filled. */
  | {
      kind: 'toolCall';
      tool: string;
      id?: string;
      name?: string;
      server?: string;
      args?: unknown;
      queries?: string[];
      urls?: string[];
      code?: string;
      language?: string;
      signature?: true;
    }
  | {
      kind: 'toolResult';
      tool: string;
      id?: string;
      name?: string;
      server?: string;
      isError?: true;
      outcome?: string;
      output?: string;
      links?: Link[];
      urls?: UrlStatus[];
      /** The result as recorded, when no field above holds all of it. */
      result?: unknown;
      signature?: true;
    }
  /** Live: what the user said (input) or the model said aloud (output), as the server transcribed it. */
  | { kind: 'transcription'; of: 'input' | 'output'; text: string }
  /** Something that happened in a stream of steps: interrupted, tool call cancelled, … */
  | { kind: 'event'; name: string; detail?: string }
  /** A part or step type no adapter knows: kept whole, shown as JSON. */
  | { kind: 'other'; type?: string; value: unknown };

export type PartKind = Part['kind'];

export interface Message {
  /** user, model, system, tool, assistant, function, … as the format names it. */
  role: string;
  parts: Part[];
}

export interface SafetyRating {
  category: string;
  probability: string;
  blocked?: boolean;
}

/** A stretch of an answer's text that grounding sources support. */
export interface GroundingSupport {
  /** Index of the text part, within the choice's message, that holds the stretch. */
  part: number;
  /** Character offsets into that part's text (the API counts UTF-8 bytes; converted here). */
  start: number;
  end: number;
  /** Indices into `Grounding.links`; empty when the cited sources are missing. */
  sources: number[];
  confidence?: number[];
}

export interface Grounding {
  queries: string[];
  links: Link[];
  urls: UrlStatus[];
  supports?: GroundingSupport[];
  /** Supports whose segment could not be found in the text (bad indices): kept as recorded. */
  unplaced?: unknown[];
  /** Google Search's suggestion chip (`searchEntryPoint.renderedContent`): HTML, shown as text. */
  entryPoint?: string;
}

/** One answer: a candidate (generateContent), a choice (OpenAI), an output message (OTel), or the
 *  one ordered run of steps of an interaction or a Live turn. */
export interface Choice {
  message: Message;
  finishReason?: string;
  safety?: SafetyRating[];
  grounding?: Grounding;
}

/** Token usage; `toolUse` is prompt tokens spent on tool results (Gemini reports it apart). */
export type ModelUsage = TokenUsage & { toolUse?: number };

export interface ModelError {
  code?: string;
  message: string;
}

export interface ModelCall {
  /** gemini, openai, anthropic, google, … ('unknown' when nothing says). */
  provider: string;
  api: WireFormat;
  /** generateContent, create, get, cancel, delete, turn, chat, … when the format says. */
  operation?: string;
  model?: string;
  /** The agent an interaction ran (Interactions with `agent` instead of `model`). */
  agent?: string;
  system?: Message;
  request: Message[];
  /** Generation settings (sampling, thinking, response format, agent config), plumbing dropped. */
  config: Record<string, unknown>;
  /** Tool declarations as recorded. */
  tools?: unknown;
  /** The structured-output schema, when one was asked for (it is also in `config`). */
  responseSchema?: unknown;
  response: Choice[];
  /** True when the response is one ordered run of steps (Interactions, Live), not alternative
   *  candidates: diffs then render it step by step. */
  ordered: boolean;
  usage?: ModelUsage;
  /** Interaction status (completed, failed, requires_action, …) or a Live turn's end (complete, interrupted). */
  status?: string;
  errors: ModelError[];
  /** Every function call the model asked for and every response sent back, including the rounds
   *  an SDK ran by itself and recorded only in its history (automatic function calling). */
  functionCalls: { name: string; args: unknown; id?: string }[];
  functionResponses: { name: string; response: unknown; id?: string }[];
  /** The prompt flattened to text, turns separated by blank lines (for hovers, search, pairing). */
  promptText: string;
  /** The (first) answer's text, joined as the SDKs' `.text` joins it. */
  responseText: string;
  thinking: string;
  /** Ids that tie calls together: an interaction and the one it continues, a Live session. */
  ids?: { interaction?: string; previous?: string; session?: string };
  /** Problems worth telling the user about this call (e.g. a thought signature dropped). */
  warnings: string[];
}
