import type { ErrorCode } from '../errors/catalogue.js';
import type { TariffScheduleId } from '../pricing/tariff.js';

/** Wire dialect a provider speaks outbound. Everything that speaks OpenAI's shares one base adapter. */
export type Dialect = 'openai' | 'anthropic';

export type ModelTier = 'flagship' | 'light';
export type ModelKind = 'chat' | 'embedding';

/**
 * One dated version of a model's price, per one million tokens in `currency` (USD is converted at the
 * configured rate, which is stored with every ledger row). A model's versions are kept in date order so
 * an old call can always be re-priced with the price of its day.
 */
export interface ModelPrice {
  /** Beijing date (YYYY-MM-DD) the price took effect. */
  since: string;
  currency: 'CNY' | 'USD';
  input: number;
  /** Cached input (cache read); the input price when absent. */
  cacheRead?: number;
  /** Cache write (explicit context caches); the input price when absent. */
  cacheWrite?: number;
  output: number;
  /** Reasoning tokens where billed apart from output; the output price when absent. */
  reasoning?: number;
  /** Time-of-day tariff: the schedule and the multiplier of each of its non-standard periods. */
  tariff?: { schedule: TariffScheduleId; multipliers: Partial<Record<'off-peak' | 'night', number>> };
  /** Batch API multiplier (0.5 = half price) where the provider sells batch processing. */
  batch?: number;
  source: string;
}

export interface CatalogueModel {
  id: string;
  tier: ModelTier;
  kind: ModelKind;
  vision?: boolean;
  tools?: boolean;
  reasoning?: boolean;
  contextWindow?: number;
  /** Price history, oldest first. */
  prices: readonly ModelPrice[];
  /**
   * The CAC filing number (备案号) or registration number (上线编号) of the generative AI service behind
   * this model, only when published by the regulator or the provider; unknown stays absent, never guessed.
   */
  filing?: string;
}

/**
 * How a provider's own error codes map to Tidegate's catalogue. Rules are checked in order;
 * `match` is compared, case-insensitively, with the upstream error's code, type, status code
 * in the body (MiniMax `base_resp.status_code`, Zhipu `code`) and message.
 */
export interface ErrorRule {
  status?: number;
  match: string;
  code: ErrorCode;
}

export interface PresetDefinition {
  id: string;
  displayName: string;
  dialect: Dialect;
  baseUrl: string;
  /** Environment variables that enable the preset without a config file, first found wins. */
  apiKeyEnv: readonly string[];
  auth: 'bearer' | 'x-api-key';
  /** Extra headers every call carries (Anthropic's version header). */
  headers?: Readonly<Record<string, string>>;
  /** Whether the provider accepts `stream_options.include_usage` (nearly all OpenAI-dialect ones do). */
  streamUsageOption: boolean;
  /** Whether the provider knows OpenAI's `developer` role; elsewhere it is sent as `system`, which it means. */
  developerRole?: boolean;
  /** Whether assistant turns may carry `reasoning_content` back (DeepSeek requires it on thinking tool turns). */
  acceptsReasoningContent?: boolean;
  /** Parameter rules the provider enforces; the gateway adjusts and reports, never silently. */
  temperatureRange?: { min: number; max: number; exclusiveMin?: boolean };
  /** finish_reason values the provider uses for a moderation cut-off, mapped to content_filter. */
  moderationFinishReasons?: readonly string[];
  /**
   * How the provider's own context cache can be helped: explicit `cache_control` markers (Qwen, Anthropic)
   * on a long system prompt that repeats, and/or a `prompt_cache_key` routing hint (OpenAI).
   */
  promptCache?: { readonly marker?: 'cache_control'; readonly minTokens?: number; readonly cacheKeyParam?: 'prompt_cache_key' };
  /**
   * Structured output the provider accepts, where it is known to differ from OpenAI's: the `response_format`
   * types it takes, and whether json_object needs the word "json" in the prompt (DeepSeek refuses it otherwise).
   * Absent: response_format is forwarded as sent.
   */
  structuredOutput?: { readonly formats: readonly ('json_object' | 'json_schema')[]; readonly jsonWordRequired?: boolean };
  errorRules: readonly ErrorRule[];
  models: readonly CatalogueModel[];
  /** The provider's own batch API (usually half price), where Tidegate can forward a /v1/batches job to it. */
  batchApi?: BatchApiDefinition;
  notes?: string;
}

/**
 * A provider batch API: `openai-files` is OpenAI's /files + /batches (DashScope and Zhipu copy it under
 * their own base URL), `anthropic-message-batches` is Anthropic's /messages/batches with inline requests.
 */
export interface BatchApiDefinition {
  readonly shape: 'openai-files' | 'anthropic-message-batches';
  /** The `url` of each JSONL line and the batch's `endpoint` (openai-files only). */
  readonly lineUrl?: string;
  /** The provider's completion window in hours: work with a shorter deadline is not forwarded. */
  readonly windowHours: number;
  readonly source: string;
}
