/**
 * `router eval`: per benchmark, the trained router (out of domain, splits.ts) against random, prompt length and the
 * oracle, with 95% bootstrap intervals; the money view; and the in-domain learning curve on MMLU.
 */
import { lengthScores, metricsFromPoints } from './metrics.js';
import { moneyWithIntervals, oracle, pairedApgrDifference, percentile, randomCurve, resampleWeights, scoreCurve, withIntervals, type Prices, type WithIntervals } from './evaluate.js';
import { LinearScorer } from './model.js';
import { DEFAULT_ENSEMBLE, dataWithDedup, labelSample, outOfDomainRouter, trainInDomain, trainRouter } from './pipeline.js';
import type { RouterArtifact } from './model.js';
import type { RoutingRecord } from './datasets.js';
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
  /** Trained minus prompt length, APGR, with a paired 95% bootstrap interval. */
  vsLength: { value: number; ci: [number, number] };
  money: Array<{ target: number; costSaved: number; costSavedCi: [number, number]; strongShare: number; qualityKept: number }>;
}
/** One point of the learning curve over several label samples (seeds): the mean, and a 95% interval pooled over
 * every seed's bootstrap (so it holds both which items were labelled and which were scored). */
export interface CurveReport { labels: number; heldAside: number; seeds: number[]; perSeed: number[]; apgr: number; ci: [number, number]; cpt50: number; cpt80: number }
export interface EvalReport { resamples: number; benchmarks: BenchmarkReport[]; learningCurve: CurveReport[]; curveSource: string; curveMode: CurveMode }

/**
 * How the curve's labels enter training: `task`, as in-domain records whose benchmark task (MMLU subject) is known:
 * the stack of indomain.ts on top of the router trained without the benchmark (task prior + general score + n-gram
 * residual, weights chosen by cross-validation inside the labels); `joint`, the earlier method: the labels join the
 * out-of-domain pool at boost 5 and the task prior is added at a fixed weight (pipeline.ts trainRouter
 * inDomainLabels); `feedback`, as the gateway's labels (prompt and outcome only, labels.ts weight).
 */
export type CurveMode = 'task' | 'joint' | 'feedback';
export interface EvalOptions { benchmarks?: Benchmark[]; resamples?: number; curve?: number[]; curveSeeds?: number[]; curveSource?: 'mmlu' | 'gsm8k'; curveMode?: CurveMode; onProgress?: (msg: string) => void }

/** Label samples per learning-curve point: seed 7 is the one the shipped pipeline uses. */
export const CURVE_SEEDS = [7, 8, 9, 10, 11];

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const extremes = (c: ReturnType<typeof scoreCurve>): [number, number] => { const e = c.extremes(); return [e.rWeak, e.rStrong]; };

function sigmoidScores(scorer: LinearScorer, vectors: ReturnType<typeof featurise>): number[] { return vectors.map((v) => scorer.logit(v)); }

/** The items a learning-curve point is scored on: the benchmark minus its labels and minus every exact or near
 * duplicate of them (dedup.ts groups). */
export function heldAsideRest(source: 'mmlu' | 'gsm8k', labels: readonly RoutingRecord[]): RoutingRecord[] {
  const { data, dedup } = dataWithDedup();
  const used = new Set(labels.map((r) => r.id));
  const labelGroups = new Set(labels.map((r) => dedup.group.get(r.id)));
  return testSet(data, source).filter((r) => !used.has(r.id) && !labelGroups.has(dedup.group.get(r.id)));
}

export function runEval(opts: EvalOptions = {}): EvalReport {
  const { benchmarks = ['mmlu', 'gsm8k', 'mt-bench', 'llmrouter'], resamples = 1000, curve = [0, 100, 500, 1500], curveSeeds = CURVE_SEEDS, curveSource = 'mmlu', curveMode = 'task' } = opts;
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
    const trainedCurve = scoreCurve(scores, weak, strong), lengthCurve = scoreCurve(lengthScores(test.map((r) => r.prompt)), weak, strong);
    out.push({
      benchmark: b, n: test.length, trainRecords: pool.length,
      routers: {
        trained: withIntervals(trainedCurve, w),
        random: withIntervals(randomCurve(weak, strong), w),
        length: withIntervals(lengthCurve, w),
        oracle: withIntervals(oracle(weak, strong), w),
      },
      vsLength: pairedApgrDifference(trainedCurve, lengthCurve, w),
      money: moneyWithIntervals(scores, weak, strong, DEFAULT_PRICES[b], [0.95, 0.99], w),
    });
  }
  const learningCurve: CurveReport[] = [];
  const generals = new Map<number, RouterArtifact>(); // per seed, shared by every label count
  for (const n of curve) {
    const perSeed: number[] = [], pooled: number[] = [], cpt50: number[] = [], cpt80: number[] = [];
    let heldAside = 0;
    for (const [k, seed] of curveSeeds.entries()) {
      log(`learning curve: ${n} ${curveSource} labels (${curveMode}), seed ${seed}`);
      const labels = labelSample(curveSource, n, seed);
      let artifact: RouterArtifact;
      if (curveMode === 'task') {
        if (!generals.has(seed)) generals.set(seed, outOfDomainRouter(curveSource, seed));
        const run = trainInDomain({ source: curveSource, n, seed, general: generals.get(seed)! });
        artifact = run.artifact;
      } else artifact = curveMode === 'joint'
        ? trainRouter({ excludeSources: [curveSource], inDomainLabels: { source: curveSource, n }, holdOut: 0, seed }).artifact
        : trainRouter({ excludeSources: [curveSource], labels: labels.map((r) => ({ ...r, source: 'gateway' as const })), holdOut: 0, seed }).artifact;
      const rest = heldAsideRest(curveSource, labels);
      const scores = sigmoidScores(new LinearScorer(artifact), featurise(rest, curveMode !== 'feedback' && n > 0));
      const weak = rest.map((r) => r.weak), strong = rest.map((r) => r.strong);
      const curveOf = scoreCurve(scores, weak, strong);
      const point = metricsFromPoints(curveOf.points(), ...extremes(curveOf));
      perSeed.push(point.apgr); cpt50.push(point.cpt50); cpt80.push(point.cpt80);
      heldAside = Math.max(heldAside, rest.length);
      for (const w of resampleWeights(rest.length, Math.ceil(resamples / curveSeeds.length), 20240810 + k)) {
        const e = curveOf.extremes(w);
        pooled.push(metricsFromPoints(curveOf.points(w), e.rWeak, e.rStrong).apgr);
      }
    }
    learningCurve.push({ labels: n, heldAside, seeds: [...curveSeeds], perSeed, apgr: mean(perSeed), ci: [percentile(pooled, 0.025), percentile(pooled, 0.975)], cpt50: mean(cpt50), cpt80: mean(cpt80) });
  }
  return { resamples, benchmarks: out, learningCurve, curveSource, curveMode };
}
