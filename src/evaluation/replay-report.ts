import { bootstrapMeanInterval, wilsonInterval, type Interval } from './confidence-intervals.js';
import { decidePromotion, type PromotionDecision } from './promotion.js';
import type { ReplayOutcome } from './replay-run.js';
import type { SequentialState } from './sequential-comparison.js';

export interface ModelSummary {
  readonly model: string;
  /** Items with a score (call failures count, scored 0; evaluator failures do not). */
  readonly scored: number;
  readonly passed: number;
  readonly callErrors: number;
  readonly evaluationErrors: number;
  /** Mean score (the pass rate for pass/fail evaluators) with its 95% interval. */
  readonly score: Interval;
  readonly interval: 'wilson' | 'bootstrap';
  readonly costCny: number;
  readonly meanLatencyMs: number | null;
  /** Which models actually served (a route name may be served by several). */
  readonly servedBy: Readonly<Record<string, number>>;
}

export interface ReplaySummary {
  readonly evaluator: string;
  readonly items: number;
  readonly models: readonly ModelSummary[];
  /** Candidate − incumbent over the items both were scored on. */
  readonly comparison?: { readonly candidate: string; readonly incumbent: string; readonly pairs: number } & PromotionDecision;
  /** With --stop-early: the anytime-valid sequential comparison that decided when to stop (sequential-comparison.ts). */
  readonly sequential?: SequentialState & { readonly delta: number; readonly epsilon: number; readonly itemsInDataset: number };
  /** Present with a cutoff: does the candidate's lower bound reach it? */
  readonly gate?: { readonly cutoff: number; readonly passed: boolean; readonly reason: string };
}

export interface SummaryOptions {
  readonly evaluator: string;
  readonly binary: boolean;
  readonly candidate: string;
  readonly incumbent?: string | undefined;
  readonly cutoff?: number | undefined;
  readonly margin?: number | undefined;
}

const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

function summariseModel(model: string, outcomes: readonly ReplayOutcome[], binary: boolean): ModelSummary {
  const mine = outcomes.filter((outcome) => outcome.model === model);
  const scores = mine.flatMap((outcome) => (outcome.evaluation ? [outcome.evaluation.score] : []));
  const passed = mine.filter((outcome) => outcome.evaluation?.passed === true).length;
  const latencies = mine.flatMap((outcome) => (outcome.latencyMs === undefined ? [] : [outcome.latencyMs]));
  const servedBy: Record<string, number> = {};
  for (const outcome of mine) if (outcome.servedBy) servedBy[outcome.servedBy] = (servedBy[outcome.servedBy] ?? 0) + 1;
  return {
    model,
    scored: scores.length,
    passed,
    callErrors: mine.filter((outcome) => outcome.callError).length,
    evaluationErrors: mine.filter((outcome) => outcome.evaluationError !== undefined).length,
    score: binary ? wilsonInterval(passed, scores.length) : bootstrapMeanInterval(scores),
    interval: binary ? 'wilson' : 'bootstrap',
    costCny: round(mine.reduce((sum, outcome) => sum + (outcome.costCny ?? 0), 0), 6),
    meanLatencyMs: latencies.length === 0 ? null : Math.round(latencies.reduce((sum, value) => sum + value, 0) / latencies.length),
    servedBy,
  };
}

/** Per-model scores with intervals, the paired comparison and the cutoff gate. */
export function summariseReplay(outcomes: readonly ReplayOutcome[], options: SummaryOptions): ReplaySummary {
  const models = [options.candidate, ...(options.incumbent ? [options.incumbent] : [])].map((model) => summariseModel(model, outcomes, options.binary));
  const items = new Set(outcomes.map((outcome) => outcome.item)).size;
  let comparison: ReplaySummary['comparison'];
  if (options.incumbent) {
    const byItem = new Map<string, { candidate?: number; incumbent?: number }>();
    for (const outcome of outcomes) {
      if (!outcome.evaluation) continue;
      const entry = byItem.get(outcome.item) ?? {};
      if (outcome.model === options.candidate) entry.candidate = outcome.evaluation.score;
      else if (outcome.model === options.incumbent) entry.incumbent = outcome.evaluation.score;
      byItem.set(outcome.item, entry);
    }
    const pairs = [...byItem.values()].flatMap((entry) => (entry.candidate !== undefined && entry.incumbent !== undefined ? [{ candidate: entry.candidate, incumbent: entry.incumbent }] : []));
    comparison = { candidate: options.candidate, incumbent: options.incumbent, pairs: pairs.length, ...decidePromotion(pairs, { margin: options.margin ?? 0 }) };
  }
  let gate: ReplaySummary['gate'];
  if (options.cutoff !== undefined) {
    const lower = models[0]!.score.lower;
    const passed = Number.isFinite(lower) && lower >= options.cutoff;
    gate = { cutoff: options.cutoff, passed, reason: `${options.candidate}: lower 95% bound ${round(lower)} ${passed ? '≥' : '<'} cutoff ${options.cutoff}` };
  }
  return { evaluator: options.evaluator, items, models, ...(comparison ? { comparison } : {}), ...(gate ? { gate } : {}) };
}
