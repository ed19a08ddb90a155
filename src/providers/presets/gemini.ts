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
      price: { input: 9, cacheRead: 2.25, output: 72, since: '2025-06-17', source: 'syaoranwe/LLM-Price (≤200K) at ¥7.2/$' } },
    { id: 'gemini-2.5-flash', tier: 'light', kind: 'chat', tools: true, vision: true, reasoning: true, contextWindow: 1_048_576,
      price: { input: 2.16, cacheRead: 0.54, output: 18, since: '2025-06-17', source: 'syaoranwe/LLM-Price at ¥7.2/$' } },
    { id: 'gemini-2.5-flash-lite', tier: 'light', kind: 'chat', tools: true, vision: true, contextWindow: 1_048_576,
      price: { input: 0.72, cacheRead: 0.18, output: 2.88, since: '2025-07-22', source: 'syaoranwe/LLM-Price at ¥7.2/$' } },
  ],
};
