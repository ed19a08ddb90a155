import type { PresetDefinition } from '../preset.js';

// USD list prices converted at ¥7.2/$ (providers.md §5); the pricing issue makes the rate configurable.
export const openai: PresetDefinition = {
  id: 'openai',
  displayName: 'OpenAI',
  dialect: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  apiKeyEnv: ['OPENAI_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  errorRules: [
    { match: 'insufficient_quota', code: 'upstream_insufficient_balance' },
    { match: 'rate_limit_exceeded', code: 'upstream_rate_limited' },
    { match: 'content_policy_violation', code: 'upstream_content_rejected' },
    { match: 'invalid_api_key', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'gpt-4.1', tier: 'flagship', kind: 'chat', tools: true, vision: true, contextWindow: 1_047_576,
      price: { input: 14.4, cacheRead: 3.6, output: 57.6, since: '2025-04-14', source: 'openai.com pricing at ¥7.2/$' } },
    { id: 'gpt-4.1-nano', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 1_047_576,
      price: { input: 0.72, cacheRead: 0.18, output: 2.88, since: '2025-04-14', source: 'openai.com pricing at ¥7.2/$' } },
    { id: 'gpt-4o-mini', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 128_000,
      price: { input: 1.08, cacheRead: 0.54, output: 4.32, since: '2024-07-18', source: 'openai.com pricing at ¥7.2/$' } },
    { id: 'text-embedding-3-small', tier: 'light', kind: 'embedding',
      price: { input: 0.144, output: 0, since: '2024-01-25', source: 'openai.com pricing at ¥7.2/$' } },
  ],
};
