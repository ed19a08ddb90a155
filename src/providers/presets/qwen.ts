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
  // Explicit cache (cache_control, 5-minute TTL, write 125%, hit 10%) from 1,024 tokens; implicit caching otherwise.
  promptCache: { marker: 'cache_control', minTokens: 1024 },
  acceptsReasoningContent: true,
  // OpenAI-compatible Files + Batches under compatible-mode/v1, 50% of real time (help.aliyun.com/document_detail/2975721).
  batchApi: { shape: 'openai-files', lineUrl: '/v1/chat/completions', windowHours: 24, source: 'help.aliyun.com/document_detail/2975721 (providers.md §3)' },
  errorRules: [
    { match: 'arrearage', code: 'upstream_insufficient_balance' },
    { match: 'data_inspection_failed', code: 'upstream_content_rejected' },
    { match: 'datainspectionfailed', code: 'upstream_content_rejected' },
    { match: 'throttling', code: 'upstream_rate_limited' },
    { match: 'invalidapikey', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'qwen-max', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 32_768,
      prices: [
        { since: '2024-05-21', currency: 'CNY', input: 40, output: 120, batch: 0.5, source: 'flanker/llmprice.cn history [3p]' },
        { since: '2024-09-19', currency: 'CNY', input: 20, output: 60, batch: 0.5, source: 'Alibaba Cloud price cut [3p flanker]' },
        { since: '2025-01-25', currency: 'CNY', input: 2.4, output: 9.6, batch: 0.5, source: 'qwen-max-2025-01-25 [doc billing page]' },
      ] },
    { id: 'qwen3-max', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 262_144,
      prices: [{ since: '2026-05-01', currency: 'CNY', input: 2.5, output: 10, batch: 0.5, source: 'official page summary (0–32K tier)' }] },
    { id: 'qwen-plus', tier: 'light', kind: 'chat', tools: true, reasoning: true, contextWindow: 131_072,
      prices: [{ since: '2024-09-19', currency: 'CNY', input: 0.8, cacheRead: 0.16, output: 2, batch: 0.5, source: 'syaoranwe/LLM-Price 2025-06' }] },
    { id: 'qwen-flash', tier: 'light', kind: 'chat', tools: true, contextWindow: 1_000_000,
      prices: [{ since: '2025-07-28', currency: 'CNY', input: 0.15, cacheRead: 0.03, output: 1.5, batch: 0.5, source: 'model page (verify)' }] },
    { id: 'qwen-turbo', tier: 'light', kind: 'chat', tools: true, contextWindow: 131_072,
      prices: [{ since: '2024-09-19', currency: 'CNY', input: 0.3, cacheRead: 0.06, output: 0.6, batch: 0.5, source: 'syaoranwe/LLM-Price' }] },
    { id: 'qwen-vl-plus', tier: 'light', kind: 'chat', vision: true, contextWindow: 131_072,
      prices: [
        { since: '2024-01-01', currency: 'CNY', input: 8, output: 8, batch: 0.5, source: 'OpenAI-Vision-compat page, 0.008 ¥/1k [doc]' },
        { since: '2025-01-01', currency: 'CNY', input: 1.5, output: 4.5, batch: 0.5, source: 'tongyi-qianwen-vl page updated 2025-02-13, 0.0015 ¥/1k (Batch 0.00075) [doc]' },
      ] },
    { id: 'qwen-vl-max', tier: 'flagship', kind: 'chat', vision: true, contextWindow: 131_072,
      prices: [
        { since: '2024-01-01', currency: 'CNY', input: 20, output: 20, batch: 0.5, source: 'OpenAI-Vision-compat page [doc]' },
        { since: '2025-01-01', currency: 'CNY', input: 3, output: 9, batch: 0.5, source: 'tongyi-qianwen-vl page updated 2025-02-13 [doc]' },
      ] },
    { id: 'text-embedding-v3', tier: 'light', kind: 'embedding',
      prices: [{ since: '2024-09-01', currency: 'CNY', input: 0.5, output: 0, batch: 0.5, source: 'help.aliyun.com embedding pricing' }] },
  ],
};
