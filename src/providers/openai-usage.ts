import { plausibleUsage, type NormalizedUsage } from '../canonical/usage.js';

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

function field(record: unknown, key: string): unknown {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[key] : undefined;
}

/**
 * Normalise any OpenAI-dialect usage object. One function covers every variant seen in the wild:
 * - OpenAI, Qwen, Doubao, GLM: prompt_tokens includes prompt_tokens_details.cached_tokens;
 * - DeepSeek: prompt_cache_hit_tokens + prompt_cache_miss_tokens = prompt_tokens;
 * - Kimi: cached_tokens at the top level of usage;
 * - Qwen explicit cache: cache_creation_input_tokens (in prompt_tokens_details or top level), part of prompt_tokens.
 * Returns undefined when the object carries no token counts at all, or an implausible one (plausibleUsage).
 */
export function normalizeOpenAiUsage(raw: unknown): NormalizedUsage | undefined {
  const prompt = count(field(raw, 'prompt_tokens'));
  const completion = count(field(raw, 'completion_tokens'));
  if (prompt === undefined && completion === undefined) return undefined;
  const promptDetails = field(raw, 'prompt_tokens_details');
  const completionDetails = field(raw, 'completion_tokens_details');

  const cacheRead =
    count(field(raw, 'prompt_cache_hit_tokens')) ??
    count(field(promptDetails, 'cached_tokens')) ??
    count(field(raw, 'cached_tokens')) ??
    0;
  const cacheWrite =
    count(field(promptDetails, 'cache_creation_input_tokens')) ?? count(field(raw, 'cache_creation_input_tokens')) ?? 0;
  const miss = count(field(raw, 'prompt_cache_miss_tokens'));
  const inputUncached = miss ?? Math.max(0, (prompt ?? 0) - cacheRead - cacheWrite);

  return plausibleUsage({
    inputUncached,
    cacheRead,
    cacheWrite,
    output: completion ?? 0,
    reasoning: count(field(completionDetails, 'reasoning_tokens')) ?? 0,
    imageTokens: count(field(promptDetails, 'image_tokens')) ?? 0,
    estimated: false,
  });
}

/** Usage back in OpenAI's wire shape for clients, with the cost Tidegate computed. */
export function toWireUsage(usage: NormalizedUsage, costCny: string) {
  const prompt = usage.inputUncached + usage.cacheRead + usage.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite, image_tokens: usage.imageTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoning },
    cost_cny: costCny,
    ...(usage.estimated ? { estimated: true } : {}),
  };
}
