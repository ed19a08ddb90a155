/**
 * Intervals and the money view on top of metrics.ts. A bootstrap resample is a count per prompt (multinomial),
 * so a curve re-evaluates in one linear pass over the prompts sorted once.
 */
import { RandomRouter, SortedScores, metricsFromPoints, oracleCurve, type CurvePoint, type RouteMetrics } from './metrics.js';
import { rng } from './rng.js';

export type Interval = [number, number];
export interface WithIntervals { value: RouteMetrics; ci: Record<'apgr' | 'cpt50' | 'cpt80' | 'cpt50Monotone' | 'cpt80Monotone', Interval> }

/** Something that draws a routing curve under a per-prompt weighting. */
export interface Curve { points(weights?: ArrayLike<number>): CurvePoint[]; extremes(weights?: ArrayLike<number>): { rWeak: number; rStrong: number } }

export function scoreCurve(scores: ArrayLike<number>, weak: ArrayLike<number>, strong: ArrayLike<number>): Curve { return new SortedScores(scores, weak, strong); }
export function randomCurve(weak: ArrayLike<number>, strong: ArrayLike<number>): Curve { return new RandomRouter(weak, strong); }
export function oracle(weak: ArrayLike<number>, strong: ArrayLike<number>): Curve {
  const base = new SortedScores(weak, weak, strong);
  return { points: (w) => oracleCurve(weak, strong, w), extremes: (w) => base.extremes(w) };
}

/** Multinomial resample counts, seeded. */
export function resampleWeights(n: number, resamples: number, seed = 20240810): Float64Array[] {
  const next = rng(seed);
  return Array.from({ length: resamples }, () => {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[Math.floor(next() * n)]! += 1;
    return w;
  });
}

export function percentile(values: number[], p: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = p * (v.length - 1), lo = Math.floor(pos);
  return v[lo]! + (pos > lo ? (v[lo + 1]! - v[lo]!) * (pos - lo) : 0);
}

/** Point estimate plus 95% percentile intervals over the given resamples (1,000 by default, seeded). */
export function withIntervals(curve: Curve, weights: Float64Array[]): WithIntervals {
  const ext = curve.extremes();
  const value = metricsFromPoints(curve.points(), ext.rWeak, ext.rStrong);
  const keys = ['apgr', 'cpt50', 'cpt80', 'cpt50Monotone', 'cpt80Monotone'] as const;
  const samples: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
  for (const w of weights) {
    const e = curve.extremes(w);
    const m = metricsFromPoints(curve.points(w), e.rWeak, e.rStrong);
    for (const k of keys) samples[k]!.push(m[k]);
  }
  const ci = Object.fromEntries(keys.map((k) => [k, [percentile(samples[k]!, 0.025), percentile(samples[k]!, 0.975)]])) as WithIntervals['ci'];
  return { value, ci };
}

/** APGR of `a` minus APGR of `b` on the same prompts, with a paired 95% interval (both curves under each resample):
 * the direct test of "better than that baseline", narrower than comparing two separate intervals. */
export function pairedApgrDifference(a: Curve, b: Curve, weights: Float64Array[]): { value: number; ci: Interval } {
  const apgr = (c: Curve, w?: ArrayLike<number>): number => { const e = c.extremes(w); return metricsFromPoints(c.points(w), e.rWeak, e.rStrong).apgr; };
  const d = weights.map((w) => apgr(a, w) - apgr(b, w));
  return { value: apgr(a) - apgr(b), ci: [percentile(d, 0.025), percentile(d, 0.975)] };
}

export interface Prices { weak: number; strong: number }
export interface MoneyPoint { target: number; costSaved: number; strongShare: number; qualityKept: number }

/**
 * Money view at every threshold (not just 11 edges): the cheapest operating point whose quality is at least
 * target × always-strong quality; cost counts the weak model's calls too. Thresholds are chosen in hindsight on the
 * evaluated set, as CPT is; calibrate.ts gives the forward-looking version.
 */
export function moneyView(scores: ArrayLike<number>, weak: ArrayLike<number>, strong: ArrayLike<number>, prices: Prices, targets: number[], weights?: ArrayLike<number>): MoneyPoint[] {
  const s = new SortedScores(scores, weak, strong);
  const n = s.order.length;
  let total = 0, q = 0, strongQ = 0;
  for (let i = 0; i < n; i++) { const w = weights ? weights[i]! : 1; total += w; q += w * weak[i]!; strongQ += w * strong[i]!; }
  // walk thresholds from "all weak" downwards; at each tie-group boundary record (strong count, quality)
  const curve: Array<{ sent: number; quality: number }> = [{ sent: 0, quality: q / total }];
  let sent = 0;
  for (let k = n - 1; k >= 0; k--) {
    const i = s.order[k]!;
    const w = weights ? weights[i]! : 1;
    sent += w; q += w * (strong[i]! - weak[i]!);
    if (k === 0 || s.sorted[k - 1] !== s.sorted[k]) curve.push({ sent, quality: q / total });
  }
  const rStrong = strongQ / total;
  return targets.map((target) => {
    const hit = curve.find((p) => p.quality >= target * rStrong - 1e-12) ?? curve[curve.length - 1]!;
    const cost = hit.sent * prices.strong + (total - hit.sent) * prices.weak;
    return { target, costSaved: 1 - cost / (total * prices.strong), strongShare: hit.sent / total, qualityKept: hit.quality / rStrong };
  });
}

/** Money view with 95% bootstrap intervals on cost saved. */
export function moneyWithIntervals(scores: ArrayLike<number>, weak: ArrayLike<number>, strong: ArrayLike<number>, prices: Prices, targets: number[], weights: Float64Array[]) {
  const point = moneyView(scores, weak, strong, prices, targets);
  const runs = weights.map((w) => moneyView(scores, weak, strong, prices, targets, w));
  return point.map((p, t) => ({ ...p, costSavedCi: [percentile(runs.map((r) => r[t]!.costSaved), 0.025), percentile(runs.map((r) => r[t]!.costSaved), 0.975)] as Interval }));
}
