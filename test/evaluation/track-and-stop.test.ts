import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/evaluation/confidence-intervals.js';
import { bernoulliKl, optimalShare, TrackAndStop, type TrackAndStopOptions, type TrackAndStopState } from '../../src/evaluation/track-and-stop.js';

/** One experiment: Bernoulli variants with these success rates until the rule stops. */
function experiment(seed: number, rates: [number, number], options: TrackAndStopOptions = {}): TrackAndStopState {
  const random = seededRandom(seed);
  const test = new TrackAndStop({ maxSamples: 20_000, ...options });
  let state = test.state();
  while (state.phase !== 'stopped') {
    const variant = test.next();
    state = test.record(variant, random() < rates[variant] ? 1 : 0);
  }
  return state;
}

const RUNS = 200;
const experiments = (rates: [number, number], options: TrackAndStopOptions = {}) => Array.from({ length: RUNS }, (_, seed) => experiment(seed + 1, rates, options));
const total = (state: TrackAndStopState) => state.samples[0] + state.samples[1];

describe('track-and-stop for two variants', () => {
  it('kl and the optimal split agree with a brute-force search', () => {
    expect(bernoulliKl(0.5, 0.5)).toBe(0);
    expect(bernoulliKl(0.9, 0.5)).toBeCloseTo(0.9 * Math.log(1.8) + 0.1 * Math.log(0.2), 10);
    expect(optimalShare(0.6, 0.6)).toBe(0.5);
    for (const [a, b] of [[0.95, 0.8], [0.6, 0.5], [0.99, 0.9], [0.5, 0.2], [0.3, 0.7]] as const) {
      const value = (w: number) => w * bernoulliKl(a, w * a + (1 - w) * b) + (1 - w) * bernoulliKl(b, w * a + (1 - w) * b);
      const grid = Array.from({ length: 999 }, (_, i) => (i + 1) / 1000);
      const best = grid.reduce((top, w) => (value(w) > value(top) ? w : top), 0.5);
      expect(Math.abs(optimalShare(a, b) - best)).toBeLessThan(0.002);
    }
    expect(optimalShare(0.95, 0.8)).toBeCloseTo(0.55, 2);
    expect(optimalShare(0.8, 0.95)).toBeCloseTo(0.45, 2);
  });

  it('names the better variant with error at most δ = 0.05 (0.6 vs 0.5, 200 runs), with either threshold', () => {
    const proven = experiments([0.6, 0.5]);
    expect(proven.every((state) => state.winner !== undefined)).toBe(true);
    expect(proven.filter((state) => state.winner === 1).length / RUNS).toBeLessThanOrEqual(0.05);
    const practical = experiments([0.6, 0.5], { threshold: 'practical' });
    expect(practical.filter((state) => state.winner === 1).length / RUNS).toBeLessThanOrEqual(0.05);
    const mean = (states: TrackAndStopState[]) => states.reduce((sum, state) => sum + total(state), 0) / states.length;
    // The practical threshold stops sooner; a fixed 50/50 two-proportion test with α = 0.05 and power 0.95 for this
    // gap needs 2 × 637 = 1,274 requests.
    expect(mean(practical)).toBeLessThan(mean(proven));
    expect(mean(practical)).toBeLessThan(1274);
  });

  it('splits traffic as the optimal allocation says, and minProb bounds the split', () => {
    const states = experiments([0.95, 0.8]);
    expect(states.filter((state) => state.winner === 0).length / RUNS).toBeGreaterThanOrEqual(0.95);
    const shares = states.map((state) => state.samples[0] / total(state));
    expect(shares.reduce((sum, share) => sum + share, 0) / RUNS).toBeCloseTo(optimalShare(0.95, 0.8), 1);
    // With minProb at its maximum (0.5) the allocation is pinned to 50/50 whatever the estimates say.
    const pinned = new TrackAndStop({ minProb: 0.5, minSamplesPerVariant: 1, updateEvery: 1 });
    for (let i = 0; i < 40; i += 1) pinned.record(pinned.next(), i % 3 === 0 ? 1 : 0);
    expect(pinned.state().allocation).toEqual([0.5, 0.5]);
    expect(() => new TrackAndStop({ minProb: 0.6 })).toThrow(/minProb/);
  });

  it('round-robins in the nursery, stops undecided at maxSamples between equal variants, and ignores outcomes after stopping', () => {
    const test = new TrackAndStop({ minSamplesPerVariant: 3, maxSamples: 400 });
    const order = Array.from({ length: 6 }, () => {
      const variant = test.next();
      test.record(variant, 1);
      return variant;
    });
    expect(order).toEqual([0, 1, 0, 1, 0, 1]);
    const equal = experiments([0.5, 0.5], { maxSamples: 400 });
    expect(equal.filter((state) => state.winner !== undefined).length / RUNS).toBeLessThanOrEqual(0.05);
    const stopped = equal[0]!;
    expect(stopped.phase).toBe('stopped');
    expect(() => new TrackAndStop().record(0, 2)).toThrow(/in \[0, 1\]/);
  });
});
