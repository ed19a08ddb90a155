import type { PresetDefinition } from '../preset.js';

// Native Messages API outbound. input_tokens excludes cache reads and writes.
export const anthropic: PresetDefinition = {
  id: 'anthropic',
  displayName: 'Anthropic',
  dialect: 'anthropic',
  baseUrl: 'https://api.anthropic.com/v1',
  apiKeyEnv: ['ANTHROPIC_API_KEY'],
  auth: 'x-api-key',
  headers: { 'anthropic-version': '2023-06-01' },
  streamUsageOption: false,
  // cache_control breakpoints (write 1.25x, read 0.1x); 1,024 tokens minimum on Sonnet/Opus 4.x.
  promptCache: { marker: 'cache_control', minTokens: 1024 },
  // Message Batches: POST /v1/messages/batches with inline requests, results as JSONL, 50%, 24 h (providers.md §3).
  batchApi: { shape: 'anthropic-message-batches', windowHours: 24, source: 'Anthropic Message Batches docs (providers.md §3)' },
  errorRules: [
    { match: 'overloaded_error', code: 'upstream_rate_limited' },
    { match: 'rate_limit_error', code: 'upstream_rate_limited' },
    { match: 'credit balance', code: 'upstream_insufficient_balance' },
    { match: 'authentication_error', code: 'upstream_auth_failed' },
    { match: 'permission_error', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'claude-sonnet-4-5', tier: 'flagship', kind: 'chat', tools: true, vision: true, contextWindow: 200_000,
      prices: [{ since: '2025-09-29', currency: 'USD', input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15, batch: 0.5, source: 'anthropic.com pricing (5-minute cache write)' }] },
    { id: 'claude-haiku-4-5', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 200_000,
      prices: [{ since: '2025-10-15', currency: 'USD', input: 1, cacheRead: 0.1, cacheWrite: 1.25, output: 5, batch: 0.5, source: 'anthropic.com pricing (5-minute cache write)' }] },
  ],
};
