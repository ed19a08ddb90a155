import type { PresetDefinition } from '../preset.js';

// Moonshot. Quirks: cached_tokens at the top level of usage; streamed usage inside choices[0].usage.
export const kimi: PresetDefinition = {
  id: 'kimi',
  displayName: 'Moonshot Kimi',
  dialect: 'openai',
  baseUrl: 'https://api.moonshot.cn/v1',
  apiKeyEnv: ['MOONSHOT_API_KEY', 'KIMI_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  errorRules: [
    { match: 'exceeded_current_quota_error', code: 'upstream_insufficient_balance' },
    { match: 'rate_limit_reached_error', code: 'upstream_rate_limited' },
    { match: 'engine_overloaded_error', code: 'upstream_rate_limited' },
    { match: 'content_filter', code: 'upstream_content_rejected' },
    { match: 'invalid_authentication_error', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'kimi-k3', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 262_144,
      prices: [{ since: '2026-07-01', currency: 'CNY', input: 20, cacheRead: 2, output: 100, source: 'dev.to TeamoRouter; codeburn PR #709' }] },
    { id: 'kimi-k2.5', tier: 'flagship', kind: 'chat', tools: true, vision: true, contextWindow: 262_144,
      prices: [{ since: '2026-03-01', currency: 'CNY', input: 4, cacheRead: 1, output: 21, source: 'flanker/llmprice.cn' }] },
    { id: 'moonshot-v1-8k', tier: 'light', kind: 'chat', tools: true, contextWindow: 8_192,
      prices: [
        { since: '2024-03-01', currency: 'CNY', input: 12, output: 12, source: 'one-api ratio [code]' },
        { since: '2025-04-09', currency: 'CNY', input: 2, output: 10, source: 'syaoranwe/LLM-Price [3p]' },
      ] },
    { id: 'moonshot-v1-32k', tier: 'light', kind: 'chat', tools: true, contextWindow: 32_768,
      prices: [
        { since: '2024-03-01', currency: 'CNY', input: 24, output: 24, source: 'one-api ratio [code]' },
        { since: '2025-04-09', currency: 'CNY', input: 5, output: 20, source: 'syaoranwe/LLM-Price [3p]' },
      ] },
  ],
};
