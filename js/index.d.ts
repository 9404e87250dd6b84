// Public types of unillm. Request and response objects keep the OpenAI wire shape (snake_case);
// functions and options follow JS conventions (camelCase).

// ---------------------------------------------------------------------------------------------
// OpenAI chat wire types

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

/** Anthropic prompt caching on a part (ignored by providers without it). */
export type CacheControl = { type: 'ephemeral'; ttl?: string };
export interface TextPart { type: 'text'; text: string; cache_control?: CacheControl }
export interface ImagePart { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' }; cache_control?: CacheControl }
export interface AudioPart { type: 'input_audio'; input_audio: { data: string; format: 'wav' | 'mp3' | string } }
export interface FilePart { type: 'file'; file: { file_id?: string; file_data?: string; filename?: string; format?: string }; cache_control?: CacheControl }
export interface RefusalPart { type: 'refusal'; refusal: string }
export type ContentPart = TextPart | ImagePart | AudioPart | FilePart | RefusalPart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage { role: 'system' | 'developer'; content: string | TextPart[]; name?: string; cache_control?: object }
export interface UserMessage { role: 'user'; content: string | ContentPart[]; name?: string; cache_control?: object }
export interface AssistantMessage {
  role: 'assistant';
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  refusal?: string | null;
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlock[];
}
export interface ToolMessage { role: 'tool'; content: string | TextPart[]; tool_call_id: string }
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionDefinition { name: string; description?: string; parameters?: JsonSchema; strict?: boolean }
export interface Tool { type: 'function'; function: FunctionDefinition; cache_control?: object }
export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
export type JsonSchema = { [key: string]: unknown };
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: JsonSchema; strict?: boolean } };

/** The OpenAI chat completions request body. Unknown keys are passed to providers that take them. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  n?: number;
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  logit_bias?: Record<string, number>;
  logprobs?: boolean;
  top_logprobs?: number;
  user?: string;
  tools?: Tool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high' | string;
  metadata?: Record<string, unknown>;
  [providerSpecific: string]: unknown;
}

export interface ThinkingBlock { type: 'thinking' | 'redacted_thinking'; thinking?: string; signature?: string; data?: string }

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number; text_tokens?: number; image_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number; accepted_prediction_tokens?: number; rejected_prediction_tokens?: number };
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** Estimated cost in USD from the compiled-in price table, when the model is known. */
  cost?: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | string;

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      tool_calls?: ToolCall[];
      refusal?: string | null;
      reasoning_content?: string;
      thinking_blocks?: ThinkingBlock[];
      annotations?: unknown[];
    };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  system_fingerprint?: string;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string;
      tool_calls?: ToolCallDelta[];
      refusal?: string;
      reasoning_content?: string;
      thinking_blocks?: ThinkingBlock[];
    };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }>;
  /** Present on the final chunk (with empty `choices`) when `stream_options.include_usage` is set. */
  usage?: Usage;
  system_fingerprint?: string;
}

// ---------------------------------------------------------------------------------------------
// Options

/** Per-call options, given in the same object as the request body. */
export interface CallOptions {
  /** API key for the provider (else read from `env`, `process.env` or `Deno.env`). */
  apiKey?: string;
  /** Base URL of the provider, e.g. an OpenAI-compatible server (`http://127.0.0.1:8000/v1`). */
  apiBase?: string;
  /** Alias of `apiBase` (the `openai` package's name). */
  baseURL?: string;
  apiVersion?: string;
  headers?: Record<string, string> | Array<[string, string]> | Headers;
  defaultHeaders?: Record<string, string>;
  /**
   * Milliseconds the whole call may take: every attempt, every retry's wait, every fallback, and
   * a stream to its end. Past it the fetch is cancelled and the call rejects with `Timeout`; a
   * `Retry-After` longer than the time left ends the call at once with `RateLimitError`
   * (`retryAfter` set) instead of waiting. Default 600000. Without an explicit `timeout` or
   * `signal`, a non-streaming call's deadline rejects the call and stops reading the body but does
   * not abort the request itself (an AbortSignal costs Node's fetch ≈15% of a local request).
   */
  timeout?: number;
  signal?: AbortSignal;
  /**
   * Retries of retryable errors (rate limits, timeouts, connection errors, 5xx) per model, with
   * exponential backoff and jitter, never shorter than Retry-After, within `timeout`. A stream is
   * retried (or falls back) only until its first content-bearing chunk; after that an error is the
   * stream's. 0 to 100.
   */
  numRetries?: number;
  /** Alias of `numRetries` (the `openai` package's name). */
  maxRetries?: number;
  /** Models (or `{ model, ...overrides }`) tried in order when the call fails. */
  fallbacks?: Array<string | (Partial<ChatCompletionRequest> & CallOptions)>;
  /** Credentials and settings by environment-variable name (e.g. a Workers `env` binding). */
  env?: Record<string, unknown>;
  /** Drop parameters the provider cannot take instead of throwing `UnsupportedParamsError`. */
  dropParams?: boolean;
  /** Answer with this text (or throw this error) without calling the provider. */
  mockResponse?: string | Error;
  /** Milliseconds between streamed mock chunks (for demos). */
  mockDelay?: number;
  /**
   * The fetch implementation. Default: the global `fetch`; on Node, node:http with keep-alive
   * agents (~3x less CPU per request than Node's fetch), unless the global `fetch` was replaced
   * (a mock, an interceptor) or undici's global dispatcher is a custom one: then `fetch`. Pass
   * `fetch: globalThis.fetch` to always use fetch.
   */
  fetch?: typeof fetch;
  /** The registry that prices the call (`usage.cost`); default: the built-in table plus `registerModel` entries. */
  models?: ModelRegistry;
  /**
   * Bounds on what the call reads from the provider, enforced while reading (see docs/limits.md):
   * an answer past one is a `LimitExceededError` whose `param` names it. Defaults in `DEFAULT_LIMITS`.
   */
  limits?: Limits;
}

// @generated limits.d.ts

export type CompletionParams = ChatCompletionRequest & CallOptions & CallOptionAliases;

// @generated options.d.ts

// ---------------------------------------------------------------------------------------------
// Streams

export declare class Stream<T = ChatCompletionChunk> implements AsyncIterable<T> {
  /** Aborts the underlying request. */
  readonly controller: AbortController;
  [Symbol.asyncIterator](): AsyncIterator<T>;
  /** A `ReadableStream` of chunk objects (consumes this stream). */
  toReadableStream(): ReadableStream<T>;
  /** Two independent streams over the same chunks (consumes this stream). */
  tee(): [Stream<T>, Stream<T>];
  /** The full response assembled from the chunks, tool calls and usage included. */
  response(): Promise<ChatCompletion>;
  finalChatCompletion(): Promise<ChatCompletion>;
}

// ---------------------------------------------------------------------------------------------
// Functions

export declare function version(): string;
/** The provider ids `completion()` takes as `provider/model` prefixes (sorted), e.g. `anthropic`, `azure`, `gemini`, `groq`, `openai`. */
export declare function supportedProviders(): string[];

export declare function completion(params: CompletionParams & { stream: true }): Promise<Stream<ChatCompletionChunk>>;
export declare function completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
export declare function completion(params: CompletionParams): Promise<ChatCompletion | Stream<ChatCompletionChunk>>;

export interface Client {
  completion(params: CompletionParams & { stream: true }): Promise<Stream<ChatCompletionChunk>>;
  completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
  completion(params: CompletionParams): Promise<ChatCompletion | Stream<ChatCompletionChunk>>;
  /** A client with more defaults. */
  withOptions(defaults: Partial<CompletionParams>): Client;
}

/**
 * A client with its own credentials and defaults. `env` is any record (a Workers `env` binding,
 * a tenant's settings); `env: null` never reads `process.env` / `Deno.env`.
 */
export declare function createClient(options?: {
  env?: Record<string, unknown> | null;
  models?: ModelRegistry;
  defaults?: Partial<CompletionParams>;
  fetch?: typeof fetch;
}): Client;

// ---------------------------------------------------------------------------------------------
// Errors

export declare class UnillmError extends Error {
  readonly kind: ErrorKind;
  /** The provider's HTTP status, or the status a gateway answers with for this kind. */
  readonly status: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  /** Whether the same call may succeed if tried again. */
  readonly retryable: boolean;
  /** Seconds to wait before a retry (from Retry-After or the provider's hints). */
  readonly retryAfter: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** The provider's error code or type. */
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly requestId: string | undefined;
  toJSON(): Record<string, unknown>;
}
export { UnillmError as APIError };
// @generated error-classes.d.ts
export { Timeout as APIConnectionTimeoutError };

// ---------------------------------------------------------------------------------------------
// Model table (compiled in from LiteLLM's model_prices_and_context_window.json)

/** LiteLLM's `model_info` shape: limits, provider, mode, every price field and `supports_*` flag the entry states. */
export interface ModelInfo {
  key: string;
  litellm_provider?: string;
  mode?: 'chat' | 'completion' | 'embedding' | 'image_generation' | 'audio_transcription' | 'audio_speech' | 'rerank' | string;
  max_input_tokens: number | null;
  max_output_tokens: number | null;
  max_tokens: number | null;
  input_cost_per_token?: number;
  output_cost_per_token?: number;
  cache_read_input_token_cost?: number;
  cache_creation_input_token_cost?: number;
  output_cost_per_reasoning_token?: number;
  input_cost_per_audio_token?: number;
  tiered_pricing?: Array<{ range: [number, number]; [price: string]: number | [number, number] }>;
  [field: string]: unknown;
}

export type Capability =
  | 'function_calling' | 'parallel_function_calling' | 'vision' | 'response_schema' | 'prompt_caching'
  | 'reasoning' | 'tool_choice' | 'system_messages' | 'audio_input' | 'audio_output' | 'pdf_input'
  | 'web_search' | 'computer_use' | (string & {});

export interface CostArgs {
  /** Price a finished response (its usage, model and service tier); `model` overrides the name to price. */
  response?: ChatCompletion;
  model?: string;
  usage?: Partial<Usage>;
  provider?: string;
  serviceTier?: string;
}

/** The compiled-in table plus entries of one's own. `createClient({ models })` prices with it. */
export declare class ModelRegistry {
  constructor();
  registerModel(models: Record<string, Partial<ModelInfo>>): void;
  registerModel(name: string, info: Partial<ModelInfo>): void;
  unregisterModel(name: string): boolean;
  /** Throws `NotFoundError` for an unknown model. */
  getModelInfo(model: string, options?: { provider?: string }): ModelInfo;
  getMaxTokens(model: string): number | undefined;
  supports(model: string, capability: Capability): boolean;
  modelList(): string[];
  providerList(): string[];
  costPerToken(args: { model: string; usage: Partial<Usage>; provider?: string; serviceTier?: string }): { prompt: number; completion: number };
  completionCost(args: CostArgs): number;
  validateEnvironment(model: string, env?: Record<string, unknown>): { keysInEnvironment: boolean; missingKeys: string[] };
}

export declare function registerModel(models: Record<string, Partial<ModelInfo>>): void;
export declare function registerModel(name: string, info: Partial<ModelInfo>): void;
export declare function getModelInfo(model: string, options?: { provider?: string }): ModelInfo;
export declare function getMaxTokens(model: string): number | undefined;
export declare function supports(model: string, capability: Capability): boolean;
export declare function capabilities(): string[];
export declare function modelList(): string[];
export declare function providerList(): string[];
export declare function costPerToken(args: { model: string; usage: Partial<Usage>; provider?: string; serviceTier?: string }): { prompt: number; completion: number };
export declare function completionCost(args: CostArgs): number;
export declare function validateEnvironment(model: string, env?: Record<string, unknown>): { keysInEnvironment: boolean; missingKeys: string[] };
export declare function supportsFunctionCalling(model: string): boolean;
export declare function supportsParallelFunctionCalling(model: string): boolean;
export declare function supportsVision(model: string): boolean;
export declare function supportsResponseSchema(model: string): boolean;
export declare function supportsPromptCaching(model: string): boolean;
export declare function supportsReasoning(model: string): boolean;
export declare function supportsToolChoice(model: string): boolean;
export declare function supportsSystemMessages(model: string): boolean;
export declare function supportsAudioInput(model: string): boolean;
export declare function supportsAudioOutput(model: string): boolean;
export declare function supportsPdfInput(model: string): boolean;
export declare function supportsWebSearch(model: string): boolean;
export declare function supportsComputerUse(model: string): boolean;

// ---------------------------------------------------------------------------------------------
// Tokenizer (o200k_base and cl100k_base compiled in)

export type EncodingName = 'o200k_base' | 'cl100k_base';
/** Which tokenizer: an encoding, or a model (OpenAI models use their own; others cl100k_base, approximately). */
export type TokenizerTarget = { encoding: EncodingName; model?: never } | { model: string; encoding?: never };
export type SpecialTokens = 'all' | string[] | Set<string>;

/** Token ids. A special-token string in `text` is an error unless allowed (tiktoken's rules). Strings with lone surrogates are encoded as U+FFFD. */
export declare function encode(text: string, options?: TokenizerTarget & { allowedSpecial?: SpecialTokens; disallowedSpecial?: SpecialTokens }): Uint32Array;
export declare function decode(ids: Uint32Array | number[], options?: TokenizerTarget): string;
export declare function countTokens(text: string, options?: TokenizerTarget): number;
/** Token ids (special-token strings as text) and each token's end in UTF-16 units: token `i` is `text.slice(ends[i - 1] ?? 0, ends[i])`. */
export declare function tokenize(text: string, options?: TokenizerTarget): { ids: Uint32Array; ends: Uint32Array };
export interface TokenCount {
  tokens: number;
  /** `true` when the model's own tokenizer counted; `false` for an approximation (non-OpenAI models). */
  exact: boolean;
  encoding: EncodingName;
}
/** LiteLLM's `token_counter`: OpenAI's chat accounting for `messages` (with tools), or plain `text`. */
export declare function tokenCounter(args: { model: string; messages?: ChatMessage[]; text?: string; tools?: Tool[]; toolChoice?: ToolChoice }): TokenCount;
/** The conversation fitted into `maxTokens` (default: 75% of the model's input window), keeping system messages and the latest turns. */
export declare function trimMessages(args: { model: string; messages: ChatMessage[]; maxTokens?: number; models?: ModelRegistry }): ChatMessage[];
export declare function encodingForModel(model: string): string | undefined;
/**
 * Forgets the merged words the tokenizer remembers across calls (bounded, at most a few MB; a
 * text whose words were seen before counts faster) and returns how many there were. Counts are
 * the same either way.
 */
export declare function clearTokenCache(): number;
