/**
 * The scorer: one linear model over features.ts vectors (dense part standardised) through a sigmoid. train.ts folds
 * an ensemble of logistic models plus a length prior into these weights, rescaled to unit logit spread on the
 * training data, so the score is an ordering (higher = the flagship is more needed), not a probability; routing uses
 * its order and the calibrated thresholds stored beside the weights.
 */
import { readFileSync } from 'node:fs';
import { DENSE, DENSE_CLIP, DENSE_NAMES, standardise, HASH_BITS, extract, inputFromMessages, type ChatMessage, type RouterInput, type SparseVector } from './features.js';

export interface CalibrationPoint { threshold: number; flagshipShare: number; qualityKept: number }

export interface RouterArtifact {
  version: string;
  kind: 'logistic-hashed';
  /** clip: standardised dense values are clipped to ±clip (features.ts DENSE_CLIP). */
  features: { hashBits: number; dense: string[]; clip: number };
  denseMean: number[];
  denseStd: number[];
  bias: number;
  /** DENSE weights then 2^hashBits hashed weights. */
  weights: number[];
  /** Weight used for a hashed slot whose trained weight is exactly 0 (never seen in training; train.ts meanBucketWeight). */
  unknownWeight: number;
  /** Quality kept and flagship share by threshold on held-aside data, thresholds descending (calibrate.ts). */
  calibration: { data: string; points: CalibrationPoint[] };
  training: Record<string, unknown>;
}

export class LinearScorer {
  private readonly w: Float64Array;
  private readonly mean: Float64Array;
  private readonly inv: Float64Array;
  private readonly unknown: number;
  constructor(readonly artifact: RouterArtifact) {
    if (artifact.features.hashBits !== HASH_BITS || artifact.features.dense.join() !== DENSE_NAMES.join() || artifact.features.clip !== DENSE_CLIP) {
      throw new Error(`router artifact ${artifact.version} was built for other features (hash bits ${artifact.features.hashBits}); retrain it`);
    }
    this.w = Float64Array.from(artifact.weights);
    this.unknown = artifact.unknownWeight ?? 0;
    this.mean = Float64Array.from(artifact.denseMean);
    this.inv = Float64Array.from(artifact.denseStd, (s) => (s > 0 ? 1 / s : 0));
  }

  logit(x: SparseVector): number {
    let z = this.artifact.bias;
    for (let k = 0; k < x.index.length; k++) {
      const i = x.index[k]!;
      if (i < DENSE) z += this.w[i]! * standardise(x.value[k]!, this.mean[i]!, this.inv[i]!);
      else { const w = this.w[i]!; z += (w === 0 ? this.unknown : w) * x.value[k]!; }
    }
    return z;
  }

  scoreInput(input: RouterInput): number { return 1 / (1 + Math.exp(-this.logit(extract(input)))); }
  score(messages: ReadonlyArray<ChatMessage>): number { return this.scoreInput(inputFromMessages(messages)); }
}

export function readArtifact(path: string): RouterArtifact {
  const a = JSON.parse(readFileSync(path, 'utf8')) as RouterArtifact;
  if (typeof a.version !== 'string' || !Array.isArray(a.weights)) throw new Error(`${path} is not a router artifact`);
  return a;
}
