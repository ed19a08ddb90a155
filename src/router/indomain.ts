/**
 * In-domain router from a few hundred labelled items of one benchmark whose task (MMLU subject) is known: a stack of
 * three scores, folded into one linear artifact (model.ts) so it scores like any other router.
 *
 *   score = prior(task) + a · z(general router logit) + b · z(in-domain n-gram residual logit)
 *
 * - prior(task): the task's mean outcome gap (strong − weak) shrunk toward the labels' overall mean by k
 *   pseudo-labels (empirical Bayes), written into the task's indicator slot (features.ts taskBucket);
 * - the general router: an artifact trained without the benchmark (out of domain), standardised on the labels;
 * - the n-gram residual: a hashed word/char n-gram logistic model (dense features left out, so the general router's
 *   standardisation is untouched) on the labels' gap minus their task prior, i.e. within-task difficulty.
 *
 * a and b are chosen by 5-fold cross-validation inside the labels only (correlation of the pooled out-of-fold
 * scores with the gap; APGR over 11 quantile edges is too coarse to choose with on a few hundred items), k by the
 * method of moments on the labels (floored at 10 pseudo-labels): no held-aside item is read.
 *
 * Measured on MMLU (router eval curve, seeds 7-11, 2026-11-29): 0 / 100 / 500 / 1,500 labels → 0.612 / 0.603 /
 * 0.642 / 0.662 APGR (the earlier `joint` method: 0.613 / 0.608 / 0.642 / 0.657). The subject prior carries most of
 * it and is limited by label noise: subject means estimated from ~11k cross-fitted labels rank at ~0.675, from 1,500
 * at ~0.655; the general router adds ~+0.007 and the n-gram residual ~+0.003 at 1,500 labels (+0.009 at 4,000,
 * where the stack reaches ~0.685). Tried and measured without gain: shrinking toward subject categories (worse),
 * toward a regression on the general router's subject mean, separate priors for the weak and strong outcome,
 * MMLU-shape features (option lengths, numeric options, NOT/EXCEPT, statement pairs, roman-numeral combinations,
 * passage length: within-subject correlations with the gap all below 0.03), kNN over TF-IDF (+0.002), and
 * subject-stratified label samples (proportional or √-size allocation).
 */
import type { RoutingRecord } from './datasets.js';
import { DENSE, FEATURE_SIZE, taskBucket, type SparseVector } from './features.js';
import { evaluateScores } from './metrics.js';
import { LinearScorer, type RouterArtifact } from './model.js';
import { shuffle } from './rng.js';
import { featurise } from './train.js';

export interface InDomainOptions {
  /** Cross-validation folds inside the labels (default 5). */
  folds?: number;
  /** Candidate shrinkage strengths k (pseudo-labels at the overall mean) of the task prior; `empirical-bayes` (the
   * default) estimates k from the labels themselves (method of moments: within-task variance over between-task
   * variance), so with few labels per task the prior all but vanishes. */
  shrinks?: number[] | 'empirical-bayes';
  /** Candidate weights a of the standardised general-router logit, in gap units. */
  generalWeights?: number[];
  /** Candidate weights b of the standardised n-gram residual logit, in gap units. */
  textWeights?: number[];
  /** Shuffle seed of the folds and of the n-gram model's training order. */
  seed?: number;
  /** What the cross-validation maximises over the pooled out-of-fold scores: APGR (the reported metric, coarse: 11
   * quantile edges) or the correlation of score and gap (smoother, steadier with few labels). */
  criterion?: 'apgr' | 'correlation';
  version?: string;
}

export const IN_DOMAIN_DEFAULTS: Required<Omit<InDomainOptions, 'version'>> = {
  folds: 5, shrinks: 'empirical-bayes', generalWeights: [0.01, 0.02, 0.03, 0.05, 0.08], textWeights: [0, 0.01, 0.02, 0.03, 0.05], seed: 7, criterion: 'correlation',
};
/** Shrinkage of the task prior subtracted from the n-gram model's training target (the final prior uses its own k). */
const TEXT_TARGET_SHRINK = 20;

const gapOf = (r: RoutingRecord): number => r.strong - r.weak;
const mean = (v: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]!; return v.length ? s / v.length : 0; };
function moments(v: ArrayLike<number>): { mean: number; sd: number } {
  const m = mean(v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! - m) ** 2;
  return { mean: m, sd: Math.sqrt(s / Math.max(v.length, 1)) };
}

/**
 * Method-of-moments shrinkage: k = σ²(within task) / τ²(between tasks), τ² = the variance of task means beyond what
 * their sampling noise explains; clipped to [MIN_SHRINK, MAX_SHRINK] (MAX when τ² ≤ 0: the tasks look alike).
 */
export function empiricalBayesShrink(labels: readonly RoutingRecord[]): number {
  const sums = new Map<string, number[]>();
  for (const r of labels) if (r.task) { const l = sums.get(r.task) ?? []; l.push(gapOf(r)); sums.set(r.task, l); }
  const groups = [...sums.values()];
  const n = groups.reduce((a, g) => a + g.length, 0);
  if (groups.length < 2 || n <= groups.length) return MAX_SHRINK;
  const overall = groups.reduce((a, g) => a + g.reduce((x, y) => x + y, 0), 0) / n;
  let within = 0, between = 0;
  for (const g of groups) { const m = mean(g); for (const x of g) within += (x - m) ** 2; between += g.length * (m - overall) ** 2; }
  const s2 = within / (n - groups.length);
  // E[between] = (groups − 1)·σ² + (n − Σn_t²/n)·τ²
  const n0 = n - groups.reduce((a, g) => a + g.length ** 2, 0) / n;
  const tau2 = (between - (groups.length - 1) * s2) / n0;
  return tau2 > 0 ? Math.min(MAX_SHRINK, Math.max(MIN_SHRINK, s2 / tau2)) : MAX_SHRINK;
}
const MIN_SHRINK = 10, MAX_SHRINK = 1000;
const shrinksFor = (labels: readonly RoutingRecord[], shrinks: number[] | 'empirical-bayes'): number[] => (shrinks === 'empirical-bayes' ? [empiricalBayesShrink(labels)] : shrinks);

/** Shrunk task prior relative to the overall mean: value(task) = (Σgap + k·ḡ) / (n + k) − ḡ; unseen tasks → 0. */
export function taskPrior(labels: readonly RoutingRecord[], shrink: number): { overall: number; value: (task: string | undefined) => number; tasks: Map<string, number> } {
  const overall = mean(labels.map(gapOf));
  const sums = new Map<string, [number, number]>();
  for (const r of labels) { if (!r.task) continue; const t = sums.get(r.task) ?? [0, 0]; t[0] += gapOf(r); t[1]++; sums.set(r.task, t); }
  const tasks = new Map<string, number>();
  for (const [task, [s, n]] of sums) tasks.set(task, (s + shrink * overall) / (n + shrink) - overall);
  return { overall, tasks, value: (task) => (task ? tasks.get(task) ?? 0 : 0) };
}

/** Hashed-slot-only logistic model (AdaGrad, soft labels), the same optimiser as train.ts fitLogistic. */
function fitHashed(vectors: readonly SparseVector[], y: readonly number[], seed: number, epochs = 3, learningRate = 0.1, l2 = 1e-5): { bias: number; weights: Float64Array } {
  const w = new Float64Array(FEATURE_SIZE), g2 = new Float64Array(FEATURE_SIZE).fill(1e-8);
  let bias = 0, bg2 = 1e-8;
  const order = vectors.map((_, i) => i);
  for (let e = 0; e < epochs; e++) {
    for (const i of shuffle(order, seed + e)) {
      const x = vectors[i]!;
      let z = bias;
      for (let k = 0; k < x.index.length; k++) { const j = x.index[k]!; if (j >= DENSE) z += w[j]! * x.value[k]!; }
      const err = 1 / (1 + Math.exp(-z)) - y[i]!;
      bg2 += err * err; bias -= (learningRate * err) / Math.sqrt(bg2);
      for (let k = 0; k < x.index.length; k++) {
        const j = x.index[k]!;
        if (j < DENSE) continue;
        const g = err * x.value[k]! + l2 * w[j]!;
        g2[j]! += g * g; w[j]! -= (learningRate * g) / Math.sqrt(g2[j]!);
      }
    }
  }
  return { bias, weights: w };
}
const hashedLogit = (m: { bias: number; weights: Float64Array }, x: SparseVector): number => {
  let z = m.bias;
  for (let k = 0; k < x.index.length; k++) { const j = x.index[k]!; if (j >= DENSE) z += m.weights[j]! * x.value[k]!; }
  return z;
};
function textModel(records: readonly RoutingRecord[], vectors: readonly SparseVector[], seed: number): { bias: number; weights: Float64Array } {
  const prior = taskPrior(records, TEXT_TARGET_SHRINK);
  const y = records.map((r) => Math.min(1, Math.max(0, (1 + gapOf(r) - prior.overall - prior.value(r.task)) / 2)));
  return fitHashed(vectors, y, seed);
}

export interface InDomainChoice { shrink: number; generalWeight: number; textWeight: number; cvScore: number }

/**
 * Fits the stack on `labels` (records of one benchmark with their task) on top of `general` (an artifact that never
 * saw the benchmark). Returns one linear artifact; score held-aside items with featurise(records, true) so the task
 * indicator is present.
 */
export function fitInDomain(general: RouterArtifact, labels: readonly RoutingRecord[], opts: InDomainOptions = {}): RouterArtifact {
  const o = { ...IN_DOMAIN_DEFAULTS, ...opts };
  const vectors = featurise(labels); // no task indicator: the task enters only through the prior
  const scorer = new LinearScorer(general);
  const g = vectors.map((v) => scorer.logit(v));
  const choice = chooseByCrossValidation(labels, vectors, g, o);
  // final fit on every label
  const shrink = o.shrinks === 'empirical-bayes' ? empiricalBayesShrink(labels) : choice.shrink;
  const prior = taskPrior(labels, shrink);
  const gm = moments(g);
  const ga = gm.sd > 0 ? choice.generalWeight / gm.sd : 0;
  const w = new Float64Array(FEATURE_SIZE);
  for (let j = 0; j < FEATURE_SIZE; j++) w[j] = ga * general.weights[j]!;
  let bias = ga * (general.bias - gm.mean);
  if (choice.textWeight > 0) {
    const text = textModel(labels, vectors, o.seed);
    const tm = moments(vectors.map((v) => hashedLogit(text, v)));
    const tb = tm.sd > 0 ? choice.textWeight / tm.sd : 0;
    for (let j = DENSE; j < FEATURE_SIZE; j++) w[j]! += tb * text.weights[j]!;
    bias += tb * (text.bias - tm.mean);
  }
  for (const [task, value] of prior.tasks) w[taskBucket(task)]! += value;
  const round = (x: number): number => Math.round(x * 1e9) / 1e9;
  return {
    ...general,
    version: o.version ?? `${general.version}+in-domain`,
    bias: round(bias + prior.overall),
    weights: Array.from(w, round),
    unknownWeight: round(ga * general.unknownWeight),
    calibration: { data: 'none (in-domain stack: rank only)', points: [] },
    training: {
      ...general.training, general: general.version,
      inDomain: { labels: labels.length, labelIds: labels.map((r) => r.id), tasks: prior.tasks.size, folds: o.folds, ...choice, shrink: Math.round(shrink * 100) / 100, criterion: o.criterion, grid: { shrinks: o.shrinks, generalWeights: o.generalWeights, textWeights: o.textWeights } },
      target: 'task prior (shrunk mean gap) + a·z(general logit) + b·z(n-gram residual logit), a, b, k by CV on the labels',
    },
  };
}

/** Out-of-fold scores for every grid point; the best pooled APGR wins, ties to the earlier (simpler) grid point. */
export function chooseByCrossValidation(labels: readonly RoutingRecord[], vectors: readonly SparseVector[], general: readonly number[], o: Required<Omit<InDomainOptions, 'version'>>): InDomainChoice {
  const n = labels.length;
  const fallback: InDomainChoice = { shrink: shrinksFor(labels, o.shrinks)[0]!, generalWeight: o.generalWeights.find((a) => a > 0) ?? 0, textWeight: 0, cvScore: NaN };
  if (n < 2 * o.folds) return fallback;
  const fold = new Int32Array(n);
  shuffle(Array.from({ length: n }, (_, i) => i), o.seed + 1).forEach((i, k) => { fold[i] = k % o.folds; });
  const nShrinks = o.shrinks === 'empirical-bayes' ? 1 : o.shrinks.length;
  const priorAt = Array.from({ length: nShrinks }, () => new Float64Array(n));
  const zg = new Float64Array(n), zt = new Float64Array(n);
  const wantText = o.textWeights.some((b) => b > 0);
  for (let f = 0; f < o.folds; f++) {
    const train: number[] = [], test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    const trainRecs = train.map((i) => labels[i]!);
    shrinksFor(trainRecs, o.shrinks).forEach((k, s) => { const p = taskPrior(trainRecs, k); for (const i of test) priorAt[s]![i] = p.value(labels[i]!.task); });
    const gm = moments(train.map((i) => general[i]!));
    for (const i of test) zg[i] = gm.sd > 0 ? (general[i]! - gm.mean) / gm.sd : 0;
    if (wantText) {
      const text = textModel(trainRecs, train.map((i) => vectors[i]!), o.seed);
      const tm = moments(train.map((i) => hashedLogit(text, vectors[i]!)));
      for (const i of test) zt[i] = tm.sd > 0 ? (hashedLogit(text, vectors[i]!) - tm.mean) / tm.sd : 0;
    }
  }
  const weak = labels.map((r) => r.weak), strong = labels.map((r) => r.strong), gaps = labels.map(gapOf);
  if (!(mean(strong) > mean(weak))) return fallback; // APGR undefined without a positive gap
  let best: InDomainChoice | undefined;
  const scores = new Float64Array(n);
  const shrinkNames = o.shrinks === 'empirical-bayes' ? [NaN] : o.shrinks;
  shrinkNames.forEach((k, s) => {
    for (const a of o.generalWeights) for (const b of wantText ? o.textWeights : [0]) {
      for (let i = 0; i < n; i++) scores[i] = priorAt[s]![i]! + a * zg[i]! + b * zt[i]!;
      const value = o.criterion === 'apgr' ? evaluateScores(scores, weak, strong).apgr : correlation(scores, gaps);
      if (Number.isFinite(value) && (!best || value > best.cvScore + 1e-12)) best = { shrink: k, generalWeight: a, textWeight: b, cvScore: value };
    }
  });
  return best ? { ...best, cvScore: Math.round(best.cvScore * 1e4) / 1e4 } : fallback;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a), mb = mean(b);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) { const x = a[i]! - ma, y = b[i]! - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}
