import { describe, expect, it } from 'vitest';
import { decidePromotion } from '../../src/evaluation/promotion.js';
import { gradedReplay, passFailReplay } from './simulated-scores.js';

const REPLAYS = 200;
const promotions = (make: (seed: number) => ReturnType<typeof gradedReplay>, margin = 0) =>
  Array.from({ length: REPLAYS }, (_, seed) => decidePromotion(make(seed + 1), { margin, resamples: 1000 }).promote).filter(Boolean).length;

describe('promotion gate: promote only when the paired difference lower bound is above the margin', () => {
  it('never promotes a candidate 3 points worse, in 200 simulated replays of 100 essays', () => {
    expect(promotions((seed) => gradedReplay(seed, 100, -3))).toBe(0);
  });

  it('promotes a candidate 3 points better in most replays', () => {
    expect(promotions((seed) => gradedReplay(seed, 100, 3))).toBeGreaterThan(REPLAYS * 0.8);
  });

  it('promotes an equally good candidate rarely (about the one-sided 2.5% error rate)', () => {
    expect(promotions((seed) => gradedReplay(seed, 100, 0))).toBeLessThanOrEqual(REPLAYS * 0.05);
  });

  it('works on pass/fail scores (within 5 points of the teacher): worse never, better mostly', () => {
    expect(promotions((seed) => passFailReplay(seed, 200, 0.75, 0.65))).toBe(0);
    expect(promotions((seed) => passFailReplay(seed, 200, 0.7, 0.85))).toBeGreaterThan(REPLAYS * 0.8);
  });

  it('a margin demands more than "better": +3 points does not clear a margin of 5', () => {
    expect(promotions((seed) => gradedReplay(seed, 100, 3), 5)).toBe(0);
  });

  it('says why, and refuses to decide on a handful of items', () => {
    const decision = decidePromotion(gradedReplay(1, 100, 3));
    expect(decision.reason).toMatch(/^difference \d\.\d+, 95% CI \[\d\.\d+, \d\.\d+\]: lower bound above 0$/);
    expect(decidePromotion(gradedReplay(1, 5, 30)).reason).toBe('only 5 paired items; at least 20 are needed');
  });
});
