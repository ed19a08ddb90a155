import type { PresetDefinition } from '../preset.js';

// DashScope compatible mode. Prices: help.aliyun.com model pages and price trackers (see providers.md §5).
export const qwen: PresetDefinition = {
  id: 'qwen',
  displayName: 'Alibaba Qwen (DashScope)',
  dialect: 'openai',
  baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  apiKeyEnv: ['DASHSCOPE_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  errorRules: [
    { match: 'arrearage', code: 'upstream_insufficient_balance' },
    { match: 'data_inspection_failed', code: 'upstream_content_rejected' },
    { match: 'datainspectionfailed', code: 'upstream_content_rejected' },
    { match: 'throttling', code: 'upstream_rate_limited' },
    { match: 'invalidapikey', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'qwen-max', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 32_768,
      price: { input: 2.4, output: 9.6, since: '2025-01-25', source: 'help.aliyun.com qwen-max-2025-01-25' } },
    { id: 'qwen3-max', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 262_144,
      price: { input: 2.5, output: 10, since: '2026-05-01', source: 'official page summary (0–32K tier)' } },
    { id: 'qwen-plus', tier: 'light', kind: 'chat', tools: true, reasoning: true, contextWindow: 131_072,
      price: { input: 0.8, cacheRead: 0.16, output: 2, since: '2024-09-19', source: 'syaoranwe/LLM-Price 2025-06' } },
    { id: 'qwen-flash', tier: 'light', kind: 'chat', tools: true, contextWindow: 1_000_000,
      price: { input: 0.15, cacheRead: 0.03, output: 1.5, since: '2025-07-28', source: 'model page (verify)' } },
    { id: 'qwen-turbo', tier: 'light', kind: 'chat', tools: true, contextWindow: 131_072,
      price: { input: 0.3, cacheRead: 0.06, output: 0.6, since: '2024-09-19', source: 'syaoranwe/LLM-Price' } },
    { id: 'qwen-vl-plus', tier: 'light', kind: 'chat', vision: true, contextWindow: 131_072,
      price: { input: 1.5, output: 4.5, since: '2025-01-01', source: 'help.aliyun.com tongyi-qianwen-vl (2025-02-13)' } },
    { id: 'qwen-vl-max', tier: 'flagship', kind: 'chat', vision: true, contextWindow: 131_072,
      price: { input: 3, output: 9, since: '2025-01-01', source: 'help.aliyun.com tongyi-qianwen-vl' } },
    { id: 'text-embedding-v3', tier: 'light', kind: 'embedding',
      price: { input: 0.5, output: 0, since: '2024-09-01', source: 'help.aliyun.com embedding pricing' } },
  ],
};
