/*
 * Comparing two variants on a stream of paired outcomes (both scored on the same item) and stopping as
 * soon as the data decide. The difference d = candidate − incumbent of scores in [0, 1] lies in [−1, 1];
 * x = (d + 1) / 2 in [0, 1] gets a time-uniform confidence sequence: the predictable plug-in empirical
 * Bernstein sequence of Waudby-Smith & Ramdas ("Estimating means of bounded random variables by
 * betting", JRSS-B 2023, Theorem 2). "Time-uniform" means the interval covers the true mean at every
 * step at once with probability ≥ 1 − δ, so looking after every pair and stopping whenever it says so
 * keeps the error bound, which a fixed-sample test would not.
 *
 * Stopping rule: the interval is above 0 → the candidate is better; below 0 → worse; inside (−ε, ε) →
 * the two are equivalent within ε; after maxPairs without either → inconclusive.
 * Error bound: P(declaring the worse variant better) ≤ δ, and P(declaring "equivalent" when the
 * difference is ε or more) ≤ δ, whatever the stopping time.
 */

export type SequentialVerdict = 'continue' | 'candidate_better' | 'incumbent_better' | 'equivalent' | 'inconclusive';

export interface SequentialOptions {
  /** Error bound (default 0.05). */
  readonly delta?: number;
  /** Differences smaller than this do not matter (default 0: never stop for equivalence). */
  readonly epsilon?: number;
  /** Never stop before this many pairs (default 10). */
  readonly minPairs?: number;
  /** Give up (inconclusive) after this many pairs (default unbounded). */
  readonly maxPairs?: number;
}

export interface SequentialState {
  readonly verdict: SequentialVerdict;
  readonly pairs: number;
  /** Mean difference so far, and the confidence sequence on it, in score units (−1 … 1). */
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
}

/** Bets no larger than this keep log(1 − λ) finite; 1/2 is the paper's choice. */
const MAX_BET = 0.5;

export class SequentialPairedComparison {
  private readonly delta: number;
  private readonly epsilon: number;
  private readonly minPairs: number;
  private readonly maxPairs: number;
  private n = 0;
  private sumX = 0;
  private sumSquares = 0.25;
  private muHat = 0.5;
  private sumLambda = 0;
  private sumLambdaX = 0;
  private sumPenalty = 0;
  private sumD = 0;
  private lowerX = 0;
  private upperX = 1;
  private verdict: SequentialVerdict = 'continue';

  constructor(options: SequentialOptions = {}) {
    this.delta = options.delta ?? 0.05;
    this.epsilon = options.epsilon ?? 0;
    this.minPairs = options.minPairs ?? 10;
    this.maxPairs = options.maxPairs ?? Number.POSITIVE_INFINITY;
    if (!(this.delta > 0 && this.delta < 1)) throw new RangeError('delta must be between 0 and 1');
  }

  /** Adds one pair of scores in [0, 1] and returns where the comparison stands. Pairs after a verdict are ignored. */
  add(candidate: number, incumbent: number): SequentialState {
    if (this.verdict !== 'continue') return this.state();
    if (!(candidate >= 0 && candidate <= 1 && incumbent >= 0 && incumbent <= 1)) throw new RangeError(`scores must be in [0, 1], got ${candidate} and ${incumbent}`);
    const d = candidate - incumbent;
    const x = (d + 1) / 2;
    const t = this.n + 1;
    const logTerm = Math.log(2 / this.delta);
    // σ̂²_{t−1} and μ̂_{t−1}: the estimates from the pairs before this one (predictable).
    const variance = this.sumSquares / t;
    const lambda = Math.min(Math.sqrt((2 * logTerm) / (variance * t * Math.log(1 + t))), MAX_BET);
    const v = 4 * (x - this.muHat) ** 2;
    const psi = (-Math.log(1 - lambda) - lambda) / 4;
    this.sumLambda += lambda;
    this.sumLambdaX += lambda * x;
    this.sumPenalty += v * psi;
    this.n = t;
    this.sumX += x;
    this.sumD += d;
    this.muHat = (0.5 + this.sumX) / (t + 1);
    this.sumSquares += (x - this.muHat) ** 2;
    const centre = this.sumLambdaX / this.sumLambda;
    const width = (logTerm + this.sumPenalty) / this.sumLambda;
    // The running intersection is also a valid confidence sequence, and never widens.
    this.lowerX = Math.max(this.lowerX, centre - width);
    this.upperX = Math.min(this.upperX, centre + width);
    this.verdict = this.decide();
    return this.state();
  }

  state(): SequentialState {
    return { verdict: this.verdict, pairs: this.n, mean: this.n === 0 ? 0 : this.sumD / this.n, lower: 2 * this.lowerX - 1, upper: 2 * this.upperX - 1 };
  }

  private decide(): SequentialVerdict {
    if (this.n < this.minPairs) return 'continue';
    const lower = 2 * this.lowerX - 1;
    const upper = 2 * this.upperX - 1;
    if (lower > 0) return 'candidate_better';
    if (upper < 0) return 'incumbent_better';
    if (this.epsilon > 0 && lower > -this.epsilon && upper < this.epsilon) return 'equivalent';
    if (this.n >= this.maxPairs) return 'inconclusive';
    return 'continue';
  }
}
