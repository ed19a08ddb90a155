/**
 * `router eval`: per benchmark, the trained router (out of domain, splits.ts) against random, prompt length and the
 * oracle, with 95% bootstrap intervals; the money view; and the in-domain learning curve on MMLU.
 */
import { lengthScores } from './metrics.js';
import { moneyWithIntervals, oracle, randomCurve, resampleWeights, scoreCurve, withIntervals, type Prices, type WithIntervals } from './evaluate.js';
import { LinearScorer } from './model.js';
import { DEFAULT_ENSEMBLE, dataWithDedup, trainRouter } from './pipeline.js';
import { testSet, trainingPool, type Benchmark } from './splits.js';
import { featurise, fitEnsemble } from './train.js';

/** Per-call prices (any unit, only ratios matter): RouteLLM's paper prices per 1M tokens, LLMRouter's NIM table. */
export const DEFAULT_PRICES: Record<Benchmark, Prices> = {
  mmlu: { weak: 0.24, strong: 24.7 }, gsm8k: { weak: 0.24, strong: 24.7 }, 'mt-bench': { weak: 0.24, strong: 24.7 },
  llmrouter: { weak: 0.1, strong: 0.9 }, 'llmrouter-strict': { weak: 0.1, strong: 0.9 },
};

export interface BenchmarkReport {
  benchmark: Benchmark; n: number; trainRecords: number;
  routers: Record<'trained' | 'random' | 'length' | 'oracle', WithIntervals>;
  money: Array<{ target: number; costSaved: number; costSavedCi: [number, number]; strongShare: number; qualityKept: number }>;
}
export interface CurveReport { labels: number; heldAside: number; apgr: WithIntervals }
export interface EvalReport { resamples: number; benchmarks: BenchmarkReport[]; learningCurve: CurveReport[] }

export interface EvalOptions { benchmarks?: Benchmark[]; resamples?: number; curve?: number[]; curveSource?: 'mmlu' | 'gsm8k'; onProgress?: (msg: string) => void }

function sigmoidScores(scorer: LinearScorer, vectors: ReturnType<typeof featurise>): number[] { return vectors.map((v) => scorer.logit(v)); }

export function runEval(opts: EvalOptions = {}): EvalReport {
  const { benchmarks = ['mmlu', 'gsm8k', 'mt-bench', 'llmrouter'], resamples = 1000, curve = [0, 100, 500, 1500], curveSource = 'mmlu' } = opts;
  const log = opts.onProgress ?? (() => {});
  const { data, dedup } = dataWithDedup();
  const out: BenchmarkReport[] = [];
  for (const b of benchmarks) {
    const test = testSet(data, b);
    const pool = trainingPool(data, b, dedup);
    log(`${b}: training on ${pool.length} out-of-domain records`);
    const scorer = new LinearScorer(fitEnsemble(pool, DEFAULT_ENSEMBLE));
    const scores = sigmoidScores(scorer, featurise(test));
    const weak = test.map((r) => r.weak), strong = test.map((r) => r.strong);
    const w = resampleWeights(test.length, resamples);
    log(`${b}: bootstrap (${resamples} resamples)`);
    out.push({
      benchmark: b, n: test.length, trainRecords: pool.length,
      routers: {
        trained: withIntervals(scoreCurve(scores, weak, strong), w),
        random: withIntervals(randomCurve(weak, strong), w),
        length: withIntervals(scoreCurve(lengthScores(test.map((r) => r.prompt)), weak, strong), w),
        oracle: withIntervals(oracle(weak, strong), w),
      },
      money: moneyWithIntervals(scores, weak, strong, DEFAULT_PRICES[b], [0.95, 0.99], w),
    });
  }
  const learningCurve: CurveReport[] = [];
  for (const n of curve) {
    log(`learning curve: ${n} ${curveSource} labels`);
    const { artifact, labels } = trainRouter({ excludeSources: [curveSource], inDomainLabels: { source: curveSource, n }, holdOut: 0 });
    const used = new Set(labels.map((r) => r.id));
    // held-aside rest: the benchmark minus the labels and minus duplicates of them
    const labelGroups = new Set(labels.map((r) => dedup.group.get(r.id)));
    const rest = testSet(data, curveSource).filter((r) => !used.has(r.id) && !labelGroups.has(dedup.group.get(r.id)));
    const scorer = new LinearScorer(artifact);
    const scores = sigmoidScores(scorer, featurise(rest, n > 0));
    const weak = rest.map((r) => r.weak), strong = rest.map((r) => r.strong);
    learningCurve.push({ labels: n, heldAside: rest.length, apgr: withIntervals(scoreCurve(scores, weak, strong), resampleWeights(rest.length, resamples)) });
  }
  return { resamples, benchmarks: out, learningCurve };
}
