import type { PresetDefinition } from '../preset.js';

// MiniMax. Errors can arrive as HTTP 200 with base_resp.status_code != 0; temperature must be in (0, 1].
export const minimax: PresetDefinition = {
  id: 'minimax',
  displayName: 'MiniMax',
  dialect: 'openai',
  baseUrl: 'https://api.minimaxi.com/v1',
  apiKeyEnv: ['MINIMAX_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  temperatureRange: { min: 0, max: 1, exclusiveMin: true },
  errorRules: [
    { match: '1008', code: 'upstream_insufficient_balance' },
    { match: '1002', code: 'upstream_rate_limited' },
    { match: '1039', code: 'upstream_rate_limited' },
    { match: '1026', code: 'upstream_content_rejected' },
    { match: '1027', code: 'upstream_content_rejected' },
    { match: '1004', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'MiniMax-M3', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 1_000_000,
      prices: [{ since: '2026-01-01', currency: 'USD', input: 0.3, cacheRead: 0.06, cacheWrite: 0.375, output: 1.2, batch: 0.5, source: 'platform.minimax.io pricing [doc]' }] },
    { id: 'MiniMax-M1', tier: 'light', kind: 'chat', tools: true, reasoning: true, contextWindow: 1_000_000,
      prices: [{ since: '2025-06-16', currency: 'CNY', input: 0.8, output: 8, batch: 0.5, source: 'syaoranwe/LLM-Price (0–32K)' }] },
  ],
};
