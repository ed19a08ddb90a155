/*
 * Best-arm identification with fixed confidence for K arms on live traffic: which arm the next request goes
 * to, and when the outcomes are enough to name the best arm. Garivier & Kaufmann, "Optimal best arm
 * identification with fixed confidence" (COLT 2016), for Bernoulli / [0, 1]-bounded rewards:
 *
 * - nursery: every arm gets an equal share until each has `minSamplesPerArm` outcomes;
 * - tracking: the target shares are the optimal allocation w*(μ̂) of their Theorem 5 (the split that
 *   separates the best arm from every other fastest), mixed with ε_t = 1/(2·√(K² + t)) of uniform traffic
 *   (their C-tracking's forced exploration, so an arm that looked hopeless after an unlucky start still gets
 *   samples), then capped at `maxSharePerArm`. The gateway draws each request's arm from these shares with a
 *   seeded uniform instead of tracking counts deterministically: feedback arrives late and several nodes
 *   assign at once, and drawn shares converge to the same allocation (TensorZero's track-and-stop does so too);
 * - stopping: the generalised likelihood ratio Z(t) = min_{b ≠ â} [N_â·kl(μ̂_â, μ̂_âb) + N_b·kl(μ̂_b, μ̂_âb)],
 *   μ̂_âb the pooled mean of the leader â and b, passes β(t, δ). With β = ln(2t(K − 1)/δ) (`proven`, their
 *   Theorem 10) P(naming a worse arm) ≤ δ; β = ln((1 + ln t)/δ) (`practical`, what their experiments use)
 *   stops sooner, without that proof. Rewards in [0, 1] that are not 0/1 are fine: the Bernoulli kl bounds
 *   the deviations of any [0, 1] variable.
 *
 * Everything here is pure: state in (per-arm counts and reward sums), decision out.
 */

export interface ArmTally {
  /** Outcomes recorded for the arm. */
  readonly count: number;
  /** Their sum, each outcome in [0, 1]. */
  readonly sum: number;
}

export type ThresholdKind = 'proven' | 'practical';

export interface TrackAndStopSettings {
  /** Error bound: 1 − confidence. */
  readonly delta: number;
  readonly minSamplesPerArm: number;
  /** No arm gets more than this share of traffic while the experiment runs (1/K … 1). */
  readonly maxSharePerArm: number;
  /** Stop undecided after this many outcomes in all (undefined: never). */
  readonly maxSamples: number | undefined;
  readonly threshold: ThresholdKind;
}

export type Phase = 'nursery' | 'tracking';

export interface Allocation {
  readonly phase: Phase;
  /** The share of traffic each arm should get now; sums to 1. */
  readonly shares: readonly number[];
}

export interface StopCheck {
  readonly stop: boolean;
  /** The arm with the best mean when the rule stopped with a decision; undefined otherwise. */
  readonly winner: number | undefined;
  /** 'confident': Z(t) passed β(t, δ); 'max_samples': gave up undecided. */
  readonly reason: 'confident' | 'max_samples' | undefined;
  readonly leader: number;
  readonly glr: number;
  readonly threshold: number;
}

const EPS = 1e-9;
const clamp = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS);

/** Bernoulli Kullback–Leibler divergence kl(p, q). */
export function bernoulliKl(p: number, q: number): number {
  const a = clamp(p);
  const b = clamp(q);
  return a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b));
}

export const meanOf = (tally: ArmTally): number => (tally.count === 0 ? 0 : tally.sum / tally.count);

/** Index of the best mean (the lowest index on ties, so the incumbent listed first keeps a tie). */
function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Smallest x in [lo, hi] with f(x) ≥ target for an increasing f, by bisection. */
function invert(f: (x: number) => number, target: number, lo: number, hi: number, steps = 50): number {
  for (let i = 0; i < steps; i += 1) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * w*(μ) for Bernoulli arms (Garivier & Kaufmann, Theorem 5). With arm 1 the best, g_a(x) = kl(μ1, m) + x·kl(μa, m),
 * m = (μ1 + x·μa)/(1 + x), rises from 0 to kl(μ1, μa); x_a(y) is its inverse. y* solves
 * F(y) = Σ_a kl(μ1, m_a(y)) / kl(μa, m_a(y)) = 1, and w1 = 1/(1 + Σ x_a(y*)), wa = x_a(y*)·w1.
 * Tied best arms have no finite allocation: equal shares.
 */
export function optimalWeights(means: readonly number[]): number[] {
  const k = means.length;
  const mu = means.map(clamp);
  const best = argmax(mu);
  const m1 = mu[best]!;
  const others = mu.map((_, i) => i).filter((i) => i !== best);
  if (others.some((i) => m1 - mu[i]! < 1e-9)) return mu.map(() => 1 / k);
  if (k === 2) return twoArmWeights(mu, best);
  const mixed = (x: number, mua: number) => (m1 + x * mua) / (1 + x);
  const g = (x: number, mua: number) => bernoulliKl(m1, mixed(x, mua)) + x * bernoulliKl(mua, mixed(x, mua));
  const xOf = (y: number, mua: number) => {
    let hi = 1;
    while (g(hi, mua) < y && hi < 1e12) hi *= 2;
    return invert((x) => g(x, mua), y, 0, hi);
  };
  const F = (y: number) =>
    others.reduce((total, i) => {
      const m = mixed(xOf(y, mu[i]!), mu[i]!);
      return total + bernoulliKl(m1, m) / Math.max(bernoulliKl(mu[i]!, m), 1e-300);
    }, 0);
  const yMax = Math.min(...others.map((i) => bernoulliKl(m1, mu[i]!)));
  const y = invert(F, 1, 0, yMax * (1 - 1e-12));
  const xs = mu.map((mua, i) => (i === best ? 1 : xOf(y, mua)));
  const total = xs.reduce((sum, x) => sum + x, 0);
  return xs.map((x) => x / total);
}

/**
 * Two arms: w* maximises w·kl(μ1, x) + (1 − w)·kl(μ2, x), x = w·μ1 + (1 − w)·μ2 (the same optimum as Theorem 5,
 * found directly). The objective is concave in w, so golden-section search finds its top.
 */
function twoArmWeights(mu: readonly number[], best: number): number[] {
  const [a, b] = [mu[0]!, mu[1]!];
  const value = (w: number) => {
    const x = w * a + (1 - w) * b;
    return w * bernoulliKl(a, x) + (1 - w) * bernoulliKl(b, x);
  };
  let lo = 0;
  let hi = 1;
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 50; i += 1) {
    const left = hi - ratio * (hi - lo);
    const right = lo + ratio * (hi - lo);
    if (value(left) < value(right)) lo = left;
    else hi = right;
  }
  void best;
  const w = (lo + hi) / 2;
  return [w, 1 - w];
}

/** Caps every share at `max` and hands the excess to the uncapped arms in proportion (max ≥ 1/K keeps a solution). */
export function capShares(shares: readonly number[], max: number): number[] {
  const out = [...shares];
  const capped = new Set<number>();
  for (let round = 0; round < out.length; round += 1) {
    const over = out.map((share, i) => (share > max + 1e-12 && !capped.has(i) ? i : -1)).filter((i) => i >= 0);
    if (over.length === 0) break;
    let excess = 0;
    for (const i of over) {
      excess += out[i]! - max;
      out[i] = max;
      capped.add(i);
    }
    const free = out.map((_, i) => i).filter((i) => !capped.has(i));
    const freeTotal = free.reduce((sum, i) => sum + out[i]!, 0);
    for (const i of free) out[i]! += freeTotal > 0 ? (excess * out[i]!) / freeTotal : excess / free.length;
  }
  return out;
}

/** The share of traffic each arm should get next. */
export function allocate(tallies: readonly ArmTally[], settings: TrackAndStopSettings): Allocation {
  const k = tallies.length;
  const uniform = tallies.map(() => 1 / k);
  if (tallies.some((tally) => tally.count < settings.minSamplesPerArm)) return { phase: 'nursery', shares: uniform };
  const t = tallies.reduce((sum, tally) => sum + tally.count, 0);
  const epsilon = 1 / (2 * Math.sqrt(k * k + t));
  const target = optimalWeights(tallies.map(meanOf)).map((w) => (1 - k * epsilon) * w + epsilon);
  return { phase: 'tracking', shares: capShares(target, Math.max(settings.maxSharePerArm, 1 / k)) };
}

/** β(t, δ) for K arms. */
export function stoppingThreshold(t: number, arms: number, delta: number, kind: ThresholdKind): number {
  const n = Math.max(t, 2);
  return kind === 'proven' ? Math.log((2 * n * (arms - 1)) / delta) : Math.log((1 + Math.log(n)) / delta);
}

/** Z(t): the evidence that the leader beats its closest challenger (0 while an arm has no outcome). */
export function glrStatistic(tallies: readonly ArmTally[]): { leader: number; glr: number } {
  const means = tallies.map(meanOf);
  const leader = argmax(means);
  if (tallies.some((tally) => tally.count === 0)) return { leader, glr: 0 };
  const a = tallies[leader]!;
  let glr = Number.POSITIVE_INFINITY;
  for (let b = 0; b < tallies.length; b += 1) {
    if (b === leader) continue;
    const other = tallies[b]!;
    const pooled = (a.sum + other.sum) / (a.count + other.count);
    glr = Math.min(glr, a.count * bernoulliKl(means[leader]!, pooled) + other.count * bernoulliKl(means[b]!, pooled));
  }
  return { leader, glr };
}

/** Whether the experiment stops now, and with which winner. */
export function checkStop(tallies: readonly ArmTally[], settings: TrackAndStopSettings): StopCheck {
  const t = tallies.reduce((sum, tally) => sum + tally.count, 0);
  const { leader, glr } = glrStatistic(tallies);
  const threshold = stoppingThreshold(t, tallies.length, settings.delta, settings.threshold);
  const inNursery = tallies.some((tally) => tally.count < settings.minSamplesPerArm);
  if (!inNursery && glr > threshold) return { stop: true, winner: leader, reason: 'confident', leader, glr, threshold };
  if (settings.maxSamples !== undefined && t >= settings.maxSamples) return { stop: true, winner: undefined, reason: 'max_samples', leader, glr, threshold };
  return { stop: false, winner: undefined, reason: undefined, leader, glr, threshold };
}

/** The arm a uniform draw u in [0, 1) lands on under these shares. */
export function pickArm(shares: readonly number[], u: number): number {
  let edge = 0;
  for (let i = 0; i < shares.length; i += 1) {
    edge += shares[i]!;
    if (u < edge) return i;
  }
  return shares.length - 1;
}
