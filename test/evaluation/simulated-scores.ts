import { seededRandom } from '../../src/evaluation/confidence-intervals.js';
import type { PairedScore } from '../../src/evaluation/promotion.js';

/** A seeded standard normal sampler (Box–Muller). */
export function normalSampler(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * One simulated replay on an essay set: each essay has a quality both models see (mean 70, sd 12 points),
 * each model adds its own noise (sd 6) and the candidate is `shift` points better (or worse) on average.
 */
export function gradedReplay(seed: number, items: number, shift: number): PairedScore[] {
  const normal = normalSampler(seed);
  return Array.from({ length: items }, () => {
    const essay = 70 + 12 * normal();
    return { incumbent: essay + 6 * normal(), candidate: essay + shift + 6 * normal() };
  });
}

/** Pass/fail outcomes: the incumbent passes with `incumbentRate`, the candidate with `candidateRate`, both depending on the item. */
export function passFailReplay(seed: number, items: number, incumbentRate: number, candidateRate: number): PairedScore[] {
  const random = seededRandom(seed);
  return Array.from({ length: items }, () => {
    // A shared item difficulty makes the outcomes correlated, as on real data.
    const easy = random() < 0.5;
    const bump = easy ? 0.1 : -0.1;
    return { incumbent: random() < incumbentRate + bump ? 1 : 0, candidate: random() < candidateRate + bump ? 1 : 0 };
  });
}
