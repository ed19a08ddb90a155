import { describe, expect, it } from 'vitest';
import { costOf, formatNanoCny } from '../../src/pricing/cost.js';

const usage = (parts: Partial<Parameters<typeof costOf>[1]>) => ({
  inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, imageTokens: 0, estimated: false, ...parts,
});

describe('costOf', () => {
  it('prices uncached input, cache reads and output separately (deepseek-flash peak: 2 / 0.04 / 8 per 1M)', () => {
    const cost = costOf({ input: 2, cacheRead: 0.04, output: 8, since: '2026-09-10', source: 'test' },
      usage({ inputUncached: 1000, cacheRead: 9000, output: 500 }));
    // 1000×2e-6 + 9000×0.04e-6 + 500×8e-6 = 0.002 + 0.00036 + 0.004
    expect(cost.cny).toBe('0.00636');
    expect(cost.nanoCny).toBe(6_360_000);
  });

  it('bills cache reads at the input price when no cached price is listed', () => {
    const cost = costOf({ input: 2.4, output: 9.6, since: '2025-01-25', source: 'test' }, usage({ cacheRead: 1_000_000 }));
    expect(cost.cny).toBe('2.4');
  });

  it('is exact where floating point is not (0.1 + 0.2)', () => {
    const cost = costOf({ input: 0.1, output: 0.2, since: 'x', source: 'x' }, usage({ inputUncached: 1_000_000, output: 1_000_000 }));
    expect(cost.cny).toBe('0.3');
  });

  it('says an unpriced model is unpriced and costs 0', () => {
    expect(costOf(undefined, usage({ inputUncached: 10 }))).toEqual({ nanoCny: 0, cny: '0', priced: false });
  });

  it('formats nano-yuan as a decimal string', () => {
    expect(formatNanoCny(0)).toBe('0');
    expect(formatNanoCny(1)).toBe('0.000000001');
    expect(formatNanoCny(12_500_000_000)).toBe('12.5');
  });
});
