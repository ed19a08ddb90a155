import { describe, expect, it } from 'vitest';
import type { ModelConfig, RouteConfig } from '../../src/config/types.js';
import { decideRoute } from '../../src/routing/policy.js';

const model = (id: string, extra: Partial<ModelConfig> = {}): ModelConfig => ({
  id, provider: 'p', upstream: id, tier: 'light', kind: 'chat', fallbacks: [], vision: false, tools: true, contextWindow: 8_000, prices: [], ...extra,
});
const models = new Map<string, ModelConfig>([
  ['small', model('small', { fallbacks: ['medium'] })],
  ['medium', model('medium', { contextWindow: 32_000 })],
  ['blind', model('blind', { contextWindow: 1_000, fallbacks: ['small'] })],
  ['big', model('big', { tier: 'flagship', contextWindow: 128_000, tools: false })],
]);
const route: RouteConfig = {
  id: 'auto', light: ['small'], flagship: ['big'], qualityTarget: 0.95, scenarios: {},
  cascade: { enabled: false, verifier: 'self-consistency', judge: 'small', samples: 2 },
};
const tables = { models, routes: new Map([['auto', route]]) };
const chat = (promptTokens: number, extra: { vision?: boolean; tools?: boolean } = {}) => ({ kind: 'chat' as const, vision: false, tools: false, promptTokens, ...extra });

describe('a prompt longer than every candidate\'s context', () => {
  it('is context_length_exceeded (OpenAI\'s code), with the sizes in the message', () => {
    expect(() => decideRoute(tables, 'small', chat(50_000))).toThrowError(expect.objectContaining({
      code: 'context_length_exceeded', status: 400, param: 'messages',
      message: 'No model can serve this request: small has a 8000-token context, the prompt needs about 50000; medium has a 32000-token context, the prompt needs about 50000.',
    }));
    expect(() => decideRoute(tables, 'auto', chat(200_000))).toThrowError(expect.objectContaining({ code: 'context_length_exceeded' }));
  });

  it('stays unsupported_capability when a model is also left out for what it cannot do', () => {
    expect(() => decideRoute(tables, 'auto', chat(50_000, { tools: true }))).toThrowError(expect.objectContaining({ code: 'unsupported_capability', param: 'model' }));
    expect(() => decideRoute(tables, 'blind', chat(500, { vision: true }))).toThrowError(expect.objectContaining({ code: 'unsupported_capability' }));
  });

  it('is served when any candidate fits', () => {
    expect(decideRoute(tables, 'small', chat(20_000)).candidates.map((m) => m.id)).toEqual(['medium']);
  });
});
