import type { PresetDefinition } from '../preset.js';

// Tencent Hunyuan OpenAI-compatible endpoint; streams can end with finish_reason "sensitive".
export const hunyuan: PresetDefinition = {
  id: 'hunyuan',
  displayName: 'Tencent Hunyuan',
  dialect: 'openai',
  baseUrl: 'https://api.hunyuan.cloud.tencent.com/v1',
  apiKeyEnv: ['HUNYUAN_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  moderationFinishReasons: ['sensitive'],
  errorRules: [
    { match: 'limitexceeded', code: 'upstream_rate_limited' },
    { match: 'resourceinsufficient', code: 'upstream_insufficient_balance' },
    { match: 'resourcepack', code: 'upstream_insufficient_balance' },
    { match: 'sensitive', code: 'upstream_content_rejected' },
  ],
  models: [
    { id: 'hunyuan-turbos-latest', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 32_000,
      prices: [{ since: '2025-06-14', currency: 'CNY', input: 0.8, output: 2, source: 'syaoranwe/LLM-Price' }] },
    { id: 'hunyuan-t1-latest', tier: 'flagship', kind: 'chat', reasoning: true, contextWindow: 32_000,
      prices: [{ since: '2025-06-14', currency: 'CNY', input: 1, output: 4, source: 'syaoranwe/LLM-Price' }] },
    { id: 'hunyuan-lite', tier: 'light', kind: 'chat', contextWindow: 256_000,
      prices: [{ since: '2024-05-22', currency: 'CNY', input: 0, output: 0, source: 'free' }] },
  ],
};
