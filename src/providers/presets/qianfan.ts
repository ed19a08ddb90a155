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
      prices: [{ since: '2025-04-25', currency: 'CNY', input: 0.8, output: 3.2, source: 'syaoranwe/LLM-Price 2025-06' }] },
    { id: 'ernie-x1-turbo-32k', tier: 'flagship', kind: 'chat', reasoning: true, contextWindow: 32_768,
      prices: [{ since: '2025-04-25', currency: 'CNY', input: 1, output: 4, source: 'syaoranwe/LLM-Price 2025-06' }] },
    { id: 'ernie-speed-128k', tier: 'light', kind: 'chat', contextWindow: 131_072,
      prices: [
        { since: '2024-03-01', currency: 'CNY', input: 4, output: 8, source: 'pre-2024-05 list price [3p flanker]' },
        { since: '2024-05-21', currency: 'CNY', input: 0, output: 0, source: 'free since 2024-05-21 (Baidu announcement) [3p wxredian]' },
      ] },
    { id: 'ernie-lite-8k', tier: 'light', kind: 'chat', contextWindow: 8_192,
      prices: [
        { since: '2024-03-01', currency: 'CNY', input: 3, output: 6, source: 'pre-2024-05 list price [3p flanker]' },
        { since: '2024-05-21', currency: 'CNY', input: 0, output: 0, source: 'free since 2024-05-21 (Baidu announcement) [3p wxredian]' },
      ] },
  ],
};
