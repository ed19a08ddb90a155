import type { PresetDefinition } from '../preset.js';

// Gemini through its OpenAI-compatible endpoint.
export const gemini: PresetDefinition = {
  id: 'gemini',
  displayName: 'Google Gemini',
  dialect: 'openai',
  baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
  apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  errorRules: [
    { match: 'resource_exhausted', code: 'upstream_rate_limited' },
    { match: 'api_key_invalid', code: 'upstream_auth_failed' },
  ],
  models: [
    { id: 'gemini-2.5-pro', tier: 'flagship', kind: 'chat', tools: true, vision: true, reasoning: true, contextWindow: 1_048_576,
      prices: [{ since: '2025-06-17', currency: 'USD', input: 1.25, cacheRead: 0.31, output: 10, batch: 0.5, source: 'ai.google.dev pricing (≤200K prompt)' }] },
    { id: 'gemini-2.5-flash', tier: 'light', kind: 'chat', tools: true, vision: true, reasoning: true, contextWindow: 1_048_576,
      prices: [{ since: '2025-06-17', currency: 'USD', input: 0.3, cacheRead: 0.075, output: 2.5, batch: 0.5, source: 'ai.google.dev pricing' }] },
    { id: 'gemini-2.5-flash-lite', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 1_048_576,
      prices: [{ since: '2025-07-22', currency: 'USD', input: 0.1, cacheRead: 0.025, output: 0.4, batch: 0.5, source: 'ai.google.dev pricing' }] },
  ],
};
