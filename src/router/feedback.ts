/**
 * `router train --from-feedback`: retrain on the benchmark data plus labels the gateway collected, and promote the
 * candidate only when a replay of held-aside labels shows it routes better than the current artifact. The labels
 * are split (by normalised prompt, so a repeated prompt never sits on both sides) into a training part and a
 * replay part; both artifacts score the replay part, and a paired bootstrap of the APGR difference (the same
 * resamples for both) must have its 95% lower bound above 0. Labels can be wrong in ways the labels themselves
 * cannot show (a judge whose verdicts are reversed teaches the candidate exactly what the replay then rewards), so
 * the candidate must also not be significantly worse on the held-aside benchmark records (the trusted outcomes the
 * shipped artifact is calibrated on): the upper bound of that difference must be above 0. Otherwise the current
 * artifact stays, with the reason.
 */
import { createHash } from 'node:crypto';
import type { RoutingRecord } from './datasets.js';
import { normalise } from './dedup.js';
import { percentile, resampleWeights } from './evaluate.js';
import { SortedScores, metricsFromPoints } from './metrics.js';
import { LinearScorer, type RouterArtifact } from './model.js';
import { ARTIFACT_VERSION, trainRouter, type TrainRouterOptions } from './pipeline.js';
import { shuffle } from './rng.js';
import { featurise } from './train.js';

export interface ReplayComparison {
  /** Replayed labels. */
  n: number;
  current: number;
  candidate: number;
  /** candidate − current APGR, with its paired-bootstrap 95% interval. */
  diff: number;
  ci: [number, number];
  resamples: number;
}

/** Area under the quality curve (quality over flagship share, RouteLLM's 11 edges): APGR before normalising. */
function areaOf(s: SortedScores, w?: Float64Array): number {
  const p = s.points(w).sort((a, b) => a.strongPct - b.strongPct || a.quality - b.quality);
  let auc = 0;
  for (let i = 1; i < p.length; i++) auc += ((p[i]!.strongPct - p[i - 1]!.strongPct) / 100) * (p[i - 1]!.quality + p[i]!.quality) / 2;
  return auc;
}

/**
 * Paired bootstrap of APGR(candidate) − APGR(current) on the same prompts. On one set the difference is
 * (area_candidate − area_current) / (r_strong − r_weak); a resample's own gap can be near 0 or negative on small or
 * noisy label sets (APGR then explodes or flips sign), so each resample's area difference is divided by the whole
 * set's gap: the interval keeps the sign of the area difference, which is what promotion asks about.
 */
export function compareOnReplay(current: readonly number[], candidate: readonly number[], weak: readonly number[], strong: readonly number[], resamples = 1000, seed = 20240810): ReplayComparison {
  const a = new SortedScores(current, weak, strong), b = new SortedScores(candidate, weak, strong);
  const { rWeak, rStrong } = a.extremes();
  const gap = rStrong - rWeak;
  const apgr = (s: SortedScores): number => metricsFromPoints(s.points(), rWeak, rStrong).apgr;
  const diffs = resampleWeights(weak.length, resamples, seed).map((w) => (areaOf(b, w) - areaOf(a, w)) / gap);
  const cur = apgr(a), cand = apgr(b);
  return { n: weak.length, current: cur, candidate: cand, diff: cand - cur, ci: [percentile(diffs, 0.025), percentile(diffs, 0.975)], resamples };
}

export interface FeedbackOptions {
  /** Labels the gateway collected (labels.ts). */
  feedback: RoutingRecord[];
  /** The artifact in use; the candidate must beat it on the replay labels. */
  current: RouterArtifact;
  /** Share of the feedback held aside for the replay (default 0.3). */
  replayShare?: number;
  /** Fewer replay labels than this: never promote (default 50). */
  minReplay?: number;
  resamples?: number;
  seed?: number;
  /** Benchmark training options (which sources, weight of the labels, optimiser), as for `router train`. */
  base?: TrainRouterOptions;
}

export interface FeedbackResult {
  promoted: boolean;
  reason: string;
  /** null when there were too few replay labels to judge one. */
  candidate: RouterArtifact | null;
  trainLabels: number;
  replay: ReplayComparison | null;
  /** The same comparison on the held-aside benchmark records (null when the replay already failed). */
  benchmark: ReplayComparison | null;
}

/** Splits labels by normalised prompt: every copy of a prompt lands on the same side. */
export function splitFeedback(feedback: readonly RoutingRecord[], replayShare: number, seed: number): { train: RoutingRecord[]; replay: RoutingRecord[] } {
  const groups = new Map<string, RoutingRecord[]>();
  for (const r of feedback) { const k = normalise(`${r.input?.system ?? ''}\n${r.prompt}`); groups.set(k, [...(groups.get(k) ?? []), r]); }
  const keys = shuffle([...groups.keys()].sort(), seed);
  const cut = Math.round(keys.length * replayShare);
  return { replay: keys.slice(0, cut).flatMap((k) => groups.get(k)!), train: keys.slice(cut).flatMap((k) => groups.get(k)!) };
}

/** Version of a feedback-trained artifact: the base version plus a digest of the labels and settings it saw. */
export function feedbackVersion(train: readonly RoutingRecord[], settings: unknown): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(settings));
  for (const r of train) h.update(JSON.stringify([r.input ?? r.prompt, r.strong, r.weak, r.weight ?? 1]));
  return `${ARTIFACT_VERSION}-fb-${h.digest('hex').slice(0, 10)}`;
}

export function replayScores(artifact: RouterArtifact, records: readonly RoutingRecord[]): number[] {
  const scorer = new LinearScorer(artifact);
  return featurise(records).map((v) => scorer.logit(v));
}

export interface Decision { promoted: boolean; reason: string; replay: ReplayComparison | null; benchmark: ReplayComparison | null }
export interface DecisionOptions { minReplay?: number; resamples?: number; seed?: number }

const f3 = (x: number): string => x.toFixed(3);
const summarise = (what: string, c: ReplayComparison): string => `${what} (${c.n}): APGR ${f3(c.candidate)} (candidate) vs ${f3(c.current)} (current), difference ${f3(c.diff)} [${f3(c.ci[0])}, ${f3(c.ci[1])}]`;

function compareRecords(current: RouterArtifact, candidate: RouterArtifact, records: readonly RoutingRecord[], resamples: number, seed: number): ReplayComparison {
  return compareOnReplay(replayScores(current, records), replayScores(candidate, records), records.map((r) => r.weak), records.map((r) => r.strong), resamples, seed);
}

/**
 * Decides on a candidate already trained; neither `replay` (held-aside feedback) nor `benchmark` (held-aside
 * benchmark records) may have been trained on by either artifact.
 */
export function decidePromotion(current: RouterArtifact, candidate: RouterArtifact, replay: readonly RoutingRecord[], benchmark: readonly RoutingRecord[], opts: DecisionOptions = {}): Decision {
  const { minReplay = 50, resamples = 1000, seed = 20240810 } = opts;
  if (replay.length < minReplay) return { promoted: false, reason: `only ${replay.length} replay labels (need ${minReplay}): collect more feedback before promoting`, replay: null, benchmark: null };
  const gap = replay.reduce((a, r) => a + r.strong - r.weak, 0) / replay.length;
  if (!(gap > 0)) return { promoted: false, reason: `on the replay labels the flagship does not beat the light model (mean gap ${f3(gap)}): routing cannot gain, nothing to compare`, replay: null, benchmark: null };
  const cmp = compareRecords(current, candidate, replay, resamples, seed);
  if (!(cmp.ci[0] > 0)) return { promoted: false, reason: `${summarise('replay of held-aside labels', cmp)}: the lower bound is not above 0`, replay: cmp, benchmark: null };
  const bench = benchmark.length ? compareRecords(current, candidate, benchmark, resamples, seed + 1) : null;
  if (bench && !(bench.ci[1] > 0)) return { promoted: false, reason: `${summarise('replay of held-aside labels', cmp)}, but ${summarise('held-aside benchmark records', bench)}: significantly worse there`, replay: cmp, benchmark: bench };
  return { promoted: true, reason: `${summarise('replay of held-aside labels', cmp)}: lower bound above 0${bench ? `; ${summarise('held-aside benchmark records', bench)}` : ''}`, replay: cmp, benchmark: bench };
}

export function trainFromFeedback(opts: FeedbackOptions): FeedbackResult {
  const { replayShare = 0.3, seed = 7, minReplay = 50 } = opts;
  const { train, replay } = splitFeedback(opts.feedback, replayShare, seed);
  // too few labels to judge a candidate: say so before spending a training run on one
  if (replay.length < minReplay) return { promoted: false, reason: `only ${replay.length} replay labels (need ${minReplay}; ${Math.round(replayShare * 100)}% of the feedback is held aside): collect more feedback, no candidate trained`, candidate: null, trainLabels: train.length, replay: null, benchmark: null };
  const settings = { base: { ...opts.base, onProgress: undefined, labels: undefined }, replayShare, seed };
  const version = feedbackVersion(train, settings);
  const { artifact, heldAside } = trainRouter({ ...opts.base, labels: [...(opts.base?.labels ?? []), ...train], train: { ...opts.base?.train, version } });
  const decision = decidePromotion(opts.current, artifact, replay, heldAside, { minReplay, ...(opts.resamples !== undefined ? { resamples: opts.resamples } : {}) });
  artifact.training = { ...artifact.training, feedback: { trainLabels: train.length, replayLabels: replay.length, replayShare, seed, basedOn: opts.current.version, promoted: decision.promoted, reason: decision.reason } };
  return { ...decision, candidate: artifact, trainLabels: train.length };
}
