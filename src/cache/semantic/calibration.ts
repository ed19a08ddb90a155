/**
 * Threshold calibration and false-hit measurement on labelled pairs (test/fixtures/semantic-pairs): the
 * threshold is chosen on the calibration split, the false-hit rate and its upper 95% bound are measured on the
 * held-out split. A pair "hits" exactly when the cache would serve one side's answer for the other.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clopperPearsonUpper, wilsonUpper } from './binomial-bounds.js';
import { contextKey, lastText, normaliseWhitespace, type Conversation } from './conversation.js';
import { featuresConflict } from './guards.js';
import { extractFeatures } from './query-features.js';
import { vectoriserFor } from './semantic-cache.js';
import { QueryScorer, type Embedder } from './vectors.js';

export interface LabelledPair {
  id: string;
  /** Pairs from one template or hand-written group share a group and a split. */
  group: string;
  split: 'calibration' | 'heldout';
  lang: 'en' | 'zh';
  /** negation, number, date, name, unit, comparison, topic, order, context, …; paraphrase kinds for "same". */
  kind: string;
  source: 'seed' | 'generated';
  label: 'same' | 'different';
  a: Conversation;
  b: Conversation;
}

export interface ScoredPair {
  pair: LabelledPair;
  /** Cosine similarity of the last messages; −1 when the context differs (never a hit). */
  similarity: number;
  conflict: string | undefined;
}

export interface SplitMetrics {
  nearMiss: number;
  falseHits: number;
  falseHitRate: number;
  /** Upper end of the two-sided 95% Clopper–Pearson interval. */
  falseHitUpper95: number;
  falseHitWilsonUpper95: number;
  /** Near-misses at or above the threshold, before the guards: what the guards caught. */
  aboveThresholdBeforeGuards: number;
  paraphrases: number;
  paraphraseHits: number;
  paraphraseHitRate: number;
  byKind: Record<string, { pairs: number; hits: number }>;
  falseHitIds: string[];
}

export interface SemanticEvaluation {
  threshold: number;
  calibration: SplitMetrics;
  heldOut: SplitMetrics;
}

export const DEFAULT_PAIRS_DIR = 'test/fixtures/semantic-pairs';

export function loadSemanticPairs(dir = DEFAULT_PAIRS_DIR): LabelledPair[] {
  const base = resolve(dir);
  return ['calibration.jsonl', 'heldout.jsonl'].flatMap((file) =>
    readFileSync(join(base, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LabelledPair),
  );
}

export async function scorePairs(pairs: LabelledPair[], embed?: Embedder): Promise<ScoredPair[]> {
  const vectorise = vectoriserFor(embed);
  const texts = pairs.flatMap((p) => [normaliseWhitespace(lastText(p.a)), normaliseWhitespace(lastText(p.b))]);
  const vectors = await vectorise(texts);
  return pairs.map((pair, i) => {
    const a = vectors[2 * i];
    const b = vectors[2 * i + 1];
    if (contextKey(pair.a) !== contextKey(pair.b) || a === undefined || b === undefined) {
      return { pair, similarity: -1, conflict: 'context: system prompt or earlier turns differ' };
    }
    const scorer = new QueryScorer(a);
    const similarity = scorer.score(b);
    scorer.release();
    return { pair, similarity, conflict: featuresConflict(extractFeatures(texts[2 * i] ?? ''), extractFeatures(texts[2 * i + 1] ?? '')) };
  });
}

export const isHit = (scored: ScoredPair, threshold: number): boolean => scored.conflict === undefined && scored.similarity >= threshold;

/**
 * The threshold with the most paraphrase hits among those with at most `maxFalseHits` false hits on these pairs;
 * among equals the highest (most conservative). Never below `floor`, so that the guards are never the only gate.
 */
export function calibrateThreshold(scored: ScoredPair[], options: { maxFalseHits?: number; floor?: number } = {}): number {
  const maxFalseHits = options.maxFalseHits ?? 0;
  const floor = options.floor ?? 0.5;
  const passing = scored.filter((s) => s.conflict === undefined && s.similarity >= floor);
  const candidates = [...new Set(passing.map((s) => s.similarity))].sort((x, y) => y - x);
  let best = 1;
  let bestHits = -1;
  let falseHits = 0;
  let hits = 0;
  // Walking down the sorted similarities, every pair at or above a candidate is a hit at that candidate.
  const sorted = [...passing].sort((x, y) => y.similarity - x.similarity);
  let k = 0;
  for (const t of candidates) {
    for (; k < sorted.length && (sorted[k]?.similarity ?? -1) >= t; k++) {
      if (sorted[k]?.pair.label === 'same') hits++;
      else falseHits++;
    }
    if (falseHits > maxFalseHits) break;
    if (hits > bestHits) [best, bestHits] = [t, hits];
  }
  return Math.floor(best * 1000) / 1000;
}

export function measure(scored: ScoredPair[], threshold: number): SplitMetrics {
  const nearMisses = scored.filter((s) => s.pair.label === 'different');
  const paraphrases = scored.filter((s) => s.pair.label === 'same');
  const falseHitPairs = nearMisses.filter((s) => isHit(s, threshold));
  const paraphraseHits = paraphrases.filter((s) => isHit(s, threshold)).length;
  const byKind: Record<string, { pairs: number; hits: number }> = {};
  for (const s of scored) {
    const kind = (byKind[`${s.pair.label}/${s.pair.kind}${s.pair.source === 'seed' ? ' (hand-written)' : ''}`] ??= { pairs: 0, hits: 0 });
    kind.pairs++;
    if (isHit(s, threshold)) kind.hits++;
  }
  const n = nearMisses.length;
  return {
    nearMiss: n,
    falseHits: falseHitPairs.length,
    falseHitRate: n === 0 ? 0 : falseHitPairs.length / n,
    falseHitUpper95: clopperPearsonUpper(falseHitPairs.length, n),
    falseHitWilsonUpper95: wilsonUpper(falseHitPairs.length, n),
    aboveThresholdBeforeGuards: nearMisses.filter((s) => s.similarity >= threshold).length,
    paraphrases: paraphrases.length,
    paraphraseHits,
    paraphraseHitRate: paraphrases.length === 0 ? 0 : paraphraseHits / paraphrases.length,
    byKind,
    falseHitIds: falseHitPairs.map((s) => s.pair.id),
  };
}

/**
 * Calibrates on the calibration split (unless `threshold` is given) and measures both splits. Run it with a
 * configured embedder to get that embedder's threshold; the shipped default is this run with the lexical one.
 */
export async function evaluateSemanticPairs(options: { pairs?: LabelledPair[]; dir?: string; embed?: Embedder; threshold?: number; floor?: number } = {}): Promise<SemanticEvaluation> {
  const pairs = options.pairs ?? loadSemanticPairs(options.dir);
  const scored = await scorePairs(pairs, options.embed);
  const calibration = scored.filter((s) => s.pair.split === 'calibration');
  const heldOut = scored.filter((s) => s.pair.split === 'heldout');
  const threshold = options.threshold ?? calibrateThreshold(calibration, options.floor === undefined ? {} : { floor: options.floor });
  return { threshold, calibration: measure(calibration, threshold), heldOut: measure(heldOut, threshold) };
}
