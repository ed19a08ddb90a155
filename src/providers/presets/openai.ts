import type { PresetDefinition } from '../preset.js';

// USD list prices; converted at the configured rate (pricing.usdToCny), stored with every ledger row.
export const openai: PresetDefinition = {
  id: 'openai',
  displayName: 'OpenAI',
  dialect: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  apiKeyEnv: ['OPENAI_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  developerRole: true,
  // Automatic caching from 1,024 tokens; prompt_cache_key keeps requests sharing a prefix on the same cache.
  promptCache: { cacheKeyParam: 'prompt_cache_key' },
  // Batch API: JSONL via /v1/files (purpose batch), then /v1/batches; 50%, 24 h window (providers.md §3).
  batchApi: { shape: 'openai-files', lineUrl: '/v1/chat/completions', windowHours: 24, source: 'OpenAI Batch API docs (providers.md §3)' },
  errorRules: [
    { match: 'insufficient_quota', code: 'upstream_insufficient_balance' },
    { match: 'rate_limit_exceeded', code: 'upstream_rate_limited' },
    { match: 'content_policy_violation', code: 'upstream_content_rejected' },
    { match: 'invalid_api_key', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'gpt-4.1', tier: 'flagship', kind: 'chat', tools: true, vision: true, contextWindow: 1_047_576,
      prices: [{ since: '2025-04-14', currency: 'USD', input: 2, cacheRead: 0.5, output: 8, batch: 0.5, source: 'openai.com pricing' }] },
    { id: 'gpt-4.1-nano', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 1_047_576,
      prices: [{ since: '2025-04-14', currency: 'USD', input: 0.1, cacheRead: 0.025, output: 0.4, batch: 0.5, source: 'openai.com pricing' }] },
    { id: 'gpt-4o-mini', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 128_000,
      prices: [{ since: '2024-07-18', currency: 'USD', input: 0.15, cacheRead: 0.075, output: 0.6, batch: 0.5, source: 'openai.com pricing' }] },
    { id: 'text-embedding-3-small', tier: 'light', kind: 'embedding',
      prices: [{ since: '2024-01-25', currency: 'USD', input: 0.02, output: 0, batch: 0.5, source: 'openai.com pricing' }] },
  ],
};
