import { describe, expect, it } from 'vitest';
import type { ModelConfig, RouteConfig } from '../../src/config/types.js';
import { decideRoute, type RouterSignal } from '../../src/routing/policy.js';

const model = (id: string, tier: 'light' | 'flagship', extra: Partial<ModelConfig> = {}): ModelConfig => ({
  id, provider: 'p', upstream: id, tier, kind: 'chat', fallbacks: [], vision: false, tools: true, contextWindow: 32_000, prices: [], ...extra,
});
const models = new Map([
  ['flash', model('flash', 'light')],
  ['mini', model('mini', 'light', { vision: true, contextWindow: 8_000 })],
  ['pro', model('pro', 'flagship', { vision: true, contextWindow: 1_000_000 })],
].map(([id, value]) => [id as string, value as ModelConfig]));
const route: RouteConfig = {
  id: 'auto', light: ['flash', 'mini'], flagship: ['pro'], qualityTarget: 0.95,
  scenarios: { research: { qualityTarget: 0.99 } }, cascade: { enabled: false, verifier: 'self-consistency', judge: 'flash', samples: 2 },
};
const tables = { models, routes: new Map([['auto', route]]) };
const text = { kind: 'chat' as const, vision: false, tools: false };
// Threshold rises with the quality target, as a calibrated router's does.
const signal = (score: number): (() => RouterSignal) => () => ({ version: 'test-1', score, thresholdFor: (target) => (target >= 0.99 ? 0.2 : 0.6) });

describe('decideRoute for a route', () => {
  it('sends a low score to the light tier, with the flagship as fallback, and explains why', () => {
    const decision = decideRoute(tables, 'auto', text, { signal: signal(0.3) });
    expect(decision.candidates.map((m) => m.id)).toEqual(['flash', 'mini', 'pro']);
    expect(decision.route).toMatchObject({ id: 'auto', tier: 'light', score: 0.3, threshold: 0.6, qualityTarget: 0.95 });
    expect(decision.reason).toBe('auto: router test-1 score 0.300 < threshold 0.600 for 95% target -> light');
  });

  it('sends a high score to the flagship', () => {
    const decision = decideRoute(tables, 'auto', text, { signal: signal(0.9) });
    expect(decision.candidates[0]?.id).toBe('pro');
    expect(decision.route?.tier).toBe('flagship');
  });

  it('uses the scenario\'s stricter target', () => {
    const decision = decideRoute(tables, 'auto', text, { scenario: 'research', signal: signal(0.3) });
    expect(decision.route).toMatchObject({ tier: 'flagship', threshold: 0.2, qualityTarget: 0.99 });
    expect(decision.reason).toContain('99% target (scenario research)');
  });

  it('keeps images on models that accept them', () => {
    const decision = decideRoute(tables, 'auto', { ...text, vision: true }, { signal: signal(0.1) });
    expect(decision.candidates.map((m) => m.id)).toEqual(['mini', 'pro']);
    expect(decision.reason).toContain('skipped flash does not accept images');
  });

  it('sends a prompt too long for every light model to the flagship even when the router says light', () => {
    const decision = decideRoute(tables, 'auto', { ...text, promptTokens: 50_000 }, { signal: signal(0.1) });
    expect(decision.candidates.map((m) => m.id)).toEqual(['pro']);
    expect(decision.route?.tier).toBe('flagship');
    expect(decision.reason).toContain('no light model can serve it');
  });

  it('without a router, a route goes to the flagship and says so', () => {
    expect(decideRoute(tables, 'auto', text).reason).toBe('auto: no router loaded -> flagship');
  });

  it('a plain model name is not routed', () => {
    const decision = decideRoute(tables, 'flash', text, { signal: signal(0.99) });
    expect(decision.candidates.map((m) => m.id)).toEqual(['flash']);
    expect(decision.route).toBeUndefined();
  });
});
