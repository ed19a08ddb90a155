import type { PresetDefinition } from '../preset.js';

// Zhipu bigmodel.cn. Business codes: 1113 arrears, 1301 unsafe content, 1302/1303/1305 throttling.
export const glm: PresetDefinition = {
  id: 'glm',
  displayName: 'Zhipu GLM',
  dialect: 'openai',
  baseUrl: 'https://open.bigmodel.cn/api/paas/v4',
  apiKeyEnv: ['ZHIPUAI_API_KEY', 'ZHIPU_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  moderationFinishReasons: ['sensitive'],
  // Batch API (2024-05): OpenAI-style JSONL with url /v4/chat/completions, 50%, 24 h [3p: juejin, providers.md §3].
  batchApi: { shape: 'openai-files', lineUrl: '/v4/chat/completions', windowHours: 24, source: 'juejin "智谱AI 发布 Batch API" [3p] (providers.md §3)' },
  errorRules: [
    { match: '1113', code: 'upstream_insufficient_balance' },
    { match: '1301', code: 'upstream_content_rejected' },
    { match: '1302', code: 'upstream_rate_limited' },
    { match: '1303', code: 'upstream_rate_limited' },
    { match: '1305', code: 'upstream_rate_limited' },
    { match: '1000', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'glm-5.3', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 200_000,
      prices: [{ since: '2026-06-01', currency: 'CNY', input: 8, cacheRead: 2, output: 28, batch: 0.5, source: 'docs.bigmodel.cn pricing' }] },
    { id: 'glm-4-plus', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 128_000,
      prices: [
        { since: '2024-08-29', currency: 'CNY', input: 50, output: 50, batch: 0.5, source: 'flanker/llmprice.cn [3p]' },
        { since: '2025-04-23', currency: 'CNY', input: 5, output: 5, batch: 0.5, source: 'syaoranwe/LLM-Price 2025-04-23 [3p]' },
      ] },
    { id: 'glm-4-air-250414', tier: 'light', kind: 'chat', tools: true, contextWindow: 128_000,
      prices: [{ since: '2025-04-14', currency: 'CNY', input: 0.5, output: 0.5, batch: 0.5, source: 'syaoranwe/LLM-Price' }] },
    { id: 'glm-4-flash', tier: 'light', kind: 'chat', tools: true, contextWindow: 128_000,
      prices: [{ since: '2024-08-27', currency: 'CNY', input: 0, output: 0, batch: 0.5, source: 'free, rate-limited' }] },
    { id: 'embedding-3', tier: 'light', kind: 'embedding',
      prices: [{ since: '2024-09-01', currency: 'CNY', input: 0.5, output: 0, batch: 0.5, source: 'docs.bigmodel.cn pricing' }] },
  ],
};
