import { describe, expect, it } from 'vitest';
import { declaredScenarios, modelCallContext, type ScenarioConfig } from '../../src/api/call-context.js';
import type { Exchange } from '../../src/http/exchange.js';

const exchange = (scenario?: string): Exchange => ({
  request: { headers: scenario === undefined ? {} : { 'x-tidegate-scenario': scenario }, socket: { remoteAddress: '127.0.0.1' } },
  principal: { kind: 'open' },
} as unknown as Exchange);

function config(parts: { scenarios?: string[]; route?: string[]; semantic?: string[]; capture?: string[] } = {}): ScenarioConfig {
  return {
    scenarios: Object.fromEntries((parts.scenarios ?? []).map((name) => [name, {}])),
    routes: [{ scenarios: Object.fromEntries((parts.route ?? []).map((name) => [name, { qualityTarget: 0.99 }])) }],
    cache: { semantic: { scenarios: parts.semantic ?? [] } },
    flywheel: { capture: { scenarios: Object.fromEntries((parts.capture ?? []).map((name) => [name, 1])) } },
    experiments: [],
  } as unknown as ScenarioConfig;
}

describe('x-tidegate-scenario', () => {
  it('refuses a name the config does not declare, listing the declared ones', () => {
    const declared = config({ scenarios: ['research', 'chat'] });
    expect(() => modelCallContext(exchange('reserch'), 'chat', declared)).toThrowError(
      expect.objectContaining({ code: 'invalid_request', status: 400, param: 'x-tidegate-scenario', message: 'x-tidegate-scenario: unknown scenario "reserch"; the config declares chat, research.' }),
    );
    expect(modelCallContext(exchange('research'), 'chat', declared).scenario).toBe('research');
  });

  it('accepts names other sections use once scenarios: exists', () => {
    const declared = config({ scenarios: ['research'], route: ['careful'], semantic: ['support'], capture: ['grading'] });
    expect([...declaredScenarios(declared)!].sort()).toEqual(['careful', 'grading', 'research', 'support']);
    for (const name of ['careful', 'support', 'grading']) expect(modelCallContext(exchange(name), 'chat', declared).scenario).toBe(name);
  });

  it('is a free label when the config has no scenarios: section (opt-in lists do not declare)', () => {
    const labels = config({ semantic: ['support'], route: ['research'] });
    expect(declaredScenarios(labels)).toBeUndefined();
    expect(modelCallContext(exchange('anything-goes'), 'chat', labels).scenario).toBe('anything-goes');
    expect(modelCallContext(exchange('anything-goes'), 'chat').scenario).toBe('anything-goes');
  });

  it('still refuses a malformed name, and ignores an absent or empty header', () => {
    expect(() => modelCallContext(exchange('has space'), 'chat')).toThrowError(expect.objectContaining({ param: 'x-tidegate-scenario' }));
    expect(modelCallContext(exchange(''), 'chat', config({ scenarios: ['a'] })).scenario).toBeUndefined();
    expect(modelCallContext(exchange(), 'chat', config({ scenarios: ['a'] })).scenario).toBeUndefined();
  });
});
