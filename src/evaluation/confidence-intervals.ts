/*
 * Confidence intervals for evaluation results: Wilson for pass rates, the percentile bootstrap for mean
 * scores and for paired differences. The bootstrap uses a fixed seed, so the same scores always give the
 * same interval (a CI gate must not flip on a rerun).
 */

export interface Interval {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly n: number;
}

/** mulberry32: a small, fast, seeded generator of uniforms in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length);

/** The standard normal quantile for a two-sided level (0.95 → 1.959964). Acklam's rational approximation. */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Wilson score interval for `successes` out of `n` (good at small n and at rates near 0 or 1). */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (n === 0) return { mean: Number.NaN, lower: 0, upper: 1, n };
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { mean: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half), n };
}

export interface BootstrapOptions {
  readonly level?: number;
  readonly resamples?: number;
  readonly seed?: number;
}

/** Percentile bootstrap interval of the mean (default 2,000 resamples, seed 1). */
export function bootstrapMeanInterval(values: readonly number[], options: BootstrapOptions = {}): Interval {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, lower: Number.NaN, upper: Number.NaN, n };
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 2000;
  const random = seededRandom(options.seed ?? 1);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r += 1) {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += values[Math.floor(random() * n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { mean: mean(values), lower: at((1 - level) / 2), upper: at(1 - (1 - level) / 2), n };
}

/** Interval of mean(candidate − incumbent) over items both were scored on (paired: resampled by item). */
export function pairedDifferenceInterval(candidate: readonly number[], incumbent: readonly number[], options: BootstrapOptions = {}): Interval {
  if (candidate.length !== incumbent.length) throw new Error(`paired scores differ in length: ${candidate.length} vs ${incumbent.length}`);
  return bootstrapMeanInterval(candidate.map((score, index) => score - incumbent[index]!), options);
}
