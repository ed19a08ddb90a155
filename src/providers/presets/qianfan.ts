import type { PresetDefinition } from '../preset.js';

// Baidu Qianfan v2 (OpenAI-style). ERNIE Speed/Lite are free since 2024-05-21.
export const qianfan: PresetDefinition = {
  id: 'qianfan',
  displayName: 'Baidu ERNIE (Qianfan)',
  dialect: 'openai',
  baseUrl: 'https://qianfan.baidubce.com/v2',
  apiKeyEnv: ['QIANFAN_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  errorRules: [
    { match: 'qps', code: 'upstream_rate_limited' },
    { match: '336501', code: 'upstream_rate_limited' },
    { match: '336502', code: 'upstream_rate_limited' },
    { match: '336003', code: 'upstream_content_rejected' },
    { match: 'arrear', code: 'upstream_insufficient_balance' },
  ],
  models: [
    { id: 'ernie-4.5-turbo-128k', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 131_072,
      price: { input: 0.8, output: 3.2, since: '2025-04-25', source: 'syaoranwe/LLM-Price 2025-06' } },
    { id: 'ernie-x1-turbo-32k', tier: 'flagship', kind: 'chat', reasoning: true, contextWindow: 32_768,
      price: { input: 1, output: 4, since: '2025-04-25', source: 'syaoranwe/LLM-Price 2025-06' } },
    { id: 'ernie-speed-128k', tier: 'light', kind: 'chat', contextWindow: 131_072,
      price: { input: 0, output: 0, since: '2024-05-21', source: 'Baidu announcement (free)' } },
    { id: 'ernie-lite-8k', tier: 'light', kind: 'chat', contextWindow: 8_192,
      price: { input: 0, output: 0, since: '2024-05-21', source: 'Baidu announcement (free)' } },
  ],
};
