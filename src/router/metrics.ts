/**
 * RouteLLM's offline routing metrics, computed the way /work/shared/reference/routing.md ("RouteLLM's metrics,
 * exactly") describes, so our numbers sit next to the paper's tables. Every curve is evaluated through an optional
 * per-prompt weight (a bootstrap resample is a count per prompt), which lets 1,000 resamples reuse one sort.
 */
import { rng } from './rng.js';

export interface CurvePoint { strongPct: number; quality: number }
export interface RouteMetrics {
  apgr: number;
  /** Smallest strong-call % reaching 50% / 80% of the weak→strong gap (linear interpolation between points). */
  cpt50: number;
  cpt80: number;
  /** Same on the monotone (running-max quality) curve, no interpolation. */
  cpt50Monotone: number;
  cpt80Monotone: number;
  rWeak: number;
  rStrong: number;
  points: CurvePoint[];
}

/** Scores sorted once, then any weighting of the prompts is a linear pass. */
export class SortedScores {
  readonly order: number[];
  readonly sorted: Float64Array;
  constructor(scores: ArrayLike<number>, readonly weak: ArrayLike<number>, readonly strong: ArrayLike<number>) {
    this.order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
    this.sorted = Float64Array.from(this.order, (i) => scores[i]!);
  }

  /** The RouteLLM points: 11 quantile edges (deduplicated), strong when s >= t, the last edge strong when s > t. */
  points(weights?: ArrayLike<number>): CurvePoint[] {
    const n = this.order.length;
    const count = new Float64Array(n + 1); // prompts (with multiplicity) before sorted position k
    const weakSum = new Float64Array(n + 1);
    const strongSum = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) {
      const i = this.order[k]!;
      const w = weights ? weights[i]! : 1;
      count[k + 1] = count[k]! + w;
      weakSum[k + 1] = weakSum[k]! + w * this.weak[i]!;
      strongSum[k + 1] = strongSum[k]! + w * this.strong[i]!;
    }
    const total = count[n]!;
    // value at position m of the multiset expanded by weight (sorted), m an integer in [0, total)
    const at = (m: number): number => this.sorted[upper(count, m) - 1]!;
    const edges: number[] = [];
    for (let p = 0; p <= 10; p++) {
      const pos = (p / 10) * (total - 1);
      const lo = Math.floor(pos);
      const v = at(lo) + (pos > lo ? (at(lo + 1) - at(lo)) * (pos - lo) : 0);
      if (edges.length === 0 || v !== edges[edges.length - 1]) edges.push(v);
    }
    return edges.map((t, e) => {
      const last = e === edges.length - 1;
      const k = last ? firstAbove(this.sorted, t) : firstAtLeast(this.sorted, t);
      const strongN = total - count[k]!;
      const quality = (weakSum[k]! + (strongSum[n]! - strongSum[k]!)) / total;
      return { strongPct: (100 * strongN) / total, quality };
    });
  }

  /** Mean outcome of always-weak and always-strong under the same weighting. */
  extremes(weights?: ArrayLike<number>): { rWeak: number; rStrong: number } {
    let t = 0, w = 0, s = 0;
    for (let i = 0; i < this.weak.length; i++) { const c = weights ? weights[i]! : 1; t += c; w += c * this.weak[i]!; s += c * this.strong[i]!; }
    return { rWeak: w / t, rStrong: s / t };
  }
}

/** First index k with count[k] > m (count is non-decreasing, count[0] = 0). */
function upper(count: Float64Array, m: number): number {
  let lo = 0, hi = count.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (count[mid]! > m) hi = mid; else lo = mid + 1; }
  return lo;
}
function firstAtLeast(a: Float64Array, t: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]! >= t) hi = mid; else lo = mid + 1; }
  return lo;
}
function firstAbove(a: Float64Array, t: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]! > t) hi = mid; else lo = mid + 1; }
  return lo;
}

/** CPT, APGR from points (any order; sorted here by strong%). */
export function metricsFromPoints(input: readonly CurvePoint[], rWeak: number, rStrong: number): RouteMetrics {
  const points = input.slice().sort((a, b) => a.strongPct - b.strongPct || a.quality - b.quality);
  const gap = rStrong - rWeak;
  let auc = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!, b = points[i]!;
    auc += ((b.strongPct - a.strongPct) / 100) * (a.quality + b.quality) / 2;
  }
  const cpt = (x: number): number => {
    const target = rWeak + x * gap;
    if (points[0]!.quality >= target) return points[0]!.strongPct;
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1]!, b = points[i]!;
      if (a.quality < target && b.quality >= target) return a.strongPct + ((target - a.quality) / (b.quality - a.quality)) * (b.strongPct - a.strongPct);
    }
    return NaN;
  };
  const monotone = (x: number): number => {
    const target = rWeak + x * gap;
    let best = -Infinity;
    for (const p of points) { best = Math.max(best, p.quality); if (best >= target - 1e-12) return p.strongPct; }
    return NaN;
  };
  return { apgr: (auc - rWeak) / gap, cpt50: cpt(0.5), cpt80: cpt(0.8), cpt50Monotone: monotone(0.5), cpt80Monotone: monotone(0.8), rWeak, rStrong, points };
}

export function evaluateScores(scores: ArrayLike<number>, weak: ArrayLike<number>, strong: ArrayLike<number>): RouteMetrics {
  const s = new SortedScores(scores, weak, strong);
  const { rWeak, rStrong } = s.extremes();
  return metricsFromPoints(s.points(), rWeak, rStrong);
}

export const RANDOM_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The random router: s ~ U(0,1) per prompt, 10 fixed seeds, points averaged edge by edge. */
export class RandomRouter {
  private readonly runs: SortedScores[];
  constructor(weak: ArrayLike<number>, strong: ArrayLike<number>, seeds = RANDOM_SEEDS) {
    this.runs = seeds.map((seed) => { const next = rng(1_000_003 + seed); return new SortedScores(Array.from({ length: weak.length }, next), weak, strong); });
  }
  points(weights?: ArrayLike<number>): CurvePoint[] {
    const all = this.runs.map((r) => r.points(weights));
    const len = Math.min(...all.map((p) => p.length));
    return Array.from({ length: len }, (_, e) => ({
      strongPct: all.reduce((a, p) => a + p[e]!.strongPct, 0) / all.length,
      quality: all.reduce((a, p) => a + p[e]!.quality, 0) / all.length,
    }));
  }
  extremes(weights?: ArrayLike<number>) { return this.runs[0]!.extremes(weights); }
}

export function evaluateRandom(weak: ArrayLike<number>, strong: ArrayLike<number>): RouteMetrics {
  const r = new RandomRouter(weak, strong);
  const { rWeak, rStrong } = r.extremes();
  return metricsFromPoints(r.points(), rWeak, rStrong);
}

/** The trivial baseline of routing.md: longer prompt (characters) → strong. */
export const lengthScores = (prompts: readonly string[]): number[] => prompts.map((p) => p.length);
export const oracleScores = (weak: ArrayLike<number>, strong: ArrayLike<number>): number[] => Array.from({ length: weak.length }, (_, i) => strong[i]! - weak[i]!);

/**
 * The oracle: send prompts to strong in decreasing order of (strong − weak), one point per prompt. Through the 11
 * quantile edges the oracle's score has only 3 values on MMLU/GSM8K, the edges collapse and APGR drops to 0.74, so
 * the published oracle figures can only be this full-resolution curve (the upper envelope of every router).
 */
export function oracleCurve(weak: ArrayLike<number>, strong: ArrayLike<number>, weights?: ArrayLike<number>): CurvePoint[] {
  const n = weak.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => strong[b]! - weak[b]! - (strong[a]! - weak[a]!));
  let total = 0, q = 0;
  for (let i = 0; i < n; i++) { const w = weights ? weights[i]! : 1; total += w; q += w * weak[i]!; }
  const points: CurvePoint[] = [{ strongPct: 0, quality: q / total }];
  let sent = 0;
  for (const i of idx) {
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    sent += w; q += w * (strong[i]! - weak[i]!);
    points.push({ strongPct: (100 * sent) / total, quality: q / total });
  }
  return points;
}
