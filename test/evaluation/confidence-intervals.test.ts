import { describe, expect, it } from 'vitest';
import { bootstrapMeanInterval, normalQuantile, pairedDifferenceInterval, seededRandom, wilsonInterval } from '../../src/evaluation/confidence-intervals.js';

describe('confidence intervals', () => {
  it('normal quantiles match the tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
  });

  it('Wilson interval matches a hand computation and stays inside [0, 1]', () => {
    // 8 of 10: centre (0.8 + 1.92/10) / 1.384 = 0.7167, half-width 0.2232 (Newcombe 1998, method 3).
    const interval = wilsonInterval(8, 10);
    expect(interval.lower).toBeCloseTo(0.4902, 3);
    expect(interval.upper).toBeCloseTo(0.9433, 3);
    expect(wilsonInterval(10, 10).upper).toBe(1);
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.2775, 3);
  });

  it('the bootstrap is reproducible and close to the normal interval on a large sample', () => {
    const random = seededRandom(7);
    const values = Array.from({ length: 400 }, () => random());
    const a = bootstrapMeanInterval(values);
    expect(bootstrapMeanInterval(values)).toEqual(a);
    const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - a.mean) ** 2, 0) / (values.length - 1));
    const half = (1.96 * sd) / Math.sqrt(values.length);
    expect(a.upper - a.lower).toBeGreaterThan(2 * half * 0.9);
    expect(a.upper - a.lower).toBeLessThan(2 * half * 1.1);
    expect(a.lower).toBeLessThan(a.mean);
    expect(a.upper).toBeGreaterThan(a.mean);
  });

  it('a 95% bootstrap interval covers the true mean about 95% of the time', () => {
    const random = seededRandom(11);
    let covered = 0;
    const runs = 300;
    for (let run = 0; run < runs; run += 1) {
      const sample = Array.from({ length: 60 }, () => (random() < 0.7 ? 1 : 0));
      const interval = bootstrapMeanInterval(sample, { seed: run + 1, resamples: 1000 });
      if (interval.lower <= 0.7 && 0.7 <= interval.upper) covered += 1;
    }
    expect(covered / runs).toBeGreaterThan(0.9);
    expect(covered / runs).toBeLessThan(0.99);
  });

  it('paired differences resample items, so a constant shift has a zero-width interval', () => {
    const incumbent = [60, 70, 80, 90, 75];
    expect(pairedDifferenceInterval(incumbent.map((score) => score + 2), incumbent)).toMatchObject({ mean: 2, lower: 2, upper: 2, n: 5 });
    expect(() => pairedDifferenceInterval([1], [1, 2])).toThrow(/differ in length/);
  });
});
