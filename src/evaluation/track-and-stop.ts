import { capShares, checkStop, glrStatistic, optimalWeights, stoppingThreshold, type ArmTally, type ThresholdKind, type TrackAndStopSettings } from '../experiments/track-and-stop.js';

/*
 * Track-and-stop for two variants on live traffic (each request goes to one variant, outcomes in [0, 1]):
 * which variant should get the next request, and when the data are enough to name the better one.
 * Garivier & Kaufmann, "Optimal best arm identification with fixed confidence" (COLT 2016), for two arms:
 *
 * - nursery: round-robin until each variant has `minSamplesPerVariant` outcomes;
 * - tracking: send the next request to the variant furthest behind its share in the optimal allocation w*(μ̂)
 *   (the split that separates the two means fastest; for two Bernoulli variants it stays between about 0.4
 *   and 0.6, e.g. 0.55 for 0.95 vs 0.8), with forced exploration of a variant below √t samples and each share
 *   clipped to [minProb, 1 − minProb] so no variant starves;
 * - stopping: the generalised likelihood ratio Z(t) = Σ_a N_a·kl(μ̂_a, μ̂_pooled) passes β(t, δ). With the
 *   `proven` threshold β = ln(2t/δ) (their Theorem 10) P(naming the worse variant) ≤ δ; the `practical` threshold
 *   β = ln((1 + ln t)/δ) is what their experiments use and stops sooner, without that proof.
 *
 * Outcomes in [0, 1] that are not 0/1 are fine: the Bernoulli kl bounds any [0, 1] variable's deviations.
 *
 * The algorithm itself (kl, the optimal allocation, the GLR statistic, the thresholds and the stopping rule) is the
 * K-arm implementation in experiments/track-and-stop.ts with K = 2; this class only keeps the counts of one
 * in-process comparison and picks the next variant deterministically from the shares (live traffic draws them).
 */

export type Variant = 0 | 1;
export type TrackAndStopPhase = 'nursery' | 'tracking' | 'stopped';

export interface TrackAndStopOptions {
  /** Error bound (default 0.05). */
  readonly delta?: number;
  /** Round-robin outcomes per variant before tracking (default 10). */
  readonly minSamplesPerVariant?: number;
  /** Smallest share of traffic either variant gets while tracking (default 0.1). */
  readonly minProb?: number;
  /** Stop undecided after this many outcomes in all (default unbounded). */
  readonly maxSamples?: number;
  /** Recompute the optimal allocation every this many outcomes (default 10). */
  readonly updateEvery?: number;
  readonly threshold?: ThresholdKind;
}

export interface TrackAndStopState {
  readonly phase: TrackAndStopPhase;
  /** The better variant once stopped with a decision; undefined while running or when stopped undecided. */
  readonly winner: Variant | undefined;
  readonly samples: readonly [number, number];
  readonly means: readonly [number, number];
  /** The current target shares of traffic. */
  readonly allocation: readonly [number, number];
  readonly glr: number;
  readonly threshold: number;
}

export { bernoulliKl } from '../experiments/track-and-stop.js';

/** w* for two Bernoulli means: the share of variant 0 maximising w·kl(μ0, x) + (1 − w)·kl(μ1, x), x the weighted mean. */
export function optimalShare(mu0: number, mu1: number): number {
  return optimalWeights([mu0, mu1])[0]!;
}

export class TrackAndStop {
  private readonly delta: number;
  private readonly nursery: number;
  private readonly minProb: number;
  private readonly maxSamples: number;
  private readonly updateEvery: number;
  private readonly thresholdKind: ThresholdKind;
  private readonly counts: [number, number] = [0, 0];
  private readonly sums: [number, number] = [0, 0];
  private share = 0.5;
  private stopped = false;
  private winnerVariant: Variant | undefined;

  constructor(options: TrackAndStopOptions = {}) {
    this.delta = options.delta ?? 0.05;
    this.nursery = options.minSamplesPerVariant ?? 10;
    this.minProb = options.minProb ?? 0.1;
    this.maxSamples = options.maxSamples ?? Number.POSITIVE_INFINITY;
    this.updateEvery = Math.max(1, options.updateEvery ?? 10);
    this.thresholdKind = options.threshold ?? 'proven';
    if (!(this.delta > 0 && this.delta < 1)) throw new RangeError('delta must be between 0 and 1');
    if (!(this.minProb >= 0 && this.minProb <= 0.5)) throw new RangeError('minProb must be between 0 and 0.5');
  }

  /** The variant the next request should go to. */
  next(): Variant {
    const [n0, n1] = this.counts;
    const t = n0 + n1;
    if (n0 < this.nursery || n1 < this.nursery) return n0 <= n1 ? 0 : 1;
    // Forced exploration keeps the estimates honest if an early streak made a variant look hopeless.
    if (Math.min(n0, n1) < Math.sqrt(t) - 1) return n0 <= n1 ? 0 : 1;
    return (t + 1) * this.share - n0 >= (t + 1) * (1 - this.share) - n1 ? 0 : 1;
  }

  /** Records an outcome in [0, 1] of a request sent to `variant`; returns where the comparison stands. */
  record(variant: Variant, outcome: number): TrackAndStopState {
    if (this.stopped) return this.state();
    if (!(outcome >= 0 && outcome <= 1)) throw new RangeError(`outcomes must be in [0, 1], got ${outcome}`);
    this.counts[variant] += 1;
    this.sums[variant] += outcome;
    const t = this.counts[0] + this.counts[1];
    const inNursery = this.counts[0] < this.nursery || this.counts[1] < this.nursery;
    if (!inNursery && t % this.updateEvery === 0) {
      // The optimal split with no variant above 1 − minProb (so none below minProb).
      this.share = capShares(optimalWeights(this.means()), 1 - this.minProb)[0]!;
    }
    const check = checkStop(this.tallies(), this.settings());
    if (check.stop) {
      this.stopped = true;
      this.winnerVariant = check.winner as Variant | undefined;
    }
    return this.state();
  }

  state(): TrackAndStopState {
    const t = this.counts[0] + this.counts[1];
    const inNursery = this.counts[0] < this.nursery || this.counts[1] < this.nursery;
    return {
      phase: this.stopped ? 'stopped' : inNursery ? 'nursery' : 'tracking',
      winner: this.winnerVariant,
      samples: [this.counts[0], this.counts[1]],
      means: this.means(),
      allocation: [this.share, 1 - this.share],
      glr: this.glr(),
      threshold: this.threshold(Math.max(t, 1)),
    };
  }

  private means(): [number, number] {
    return [this.counts[0] === 0 ? 0 : this.sums[0] / this.counts[0], this.counts[1] === 0 ? 0 : this.sums[1] / this.counts[1]];
  }

  private tallies(): ArmTally[] {
    return [{ count: this.counts[0], sum: this.sums[0] }, { count: this.counts[1], sum: this.sums[1] }];
  }

  private settings(): TrackAndStopSettings {
    return {
      delta: this.delta,
      minSamplesPerArm: this.nursery,
      maxSharePerArm: 1 - this.minProb,
      maxSamples: Number.isFinite(this.maxSamples) ? this.maxSamples : undefined,
      threshold: this.thresholdKind,
    };
  }

  private glr(): number {
    return glrStatistic(this.tallies()).glr;
  }

  private threshold(t: number): number {
    return stoppingThreshold(t, 2, this.delta, this.thresholdKind);
  }
}
