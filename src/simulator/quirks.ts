/**
 * Per-preset wire quirks of the OpenAI-dialect presets (providers.md §1, §1b): URL path style,
 * usage field layout, where streamed usage goes, how moderation cuts a stream, extra top-level fields.
 */
import type { SimUsage } from './types.js';

/** Where a stream's usage travels. */
export type StreamUsageMode =
  /** One extra chunk with `choices: []`, only when `stream_options.include_usage` is true (OpenAI, Qwen, DeepSeek…). */
  | 'include-usage'
  /** Top-level `usage` on the chunk carrying finish_reason, always (GLM, Spark). */
  | 'finish-chunk'
  /** Inside `choices[0].usage` of the finish chunk, always (Kimi). */
  | 'in-choice';

export interface PresetQuirks {
  /** Path after `/<preset>` that mirrors the real base URL's path. */
  pathSuffix: string;
  dialect: 'openai' | 'anthropic';
  requireBearer: boolean;
  streamUsage: StreamUsageMode;
  /** Moderation cut-off mid-stream: a finish_reason value, or an error data event. */
  moderation: { finishReason: string } | 'error-event';
  /** `: keep-alive` comments and blank lines before the first chunk (DeepSeek under load). */
  keepAlive: boolean;
  /** DeepSeek's JSON Output: json_object only, and only with "json" in the prompt; anything else is a 400. */
  jsonObjectOnly?: boolean;
}

/** The 400 message a provider with `jsonObjectOnly` gives for a response_format it refuses, if it refuses it. */
export function refusedResponseFormat(quirks: PresetQuirks, body: Record<string, unknown>): string | undefined {
  if (!quirks.jsonObjectOnly) return undefined;
  const format = body.response_format;
  const type = typeof format === 'object' && format !== null ? (format as { type?: unknown }).type : undefined;
  if (type === undefined || type === 'text') return undefined;
  if (type !== 'json_object') return 'This response_format type is unavailable now';
  return /json/i.test(JSON.stringify(body.messages ?? [])) ? undefined : "Prompt must contain the word 'json' in some form to use 'response_format' of type 'json_object'.";
}

const openaiLike = (pathSuffix: string, extra: Partial<PresetQuirks> = {}): PresetQuirks => ({
  pathSuffix,
  dialect: 'openai',
  requireBearer: true,
  streamUsage: 'include-usage',
  moderation: 'error-event',
  keepAlive: false,
  ...extra,
});

export const PRESET_QUIRKS: Readonly<Record<string, PresetQuirks>> = {
  deepseek: openaiLike('', { keepAlive: true, jsonObjectOnly: true }),
  qwen: openaiLike('/compatible-mode/v1'),
  doubao: openaiLike('/api/v3'),
  qianfan: openaiLike('/v2'),
  kimi: openaiLike('/v1', { streamUsage: 'in-choice' }),
  glm: openaiLike('/api/paas/v4', { streamUsage: 'finish-chunk', moderation: { finishReason: 'sensitive' } }),
  hunyuan: openaiLike('/v1', { moderation: { finishReason: 'sensitive' } }),
  minimax: openaiLike('/v1'),
  stepfun: openaiLike('/v1'),
  spark: openaiLike('/v1', { streamUsage: 'finish-chunk' }),
  openai: openaiLike('/v1'),
  gemini: openaiLike('/v1beta/openai'),
  'openai-compatible': openaiLike('/v1', { requireBearer: false }),
  anthropic: { ...openaiLike('/v1'), dialect: 'anthropic', requireBearer: false },
};

/** Unknown preset names behave like a self-hosted OpenAI-compatible server. */
export function quirksFor(preset: string): PresetQuirks {
  return PRESET_QUIRKS[preset] ?? PRESET_QUIRKS['openai-compatible']!;
}

/** The preset's non-stream `usage` object. */
export function usageFor(preset: string, usage: SimUsage): Record<string, unknown> {
  const total = usage.prompt + usage.completion;
  const common = { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: total };
  const completionDetails = { reasoning_tokens: usage.reasoning };
  switch (preset) {
    case 'deepseek':
      return {
        ...common,
        prompt_tokens_details: { cached_tokens: usage.cached },
        completion_tokens_details: completionDetails,
        prompt_cache_hit_tokens: usage.cached,
        prompt_cache_miss_tokens: usage.prompt - usage.cached,
      };
    case 'kimi':
      return { ...common, cached_tokens: usage.cached };
    case 'spark':
      return { ...common };
    case 'qwen': {
      const promptDetails: Record<string, unknown> = { cached_tokens: usage.cached };
      if (usage.cacheWrite > 0) Object.assign(promptDetails, { cache_creation_input_tokens: usage.cacheWrite, cache_type: 'ephemeral' });
      const out: Record<string, unknown> = { ...common, prompt_tokens_details: promptDetails };
      if (usage.reasoning > 0) out.completion_tokens_details = completionDetails;
      return out;
    }
    default:
      return { ...common, prompt_tokens_details: { cached_tokens: usage.cached }, completion_tokens_details: completionDetails };
  }
}

let sidCounter = 0;

/** Top-level fields a preset adds to every successful response or chunk. */
export function envelopeExtras(preset: string): Record<string, unknown> {
  if (preset === 'minimax') return { base_resp: { status_code: 0, status_msg: 'success' } };
  if (preset === 'spark') {
    sidCounter += 1;
    return { code: 0, message: 'Success', sid: `cha000b${String(sidCounter).padStart(6, '0')}@dx19a0000000000sim` };
  }
  return {};
}
