import type { PresetDefinition } from '../preset.js';

// Prices: api-docs.deepseek.com/zh-cn/quick_start/pricing, peak prices since 2026-08-17 / 2026-09-10
// (off-peak and holiday tariffs are applied by the pricing calendar, not here).
export const deepseek: PresetDefinition = {
  id: 'deepseek',
  displayName: 'DeepSeek',
  dialect: 'openai',
  baseUrl: 'https://api.deepseek.com',
  apiKeyEnv: ['DEEPSEEK_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  errorRules: [
    { status: 402, match: 'insufficient balance', code: 'upstream_insufficient_balance' },
    { status: 400, match: 'content exists risk', code: 'upstream_content_rejected' },
  ],
  models: [
    { id: 'deepseek-v4-pro', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 1_000_000,
      price: { input: 9, cacheRead: 0.3, output: 27, since: '2026-08-17', source: 'api-docs.deepseek.com pricing (peak)' } },
    { id: 'deepseek-flash', tier: 'light', kind: 'chat', tools: true, vision: true, reasoning: true, contextWindow: 1_000_000,
      price: { input: 2, cacheRead: 0.04, output: 8, since: '2026-09-10', source: 'api-docs.deepseek.com pricing (peak)' } },
    { id: 'deepseek-chat', tier: 'light', kind: 'chat', tools: true, contextWindow: 128_000,
      price: { input: 2, cacheRead: 0.04, output: 8, since: '2026-09-10', source: 'legacy alias billed as deepseek-flash' } },
    { id: 'deepseek-reasoner', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 128_000,
      price: { input: 2, cacheRead: 0.04, output: 8, since: '2026-09-10', source: 'legacy alias billed as deepseek-flash' } },
  ],
};
