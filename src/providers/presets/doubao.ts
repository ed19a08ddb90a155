import type { PresetDefinition } from '../preset.js';

// Volcano Engine Ark. `upstream` may be a model id or an endpoint id (ep-…).
export const doubao: PresetDefinition = {
  id: 'doubao',
  displayName: 'ByteDance Doubao (Volcano Engine Ark)',
  dialect: 'openai',
  baseUrl: 'https://ark.cn-beijing.volces.com/api/v3',
  apiKeyEnv: ['ARK_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  errorRules: [
    { match: 'accountoverdueerror', code: 'upstream_insufficient_balance' },
    { match: 'riskdetection', code: 'upstream_content_rejected' },
    { match: 'sensitivecontentdetected', code: 'upstream_content_rejected' },
    { match: 'ratelimitexceeded', code: 'upstream_rate_limited' },
    { match: 'serveroverloaded', code: 'upstream_rate_limited' },
    { match: 'authenticationerror', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'doubao-seed-1-6-250615', tier: 'flagship', kind: 'chat', tools: true, vision: true, reasoning: true, contextWindow: 256_000,
      prices: [{ since: '2025-06-11', currency: 'CNY', input: 0.8, cacheRead: 0.16, output: 8, batch: 0.5, source: 'syaoranwe/LLM-Price (≤32K input)' }] },
    { id: 'doubao-seed-1-6-flash-250615', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 256_000,
      prices: [{ since: '2025-06-11', currency: 'CNY', input: 0.15, cacheRead: 0.03, output: 1.5, batch: 0.5, source: 'syaoranwe/LLM-Price (≤32K input)' }] },
    { id: 'doubao-1-5-pro-32k-250115', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 32_768,
      prices: [{ since: '2025-01-22', currency: 'CNY', input: 0.8, output: 2, batch: 0.5, source: 'flanker/llmprice.cn' }] },
    { id: 'doubao-1-5-lite-32k-250115', tier: 'light', kind: 'chat', contextWindow: 32_768,
      prices: [{ since: '2025-01-22', currency: 'CNY', input: 0.3, output: 0.6, batch: 0.5, source: 'flanker/llmprice.cn' }] },
  ],
};
