import type { ModelPrice, PresetDefinition } from '../preset.js';

// Price history from providers.md §4 (DeepSeek timeline, all dates Beijing). Sources:
// api-docs.deepseek.com/zh-cn/quick_start/pricing [doc] and dated news/tracker pages [3p].
const nightV3 = { schedule: 'deepseek-night-2025', multipliers: { night: 0.5 } } as const;
const nightR1 = { schedule: 'deepseek-night-2025', multipliers: { night: 0.25 } } as const;
const peak2026 = { schedule: 'deepseek-peak-2026', multipliers: { 'off-peak': 0.5 } } as const;

const v3Era: ModelPrice[] = [
  { since: '2025-02-09', currency: 'CNY', input: 2, cacheRead: 0.5, output: 8, source: 'V3 standard price after the launch offer [3p faxianai 7934]' },
  { since: '2025-02-26', currency: 'CNY', input: 2, cacheRead: 0.5, output: 8, tariff: nightV3, source: 'night discount 00:30–08:30 at 50% [3p faxianai 7934]' },
  { since: '2025-09-06', currency: 'CNY', input: 4, cacheRead: 0.5, output: 12, source: 'V3.1 unified price, night discount ended [3p skywork]' },
  { since: '2025-09-29', currency: 'CNY', input: 2, cacheRead: 0.2, output: 3, source: 'V3.2-Exp price cut [3p skywork; Roo-Code deepseek.ts]' },
];
// deepseek-chat / deepseek-reasoner became aliases of the V4 Flash model (billed as Flash).
const flashEra: ModelPrice[] = [
  { since: '2026-04-24', currency: 'CNY', input: 1, cacheRead: 0.02, output: 2, source: 'V4 preview, flat price [3p welinux 54]' },
  { since: '2026-08-17', currency: 'CNY', input: 3, cacheRead: 0.1, output: 9, tariff: peak2026, source: 'peak/off-peak billing, peak price [doc pricing; 3p apiyi]' },
  { since: '2026-09-10', currency: 'CNY', input: 2, cacheRead: 0.04, output: 8, tariff: peak2026, source: 'deepseek-flash = V4.1-Flash, peak price [doc pricing V4.1-Flash-1017]' },
];

export const deepseek: PresetDefinition = {
  id: 'deepseek',
  displayName: 'DeepSeek',
  dialect: 'openai',
  baseUrl: 'https://api.deepseek.com',
  apiKeyEnv: ['DEEPSEEK_API_KEY'],
  auth: 'bearer',
  streamUsageOption: true,
  acceptsReasoningContent: true,
  // JSON Output: response_format {"type": "json_object"} only, with "json" in the prompt [doc api-docs.deepseek.com/guides/json_mode].
  structuredOutput: { formats: ['json_object'], jsonWordRequired: true },
  errorRules: [
    { status: 402, match: 'insufficient balance', code: 'upstream_insufficient_balance' },
    { status: 400, match: 'content exists risk', code: 'upstream_content_rejected' },
  ],
  models: [
    { id: 'deepseek-v4-pro', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 1_000_000,
      prices: [
        { since: '2026-04-24', currency: 'CNY', input: 3, cacheRead: 0.025, output: 6, source: 'V4 launch list 12/0.1/24 with 75% promotion [3p welinux 54]' },
        { since: '2026-08-17', currency: 'CNY', input: 9, cacheRead: 0.3, output: 27, tariff: peak2026, source: 'peak/off-peak billing, peak price [doc pricing V4-Pro-0813]' },
      ] },
    { id: 'deepseek-flash', tier: 'light', kind: 'chat', tools: true, vision: true, reasoning: true, contextWindow: 1_000_000, prices: flashEra },
    { id: 'deepseek-chat', tier: 'light', kind: 'chat', tools: true, contextWindow: 128_000, prices: [...v3Era, ...flashEra] },
    { id: 'deepseek-reasoner', tier: 'flagship', kind: 'chat', tools: true, reasoning: true, contextWindow: 128_000,
      prices: [
        { since: '2025-02-09', currency: 'CNY', input: 4, cacheRead: 1, output: 16, source: 'R1 standard price [3p faxianai 7934]' },
        { since: '2025-02-26', currency: 'CNY', input: 4, cacheRead: 1, output: 16, tariff: nightR1, source: 'night discount 00:30–08:30 at 25% [3p faxianai 7934]' },
        ...v3Era.slice(2),
        ...flashEra,
      ] },
  ],
};
