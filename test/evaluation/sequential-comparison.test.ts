import { describe, expect, it } from 'vitest';
import { SequentialPairedComparison, type SequentialState } from '../../src/evaluation/sequential-comparison.js';
import { passFailReplay } from './simulated-scores.js';

const RUNS = 300;

/** Streams pairs into a fresh comparison until it stops; returns the final state. */
function runUntilStop(seed: number, incumbentRate: number, candidateRate: number, options: ConstructorParameters<typeof SequentialPairedComparison>[0] = {}): SequentialState {
  const comparison = new SequentialPairedComparison({ maxPairs: 4000, ...options });
  const stream = passFailReplay(seed, 4000, incumbentRate, candidateRate);
  let state = comparison.state();
  for (const pair of stream) {
    state = comparison.add(pair.candidate, pair.incumbent);
    if (state.verdict !== 'continue') break;
  }
  return state;
}

const runs = (incumbentRate: number, candidateRate: number, options = {}) => Array.from({ length: RUNS }, (_, seed) => runUntilStop(seed + 1, incumbentRate, candidateRate, options));
const share = (states: SequentialState[], verdict: string) => states.filter((state) => state.verdict === verdict).length / states.length;
const meanPairs = (states: SequentialState[]) => states.reduce((sum, state) => sum + state.pairs, 0) / states.length;

describe('sequential paired comparison (anytime-valid, δ = 0.05)', () => {
  it('finds a clearly better candidate, never the wrong way round, and stops early', () => {
    const states = runs(0.7, 0.85);
    expect(share(states, 'incumbent_better')).toBe(0);
    expect(share(states, 'candidate_better')).toBeGreaterThan(0.95);
    // A fixed-horizon paired z-test planned for exactly this gap (mean 0.148, sd 0.564, two-sided α = 0.05,
    // power 0.95) needs 188 pairs; the sequential test needs about as many on average (measured 188) while
    // being allowed to look after every pair and needing no guess of the gap in advance.
    expect(meanPairs(states)).toBeLessThan(250);
  });

  it('declares a winner between equal variants at most δ of the time, even though it looks after every pair', () => {
    const states = runs(0.75, 0.75, { maxPairs: 1500 });
    expect(share(states, 'candidate_better') + share(states, 'incumbent_better')).toBeLessThanOrEqual(0.05);
  });

  it('stops for equivalence when both are within ε, and only then', () => {
    const equal = runs(0.75, 0.75, { epsilon: 0.1 });
    expect(share(equal, 'equivalent')).toBeGreaterThan(0.95);
    const apart = runs(0.6, 0.75, { epsilon: 0.1 });
    expect(share(apart, 'equivalent')).toBeLessThanOrEqual(0.05);
  });

  it('the interval always holds the running mean, narrows, and pairs after a verdict change nothing', () => {
    const comparison = new SequentialPairedComparison({ minPairs: 1 });
    let width = 2;
    for (let i = 0; i < 60 && comparison.state().verdict === 'continue'; i += 1) {
      const state = comparison.add(1, i % 4 === 0 ? 1 : 0);
      expect(state.lower).toBeLessThanOrEqual(state.mean);
      expect(state.upper).toBeGreaterThanOrEqual(state.mean);
      expect(state.upper - state.lower).toBeLessThanOrEqual(width);
      width = state.upper - state.lower;
    }
    const stopped = comparison.state();
    expect(stopped.verdict).toBe('candidate_better');
    expect(comparison.add(0, 1)).toEqual(stopped);
    expect(() => new SequentialPairedComparison().add(1.5, 0)).toThrow(/in \[0, 1\]/);
  });
});
