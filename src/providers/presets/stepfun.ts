import type { PresetDefinition } from '../preset.js';

export const stepfun: PresetDefinition = {
  id: 'stepfun',
  displayName: 'StepFun',
  dialect: 'openai',
  baseUrl: 'https://api.stepfun.com/v1',
  apiKeyEnv: ['STEPFUN_API_KEY', 'STEP_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  errorRules: [],
  models: [
    { id: 'step-3.7-flash', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 256_000,
      prices: [{ since: '2026-06-01', currency: 'CNY', input: 1.35, cacheRead: 0.27, output: 8.1, source: 'platform.stepfun.com pricing' }] },
    { id: 'step-3.5-flash', tier: 'light', kind: 'chat', tools: true, contextWindow: 256_000,
      prices: [{ since: '2026-02-01', currency: 'CNY', input: 0.7, cacheRead: 0.14, output: 2.1, source: 'platform.stepfun.com pricing' }] },
    { id: 'step-1-8k', tier: 'light', kind: 'chat', contextWindow: 8_192,
      prices: [{ since: '2024-03-01', currency: 'CNY', input: 5, output: 20, source: 'one-api ratio' }] },
  ],
};
