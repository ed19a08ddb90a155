import { describe, expect, it } from 'vitest';
import { costOf, formatNanoCny, parseCnyToNano } from '../../src/pricing/cost.js';
import type { ModelPrice } from '../../src/providers/preset.js';

const usage = (parts: Partial<Parameters<typeof costOf>[1]>) => ({
  inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, imageTokens: 0, estimated: false, ...parts,
});
const cny = (price: Partial<ModelPrice> & { input: number; output: number }): ModelPrice[] => [{ since: '2020-01-01', currency: 'CNY', source: 'test', ...price }];
const at = new Date('2026-11-28T02:00:00Z'); // a Saturday, 10:00 Beijing
const context = { at, usdToCny: 7.2 };

describe('costOf', () => {
  it('prices uncached input, cache reads and output separately (deepseek-flash peak list: 2 / 0.04 / 8 per 1M)', () => {
    const cost = costOf(cny({ input: 2, cacheRead: 0.04, output: 8 }), usage({ inputUncached: 1000, cacheRead: 9000, output: 500 }), context);
    // 1000×2e-6 + 9000×0.04e-6 + 500×8e-6 = 0.002 + 0.00036 + 0.004
    expect(cost.cny).toBe('0.00636');
    expect(cost.nanoCny).toBe(6_360_000);
    expect(cost.tariff).toBe('standard');
  });

  it('bills cache reads at the input price when no cached price is listed, and reasoning apart when listed', () => {
    expect(costOf(cny({ input: 2.4, output: 9.6 }), usage({ cacheRead: 1_000_000 }), context).cny).toBe('2.4');
    const apart = costOf(cny({ input: 1, output: 2, reasoning: 8 }), usage({ output: 1_000_000, reasoning: 250_000 }), context);
    expect(apart.cny).toBe('3.5'); // 750k × 2 + 250k × 8 per 1M
  });

  it('is exact where floating point is not (0.1 + 0.2)', () => {
    expect(costOf(cny({ input: 0.1, output: 0.2 }), usage({ inputUncached: 1_000_000, output: 1_000_000 }), context).cny).toBe('0.3');
  });

  it('uses the price version in force at the moment of the call', () => {
    const prices: ModelPrice[] = [
      { since: '2024-01-01', currency: 'CNY', input: 8, output: 8, source: 'old' },
      { since: '2025-01-01', currency: 'CNY', input: 1.5, output: 4.5, source: 'new' },
    ];
    const tokens = usage({ inputUncached: 1000 });
    expect(costOf(prices, tokens, { at: new Date('2024-12-31T15:59:59Z'), usdToCny: 7.2 }).cny).toBe('0.008'); // 23:59:59 Beijing
    expect(costOf(prices, tokens, { at: new Date('2024-12-31T16:00:00Z'), usdToCny: 7.2 }).cny).toBe('0.0015'); // 00:00 Beijing
    expect(costOf(prices, tokens, { at: new Date('2023-06-01T00:00:00Z'), usdToCny: 7.2 })).toMatchObject({ priced: false, cny: '0' });
  });

  it('converts USD prices at the configured rate and says which rate', () => {
    const cost = costOf([{ since: '2020-01-01', currency: 'USD', input: 3, output: 15, source: 'x' }], usage({ inputUncached: 1_000_000 }), { at, usdToCny: 7.1 });
    expect(cost).toMatchObject({ cny: '21.3', usdToCny: 7.1, currency: 'USD' });
  });

  it('applies the batch multiplier as its own tariff', () => {
    const cost = costOf(cny({ input: 2, output: 8, batch: 0.5 }), usage({ inputUncached: 1_000_000 }), { ...context, batch: true });
    expect(cost).toMatchObject({ cny: '1', tariff: 'batch', multiplier: 0.5 });
  });

  it('says an unpriced model is unpriced and costs 0', () => {
    expect(costOf([], usage({ inputUncached: 10 }), context)).toMatchObject({ nanoCny: 0, cny: '0', priced: false });
  });

  it('formats and parses nano-yuan amounts exactly', () => {
    expect(formatNanoCny(0)).toBe('0');
    expect(formatNanoCny(1)).toBe('0.000000001');
    expect(formatNanoCny(12_500_000_000)).toBe('12.5');
    expect(parseCnyToNano('12.5')).toBe(12_500_000_000);
    expect(parseCnyToNano('0.000000001')).toBe(1);
    expect(() => parseCnyToNano('1e3')).toThrow();
  });

  it('a million small costs sum exactly (integers, no drift)', () => {
    let nano = 0;
    let float = 0;
    const one = costOf(cny({ input: 0.1, output: 0.3 }), usage({ inputUncached: 7, output: 3 }), context);
    for (let i = 0; i < 1_000_000; i += 1) {
      nano += one.nanoCny;
      float += Number(one.cny);
    }
    expect(one.cny).toBe('0.0000016'); // 7×0.1e-6 + 3×0.3e-6
    expect(formatNanoCny(nano)).toBe('1.6');
    expect(float).not.toBe(1.6); // what a float ledger would have drifted to
  });
});
