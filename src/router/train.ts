/**
 * Pure-TS training: L2-regularised logistic regression with soft labels y = (1 + strong − weak) / 2, i.e. the
 * model regresses the expected outcome gap, which is the quantity that orders prompts best for APGR. AdaGrad
 * mini-batches over a seeded shuffle, so the same data always gives the same artifact.
 */
import { DENSE, DENSE_CLIP, DENSE_NAMES, FEATURE_SIZE, HASH_BITS, extract, standardise, inputFromPrompt, type SparseVector } from './features.js';
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
  /** Learning-rate multiplier for the hashed n-gram block (0 = dense features only). */
  hashedRate?: number;
  version?: string;
  onProgress?: (epoch: number, epochs: number) => void;
}

export function featurise(records: readonly RoutingRecord[], useTask = false): SparseVector[] {
  return records.map((r) => extract(inputFromPrompt(r.prompt, useTask ? r.task : undefined)));
}

export function fitLogistic(records: readonly RoutingRecord[], opts: TrainOptions = {}, vectors = featurise(records, opts.useTask)): RouterArtifact {
  const { epochs = 6, l2 = 1e-5, learningRate = 0.1, seed = 7, balance = 0.5 } = opts;
  const n = records.length;
  // dense standardisation from the training data
  const mean = new Float64Array(DENSE), sq = new Float64Array(DENSE);
  for (const v of vectors) for (let d = 0; d < DENSE; d++) { mean[d]! += v.value[d]!; sq[d]! += v.value[d]! ** 2; }
  const std = new Float64Array(DENSE);
  for (let d = 0; d < DENSE; d++) { mean[d] = mean[d]! / n; std[d] = Math.sqrt(Math.max(sq[d]! / n - mean[d]! ** 2, 0)); }
  const inv = std.map((s) => (s > 1e-9 ? 1 / s : 0));
  // per-record weights: sources balanced by count^balance, normalised to mean 1
  const bySource = new Map<Source, number>();
  for (const r of records) bySource.set(r.source, (bySource.get(r.source) ?? 0) + 1);
  const weight = records.map((r) => { const c = bySource.get(r.source)!; return (c ** balance / c) * (opts.boost?.[r.source] ?? 1); });
  const wMean = weight.reduce((a, b) => a + b, 0) / n;
  const taskMean = new Map<string, [number, number]>();
  const taskKey = (r: RoutingRecord): string => `${r.source}:${r.task ?? ''}`;
  for (const r of records) { const t = taskMean.get(taskKey(r)) ?? [0, 0]; t[0] += r.strong - r.weak; t[1]++; taskMean.set(taskKey(r), t); }
  const centre = (r: RoutingRecord): number => { if (!opts.centerByTask) return 0; const t = taskMean.get(taskKey(r))!; return t[0] / t[1]; };
  const label = records.map((r) => Math.min(1, Math.max(0, (1 + r.strong - r.weak - centre(r)) / 2)));
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
    denseMean: Array.from(mean, round), denseStd: Array.from(std, round), bias: round(bias), weights: Array.from(w, round),
    calibration: { data: 'none', points: [] },
    training: { records: n, bySource: count, epochs, l2, learningRate, seed, balance, useTask: !!opts.useTask, target: '(1 + strong - weak) / 2, soft-label logistic' },
  };
}
