import type { PresetDefinition } from '../preset.js';

// iFlytek Spark HTTP API. Business codes: 11200–11203 quota/auth/QPS, 10013/10014 audit failures.
export const spark: PresetDefinition = {
  id: 'spark',
  displayName: 'iFlytek Spark',
  dialect: 'openai',
  baseUrl: 'https://spark-api-open.xf-yun.com/v1',
  apiKeyEnv: ['SPARK_API_PASSWORD', 'SPARK_API_KEY'],
  auth: 'bearer',
  streamUsageOption: false,
  errorRules: [
    { match: '11200', code: 'upstream_insufficient_balance' },
    { match: '11201', code: 'upstream_rate_limited' },
    { match: '11202', code: 'upstream_rate_limited' },
    { match: '11203', code: 'upstream_rate_limited' },
    { match: '10013', code: 'upstream_content_rejected' },
    { match: '10014', code: 'upstream_content_rejected' },
  ],
  models: [
    { id: '4.0Ultra', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 32_768,
      prices: [{ since: '2024-06-27', currency: 'CNY', input: 70, output: 70, source: 'token pack list price (estimate)' }] },
    { id: 'generalv3.5', tier: 'flagship', kind: 'chat', tools: true, contextWindow: 8_192,
      prices: [{ since: '2024-06-27', currency: 'CNY', input: 30, output: 30, source: 'token pack list price (estimate)' }] },
    { id: 'lite', tier: 'light', kind: 'chat', contextWindow: 4_096,
      prices: [{ since: '2024-01-01', currency: 'CNY', input: 0, output: 0, source: 'free' }] },
  ],
};
