import { pairedDifferenceInterval, type BootstrapOptions, type Interval } from './confidence-intervals.js';

export interface PairedScore {
  readonly candidate: number;
  readonly incumbent: number;
}

export interface PromotionPolicy extends BootstrapOptions {
  /** The candidate must be better by more than this (in score units); default 0. */
  readonly margin?: number;
  /** Fewer pairs than this never promote (default 20): a bootstrap on a handful of items is not evidence. */
  readonly minPairs?: number;
}

export interface PromotionDecision {
  readonly promote: boolean;
  /** mean(candidate − incumbent) with its confidence interval. */
  readonly difference: Interval;
  readonly reason: string;
}

const show = (value: number) => (Math.round(value * 10_000) / 10_000).toString();

/**
 * Promote the candidate only when the lower confidence bound of the paired difference is above the margin:
 * "better, and we are 97.5% sure (one-sided) it is not a fluke". A candidate that is merely not worse stays
 * out; use a negative margin to allow a cheaper model that may be slightly worse.
 */
export function decidePromotion(pairs: readonly PairedScore[], policy: PromotionPolicy = {}): PromotionDecision {
  const margin = policy.margin ?? 0;
  const minPairs = policy.minPairs ?? 20;
  const difference = pairedDifferenceInterval(pairs.map((pair) => pair.candidate), pairs.map((pair) => pair.incumbent), policy);
  const level = Math.round((policy.level ?? 0.95) * 100);
  if (pairs.length < minPairs) return { promote: false, difference, reason: `only ${pairs.length} paired items; at least ${minPairs} are needed` };
  const span = `difference ${show(difference.mean)}, ${level}% CI [${show(difference.lower)}, ${show(difference.upper)}]`;
  return difference.lower > margin
    ? { promote: true, difference, reason: `${span}: lower bound above ${show(margin)}` }
    : { promote: false, difference, reason: `${span}: lower bound not above ${show(margin)}` };
}
