/** Training entry points shared by the CLI, the eval and the tests. */
import { calibrationCurve } from './calibrate.js';
import { loadAll, taskNames, type AllData, type RoutingRecord, type Source } from './datasets.js';
import { findDuplicates, withoutOverlap, type DedupResult } from './dedup.js';
import { LinearScorer, type RouterArtifact } from './model.js';
import { shuffle } from './rng.js';
import { allRecords, trainingPool, type Benchmark } from './splits.js';
import { featurise, fitEnsemble, type EnsembleOptions, type TrainOptions } from './train.js';
import { fitInDomain, type InDomainOptions } from './indomain.js';

export const ARTIFACT_VERSION = 'router-v2';
/** Default weight of a gateway label. Each source's total weight is √count (train.ts `balance`): MMLU ≈ 118,
 * LLMRouter ≈ 74, GSM8K ≈ 36; 300 gateway labels at weight 3 total √300·3 ≈ 52, enough to move the router without
 * drowning the benchmarks. */
export const DEFAULT_LABELS_WEIGHT = 3;
/** Optimiser settings shared by every member of the ensemble. */
export const DEFAULT_TRAIN: TrainOptions = { epochs: 6, l2: 1e-5, learningRate: 0.1, seed: 7, balance: 0.5 };
/**
 * The configuration the shipped artifact and `router eval` use: dense features on task-centred labels (within-task
 * difficulty), dense + n-grams at a damped rate on source-centred labels, dense features on task-centred
 * *difficulty* (1 − the mean outcome of LLMRouter's 8 models, train.ts `target`), and the length prior, equally
 * weighted. One pair's gap is a noisy label (most prompts have gap 0); how many of 8 models fail a prompt says far
 * more about how hard it is, and hardness is what transfers to a benchmark training never saw. Out of domain, the
 * n-gram member alone scored MMLU 0.52 / GSM8K 0.56 (it learns which dataset a prompt is from), the dense gap member
 * 0.615 / 0.575, the dense difficulty member 0.588 on MMLU, length 0.584 / 0.599. Without the difficulty member
 * (router-v1) GSM8K tied prompt length (0.597 vs 0.599); with it 0.617 (eval, 2026-11-29). The training order alone
 * moves these by about ±0.01 (MMLU, GSM8K: 0.617 / 0.599 / 0.608 with shuffle seeds 7 / 8 / 9) and ±0.03 (MT-Bench).
 * Averaging each member over seeds 7, 8, 9 gave 0.612 on GSM8K and 0.616 on MMLU, but it weakened what gateway
 * labels teach (test/router/labels.test.ts failed), so it is not shipped.
 */
export const DEFAULT_ENSEMBLE: EnsembleOptions = {
  ...DEFAULT_TRAIN,
  components: [
    { name: 'dense-task-centred', weight: 1, options: { hashedRate: 0, centerByTask: true } },
    { name: 'ngram-source-centred', weight: 1, options: { hashedRate: 0.3, centerBySource: true } },
    { name: 'dense-difficulty-task-centred', weight: 1, options: { hashedRate: 0, centerByTask: true, target: 'difficulty' } },
  ],
  lengthWeight: 1,
};
/** LLMRouter tasks that are copies of a RouteLLM source (MGSM is GSM8K translated). */
const SAME_DATASET: Partial<Record<Source, string[]>> = { mmlu: ['mmlu'], gsm8k: ['gsm8k', 'agentverse-mgsm'] };

let dedupCache: { data: AllData; dedup: DedupResult } | undefined;
export function dataWithDedup(): { data: AllData; dedup: DedupResult } {
  if (!dedupCache) { const data = loadAll(); dedupCache = { data, dedup: findDuplicates(allRecords(data)) }; }
  return dedupCache;
}

export interface TrainRouterOptions {
  include?: Source[];
  excludeSources?: Source[];
  /** n labelled records of a benchmark added to training (the gateway's feedback loop); the task becomes a feature. */
  inDomainLabels?: { source: Source; n: number; boost?: number };
  /** Gateway-collected labels (labels.ts), added to the training part (never held aside), each weighted by labelsWeight. */
  labels?: RoutingRecord[];
  /** Multiplier on every gateway label's weight (default DEFAULT_LABELS_WEIGHT). */
  labelsWeight?: number;
  /** Share of the pool held aside for calibration (default 0.2). */
  holdOut?: number;
  seed?: number;
  train?: TrainOptions;
  onProgress?: (step: string) => void;
}

export interface TrainedRouter { artifact: RouterArtifact; heldAside: RoutingRecord[]; labels: RoutingRecord[] }

/** The n records of a benchmark that play the labelled feedback in a learning-curve run with this seed. */
export function labelSample(source: Source, n: number, seed = 7): RoutingRecord[] {
  const { data } = dataWithDedup();
  const candidates = source === 'llmrouter' ? data.llmTrain : source === 'mmlu' ? data.mmlu : source === 'gsm8k' ? data.gsm8k : data.mtBench;
  return shuffle(candidates, seed + 101).slice(0, n);
}

/** Pool: chosen sources minus excluded ones (wherever they appear), never LLMRouter test nor its duplicates. */
export function trainRouter(opts: TrainRouterOptions = {}): TrainedRouter {
  const { data, dedup } = dataWithDedup();
  const include = new Set<Source>(opts.include ?? ['mmlu', 'gsm8k', 'mt-bench', 'llmrouter']);
  const exclude = new Set<Source>(opts.excludeSources ?? []);
  const dropTasks = [...exclude].flatMap((s) => SAME_DATASET[s] ?? []);
  const ok = (r: RoutingRecord): boolean => include.has(r.source) && !exclude.has(r.source) && !(r.source === 'llmrouter' && taskNames(r).some((t) => dropTasks.includes(t)));
  let pool = withoutOverlap([...data.mmlu, ...data.gsm8k, ...data.mtBench, ...data.llmTrain].filter(ok), data.llmTest, dedup);
  const seed = opts.seed ?? 7;
  let labels: RoutingRecord[] = [];
  if (opts.inDomainLabels && opts.inDomainLabels.n > 0) {
    const { source, n } = opts.inDomainLabels;
    labels = labelSample(source, n, seed);
    pool = [...pool.filter((r) => r.source !== source), ...labels];
  }
  const shuffled = shuffle(pool, seed);
  const cut = Math.round(shuffled.length * (opts.holdOut ?? 0.2));
  const heldAside = shuffled.slice(0, cut);
  const lw = opts.labelsWeight ?? DEFAULT_LABELS_WEIGHT;
  const gateway = (opts.labels ?? []).map((r) => ({ ...r, source: 'gateway' as const, weight: (r.weight ?? 1) * lw }));
  const train = [...shuffled.slice(cut), ...gateway];
  opts.onProgress?.(`training on ${train.length} records, ${heldAside.length} held aside for calibration`);
  const trainOpts: EnsembleOptions = {
    ...DEFAULT_ENSEMBLE, ...opts.train, version: opts.train?.version ?? ARTIFACT_VERSION, useTask: labels.length > 0,
    ...(labels.length > 0 && opts.inDomainLabels ? { boost: { [opts.inDomainLabels.source]: opts.inDomainLabels.boost ?? 5 }, taskPrior: { source: opts.inDomainLabels.source } } : {}),
    onProgress: (e, of) => opts.onProgress?.(`epoch ${e}/${of}`),
  };
  const artifact = fitEnsemble(train, trainOpts);
  const scorer = new LinearScorer(artifact);
  const scores = featurise(heldAside, trainOpts.useTask).map((v) => 1 / (1 + Math.exp(-scorer.logit(v))));
  artifact.calibration = {
    data: `${heldAside.length} held-aside records (seeded ${Math.round((opts.holdOut ?? 0.2) * 100)}% of the pool), quality kept = routed outcome / always-strong outcome`,
    points: calibrationCurve(scores, heldAside.map((r) => r.weak), heldAside.map((r) => r.strong)).map((p) => ({
      threshold: p.threshold, flagshipShare: Math.round(p.flagshipShare * 1e4) / 1e4, qualityKept: Math.round(p.qualityKept * 1e4) / 1e4,
    })),
  };
  artifact.training = { ...artifact.training, include: [...include], excludeSources: [...exclude], inDomainLabels: opts.inDomainLabels ?? null, gatewayLabels: gateway.length, labelsWeight: gateway.length ? lw : null, holdOut: opts.holdOut ?? 0.2, dataset: 'data/routing (see SOURCE.md)' };
  return { artifact, heldAside, labels };
}

/** The general router for an in-domain run: the out-of-domain pool of the benchmark (splits.ts: every copy of its
 * dataset and every exact or near duplicate of its items removed), the shipped ensemble, training order `seed`. */
export function outOfDomainRouter(source: Benchmark & Source, seed = 7): RouterArtifact {
  const { data, dedup } = dataWithDedup();
  return fitEnsemble(trainingPool(data, source, dedup), { ...DEFAULT_ENSEMBLE, seed, version: `${ARTIFACT_VERSION}-without-${source}` });
}

export interface InDomainRun { artifact: RouterArtifact; labels: RoutingRecord[]; general: RouterArtifact }

/**
 * In-domain router from n labelled records of a benchmark (labelSample(source, n, seed)): the general router trained
 * without the benchmark plus the stack of indomain.ts (task prior, general score, n-gram residual; weights chosen by
 * cross-validation inside the n labels). With n = 0 it is the general router.
 */
export function trainInDomain(opts: { source: Benchmark & Source; n: number; seed?: number; general?: RouterArtifact; stack?: InDomainOptions }): InDomainRun {
  const seed = opts.seed ?? 7;
  const general = opts.general ?? outOfDomainRouter(opts.source, seed);
  const labels = labelSample(opts.source, opts.n, seed);
  if (labels.length === 0) return { artifact: general, labels, general };
  return { artifact: fitInDomain(general, labels, { seed, ...opts.stack }), labels, general };
}
