import { describe, expect, it } from 'vitest';
import { normalizeOpenAiUsage } from '../../src/providers/openai-usage.js';

// Usage objects as each provider sends them (shapes from providers.md §1b).
describe('normalizeOpenAiUsage', () => {
  it('DeepSeek: hit + miss = prompt, reasoning inside completion', () => {
    expect(normalizeOpenAiUsage({
      prompt_tokens: 1000, completion_tokens: 300, total_tokens: 1300,
      prompt_cache_hit_tokens: 640, prompt_cache_miss_tokens: 360,
      prompt_tokens_details: { cached_tokens: 640 }, completion_tokens_details: { reasoning_tokens: 120 },
    })).toEqual({ inputUncached: 360, cacheRead: 640, cacheWrite: 0, output: 300, reasoning: 120, imageTokens: 0, estimated: false });
  });

  it('OpenAI / Qwen / Doubao: cached_tokens is part of prompt_tokens; image tokens reported', () => {
    expect(normalizeOpenAiUsage({
      prompt_tokens: 2000, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 1024, image_tokens: 391 },
    })).toMatchObject({ inputUncached: 976, cacheRead: 1024, output: 50, imageTokens: 391 });
  });

  it('Kimi: cached_tokens at the top level of usage', () => {
    expect(normalizeOpenAiUsage({ prompt_tokens: 500, completion_tokens: 20, total_tokens: 520, cached_tokens: 256 }))
      .toMatchObject({ inputUncached: 244, cacheRead: 256, output: 20 });
  });

  it('Qwen explicit cache: a cache write is split out of prompt_tokens', () => {
    expect(normalizeOpenAiUsage({
      prompt_tokens: 3000, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 0, cache_creation_input_tokens: 2048 },
    })).toMatchObject({ inputUncached: 952, cacheRead: 0, cacheWrite: 2048 });
  });

  it('returns undefined when there are no counts', () => {
    expect(normalizeOpenAiUsage(undefined)).toBeUndefined();
    expect(normalizeOpenAiUsage({})).toBeUndefined();
  });
});
