/**
 * Pure-TS training: L2-regularised logistic regression with soft labels y = (1 + strong − weak) / 2, i.e. the
 * model regresses the expected outcome gap, which is the quantity that orders prompts best for APGR. AdaGrad
 * mini-batches over a seeded shuffle, so the same data always gives the same artifact.
 */
import { DENSE, DENSE_CLIP, DENSE_NAMES, FEATURE_SIZE, HASH_BITS, extract, standardise, inputFromPrompt, taskBucket, type SparseVector } from './features.js';
import type { RouterArtifact } from './model.js';
import type { RoutingRecord, Source } from './datasets.js';
import { shuffle } from './rng.js';

export interface TrainOptions {
  epochs?: number;
  l2?: number;
  learningRate?: number;
  seed?: number;
  /** Weight of each source's total: count^balance (0 = every source weighs the same, 1 = plain pooling). */
  balance?: number;
  /** Extra weight per record of these sources (in-domain labels). */
  boost?: Partial<Record<Source, number>>;
  /** Feed the task name as a feature (legitimate in domain only). */
  useTask?: boolean;
  /** Subtract each task's mean gap from its labels, so features learn within-task difficulty, not dataset identity. */
  centerByTask?: boolean;
  /** Subtract each source's mean gap (coarser than centerByTask: keeps differences between tasks of one source). */
  centerBySource?: boolean;
  /** What the model learns: `gap` (default), the pair's outcome gap (1 + strong − weak) / 2; `difficulty`, 1 − the
   * mean outcome over many models where the dataset has one (RoutingRecord.meanOutcome), the gap elsewhere. */
  target?: 'gap' | 'difficulty';
  /** Learning-rate multiplier for the hashed n-gram block (0 = dense features only). */
  hashedRate?: number;
  version?: string;
  onProgress?: (epoch: number, epochs: number) => void;
}

export function featurise(records: readonly RoutingRecord[], useTask = false): SparseVector[] {
  return records.map((r) => extract(r.input ?? inputFromPrompt(r.prompt, useTask ? r.task : undefined)));
}

export function fitLogistic(records: readonly RoutingRecord[], opts: TrainOptions = {}, vectors = featurise(records, opts.useTask)): RouterArtifact {
  const { epochs = 6, l2 = 1e-5, learningRate = 0.1, seed = 7, balance = 0.5 } = opts;
  const n = records.length;
  // dense standardisation from the training data; missing values (NaN) are left out and later score as the mean
  const mean = new Float64Array(DENSE), sq = new Float64Array(DENSE), seen = new Float64Array(DENSE);
  for (const v of vectors) for (let d = 0; d < DENSE; d++) { const x = v.value[d]!; if (x === x) { mean[d]! += x; sq[d]! += x * x; seen[d]!++; } }
  const std = new Float64Array(DENSE);
  for (let d = 0; d < DENSE; d++) { const m = seen[d]! ? mean[d]! / seen[d]! : 0; mean[d] = m; std[d] = seen[d]! ? Math.sqrt(Math.max(sq[d]! / seen[d]! - m * m, 0)) : 0; }
  const inv = std.map((s) => (s > 1e-9 ? 1 / s : 0));
  // per-record weights: sources balanced by count^balance, normalised to mean 1
  const bySource = new Map<Source, number>();
  for (const r of records) bySource.set(r.source, (bySource.get(r.source) ?? 0) + 1);
  const weight = records.map((r) => { const c = bySource.get(r.source)!; return (c ** balance / c) * (opts.boost?.[r.source] ?? 1) * (r.weight ?? 1); });
  const wMean = weight.reduce((a, b) => a + b, 0) / n;
  const taskMean = new Map<string, [number, number]>();
  const taskKey = (r: RoutingRecord): string => (opts.centerByTask ? `${r.source}:${r.task ?? ''}` : r.source);
  // the quantity regressed, in [-1, 1]: the gap, or (difficulty target) 1 − 2·meanOutcome, which has the gap's range
  const gap = (r: RoutingRecord): number => (opts.target === 'difficulty' && r.meanOutcome !== undefined ? 1 - 2 * r.meanOutcome : r.strong - r.weak);
  for (const r of records) { const t = taskMean.get(taskKey(r)) ?? [0, 0]; t[0] += gap(r); t[1]++; taskMean.set(taskKey(r), t); }
  // gateway labels are never centred: they are outcomes of the very pair being routed, so their level is signal
  const centre = (r: RoutingRecord): number => { if ((!opts.centerByTask && !opts.centerBySource) || r.source === 'gateway') return 0; const t = taskMean.get(taskKey(r))!; return t[0] / t[1]; };
  const label = records.map((r) => Math.min(1, Math.max(0, (1 + gap(r) - centre(r)) / 2)));
  const w = new Float64Array(FEATURE_SIZE), g2 = new Float64Array(FEATURE_SIZE).fill(1e-8);
  let bias = 0, bg2 = 1e-8;
  const hashRate = learningRate * (opts.hashedRate ?? 1);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const i of shuffle(order, seed + epoch)) {
      const x = vectors[i]!;
      let z = bias;
      for (let k = 0; k < x.index.length; k++) { const j = x.index[k]!; z += w[j]! * (j < DENSE ? standardise(x.value[k]!, mean[j]!, inv[j]!) : x.value[k]!); }
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - label[i]!) * (weight[i]! / wMean);
      bg2 += err * err; bias -= (learningRate * err) / Math.sqrt(bg2);
      for (let k = 0; k < x.index.length; k++) {
        const j = x.index[k]!;
        const v = j < DENSE ? standardise(x.value[k]!, mean[j]!, inv[j]!) : x.value[k]!;
        const g = err * v + l2 * w[j]!; // L2 applied lazily on the coordinates a record touches
        g2[j]! += g * g;
        w[j]! -= ((j < DENSE ? learningRate : hashRate) * g) / Math.sqrt(g2[j]!);
      }
    }
    opts.onProgress?.(epoch + 1, epochs);
  }
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  const count: Record<string, number> = Object.fromEntries(bySource);
  return {
    version: opts.version ?? 'router-dev', kind: 'logistic-hashed', features: { hashBits: HASH_BITS, dense: [...DENSE_NAMES], clip: DENSE_CLIP },
    denseMean: Array.from(mean, round), denseStd: Array.from(std, round), bias: round(bias), weights: Array.from(w, round), unknownWeight: 0,
    calibration: { data: 'none', points: [] },
    training: { records: n, bySource: count, epochs, l2, learningRate, seed, balance, useTask: !!opts.useTask, target: '(1 + strong - weak) / 2, soft-label logistic' },
  };
}

/** One member of the ensemble: a logistic model's options and the weight of its standardised logit. */
export interface Component { name: string; weight: number; options: TrainOptions }

export interface EnsembleOptions extends TrainOptions {
  components: Component[];
  /** Weight of the standardised log length (the prompt-length baseline) added to the members. */
  lengthWeight: number;
  /** In domain: a shrunk per-task prior of this source's labels, added at a weight fitted on the labels. */
  taskPrior?: { source: Source; shrink?: number; weight?: number };
}

/**
 * Ensemble of logistic models plus the length prior, folded into ONE linear model: every member is trained on the
 * same vectors (hence the same dense standardisation), so Σ a_k · (logit_k − mean_k) / sd_k + λ · z(log_chars) is
 * again a bias plus a weight vector, and scoring costs what a single model costs. The members see the labels
 * differently (centred per task: within-task difficulty, which transfers to unseen datasets; centred per source:
 * which kinds of prompt need the flagship), and the length prior is the one signal that held up on every benchmark.
 */
export function fitEnsemble(records: readonly RoutingRecord[], opts: EnsembleOptions, vectors = featurise(records)): RouterArtifact {
  const { components, lengthWeight, onProgress, ...base } = opts;
  // the vectors must not carry the task indicator: the task enters only through taskPrior
  const w = new Float64Array(FEATURE_SIZE);
  let bias = 0;
  let first: RouterArtifact | undefined;
  for (const [c, comp] of components.entries()) {
    const a = fitLogistic(records, { ...base, ...comp.options, onProgress: (e, of) => onProgress?.(c * of + e, components.length * of) }, vectors);
    first ??= a;
    const logits = vectors.map((x) => linearLogit(a, x));
    const { mean, sd } = moments(logits);
    const k = sd > 0 ? comp.weight / sd : 0;
    for (let j = 0; j < FEATURE_SIZE; j++) w[j]! += k * a.weights[j]!;
    bias += k * (a.bias - mean);
  }
  if (!first) throw new Error('fitEnsemble needs at least one component');
  w[0]! += lengthWeight; // log_chars is dense feature 0; its standardised value is the z-scored log length
  // rescale so the ensemble logit has unit spread on the training data (scores stay in a readable range)
  const folded: RouterArtifact = { ...first, bias, weights: Array.from(w) };
  const spread = moments(vectors.map((x) => linearLogit(folded, x))).sd || 1;
  for (let j = 0; j < FEATURE_SIZE; j++) w[j]! /= spread;
  bias /= spread;
  let prior: Record<string, unknown> | null = null;
  if (opts.taskPrior) prior = addTaskPrior(records, vectors, { ...first, bias, weights: Array.from(w) }, w, opts.taskPrior);
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  const out: RouterArtifact = { ...first, bias: round(bias), weights: Array.from(w, round) };
  out.unknownWeight = round(meanBucketWeight(out, vectors));
  out.training = { ...first.training, taskPrior: prior, ensemble: components.map((c) => ({ name: c.name, weight: c.weight, ...c.options })), lengthWeight, target: 'ensemble of soft-label logistic models on (1 + strong - weak) / 2' };
  return out;
}

function linearLogit(a: RouterArtifact, x: SparseVector): number {
  let z = a.bias;
  for (let k = 0; k < x.index.length; k++) {
    const j = x.index[k]!;
    z += a.weights[j]! * (j < DENSE ? standardise(x.value[k]!, a.denseMean[j]!, a.denseStd[j]! > 0 ? 1 / a.denseStd[j]! : 0) : x.value[k]!);
  }
  return z;
}

function moments(v: readonly number[]): { mean: number; sd: number } {
  const mean = v.reduce((a, b) => a + b, 0) / Math.max(v.length, 1);
  return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(v.length, 1)) };
}

/** What an n-gram slot weighs on average in the training data (by occurrence); model.ts scores never-trained slots
 * (weight exactly 0: n-grams of a script or vocabulary training never saw) with it, so a Chinese prompt's n-grams
 * add what an average English prompt's do instead of nothing. The task indicator (value 1) is left out. */
function meanBucketWeight(a: RouterArtifact, vectors: readonly SparseVector[]): number {
  let sum = 0, mass = 0;
  for (const x of vectors) for (let k = 0; k < x.index.length; k++) {
    const j = x.index[k]!;
    if (j >= DENSE && x.value[k]! < 1) { sum += a.weights[j]! * x.value[k]!; mass += x.value[k]!; }
  }
  return mass > 0 ? sum / mass : 0;
}

/**
 * In-domain labels carry the benchmark's task (MMLU subject): a per-task prior, the task's mean gap shrunk toward the
 * overall mean by `shrink` pseudo-labels, is written into the task's indicator slot, scaled so that over the labels
 * its spread is `weight` times the ensemble logit's (the members never see the task, so the two are not redundant).
 */
function addTaskPrior(records: readonly RoutingRecord[], vectors: readonly SparseVector[], model: RouterArtifact, w: Float64Array, prior: NonNullable<EnsembleOptions['taskPrior']>): Record<string, unknown> | null {
  const { source, weight = 1 } = prior;
  const idx = records.map((r, i) => (r.source === source && r.task ? i : -1)).filter((i) => i >= 0);
  if (idx.length < 20) return null;
  const gap = (i: number): number => records[i]!.strong - records[i]!.weak;
  const g = idx.reduce((a, i) => a + gap(i), 0) / idx.length;
  const sums = new Map<string, [number, number]>();
  for (const i of idx) { const t = sums.get(records[i]!.task!) ?? [0, 0]; t[0] += gap(i); t[1]++; sums.set(records[i]!.task!, t); }
  // 10 pseudo-labels; method-of-moments estimates on MMLU (17 at 1,500 labels, 34 at 500) changed APGR by < 0.002
  const shrink = prior.shrink ?? 10;
  const value = (task: string): number => { const [s, n] = sums.get(task)!; return (s + shrink * g) / (n + shrink) - g; };
  const spreadPrior = moments(idx.map((i) => value(records[i]!.task!))).sd;
  const spreadModel = moments(idx.map((i) => linearLogit(model, vectors[i]!))).sd;
  const scale = spreadPrior > 0 ? (weight * spreadModel) / spreadPrior : 0;
  for (const task of sums.keys()) w[taskBucket(task)]! += scale * value(task);
  return { source, shrink: Math.round(shrink * 100) / 100, weight, tasks: sums.size, labels: idx.length, scale: Math.round(scale * 1e4) / 1e4 };
}

