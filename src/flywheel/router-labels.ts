import { writeFileSync } from 'node:fs';
import { parseLabels } from '../router/labels.js';
import type { Database } from '../storage/index.js';
import type { FlywheelConfig } from './config-schema.js';
import { DatasetError } from './dataset-builder.js';
import { feedbackFor, type FeedbackRow } from './feedback-store.js';
import { listInferences, type InferenceRow } from './inference-store.js';

/**
 * `tidegate dataset labels`: router training labels (the format `tidegate router train --labels` reads, see
 * router/labels.ts) from captured inferences with feedback. A label needs the outcome of the light and of the
 * flagship answer on the same prompt; feedback on one captured answer observes one of them. The other is
 * filled in under one assumption, that the flagship is at least as good as the light model on every prompt:
 *
 *   light answer good     → flagship_score 1, light_score 1   the light model suffices (flagship assumed good too)
 *   light answer bad      → flagship_score p̂f, light_score 0  the flagship succeeds as often as it does here
 *   flagship answer good  → flagship_score 1, light_score p̂l  the light model succeeds as often as it does here
 *   flagship answer bad   → flagship_score 0, light_score 0   too hard for both: escalating gains nothing
 *
 * p̂f and p̂l are the tier's rate of good answers among the scored answers in the export (per scenario),
 * smoothed with one good and one bad pseudo-answer ((good + 1) / (scored + 2)), so a tier nobody scored yet counts
 * as a coin flip rather than as certain. A one-sided label carries less information than an observed pair, so it
 * has weight 0.5; a shadow verdict (`shadow_verdict` feedback from a judge that compared both answers on the same
 * prompt, when present) has weight 1 and takes precedence over the metric on that inference. Prompts are the
 * captured messages, already masked for storage.
 */

/** Feedback metric of a judged light-vs-flagship comparison: the light answer's score minus the flagship's, in [-1, 1]. */
export const SHADOW_VERDICT_METRIC = 'shadow_verdict';

export interface LabelsSpec {
  readonly scenario?: string;
  readonly since?: number;
  readonly until?: number;
  readonly apiKeyId?: string;
  /** Boolean or float metric scoring single answers (default: the scenario's quality metric). */
  readonly metric?: string;
  /** For a float metric: the bar a good answer reaches (default: the scenario's quality target). */
  readonly threshold?: number;
}

export type LabelCase = 'light_good' | 'light_bad' | 'flagship_good' | 'flagship_bad' | 'shadow';

export interface LabelsReport {
  readonly candidates: number;
  readonly written: number;
  readonly cases: Readonly<Record<LabelCase, number>>;
  /** Smoothed rates of good answers per scenario ('-' for none) and tier, as used for the unobserved side. */
  readonly rates: Readonly<Record<string, { readonly light: number; readonly flagship: number }>>;
  readonly skipped: Readonly<Record<string, number>>;
}

export interface RouterLabel {
  readonly id: string;
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: string }>;
  readonly flagship_score: number;
  readonly light_score: number;
  readonly weight: number;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** With neither --metric nor --scenario, the one boolean metric the config declares, if there is exactly one. */
function soleBooleanMetric(flywheel: FlywheelConfig): string | undefined {
  const booleans = Object.entries(flywheel.metrics).filter(([, metric]) => metric.type === 'boolean');
  return booleans.length === 1 ? booleans[0]![0] : undefined;
}

/** The labels, and what was counted; writes nothing. */
export async function routerLabels(database: Database, flywheel: FlywheelConfig, spec: LabelsSpec, now: number): Promise<{ labels: RouterLabel[]; report: LabelsReport }> {
  const metricName = spec.metric ?? (spec.scenario === undefined ? soleBooleanMetric(flywheel) : flywheel.quality[spec.scenario]?.metric);
  const metric = metricName === undefined ? undefined : flywheel.metrics[metricName];
  if (metricName !== undefined && (metric === undefined || (metric.type !== 'boolean' && metric.type !== 'float'))) throw new DatasetError(`"${metricName}" is not a boolean or float metric declared under metrics:`);
  const threshold = spec.threshold ?? (spec.scenario !== undefined ? flywheel.quality[spec.scenario]?.target : undefined);
  if (metric?.type === 'float' && threshold === undefined) throw new DatasetError(`"${metricName}" is a float metric: give --threshold (answers at ${metric.optimize === 'max' ? 'or above' : 'or below'} it are good)`);

  const inferences = await listInferences(database, { scenario: spec.scenario, since: spec.since, until: spec.until, apiKeyId: spec.apiKeyId, now });
  const targets = [...new Set(inferences.flatMap((row) => [row.id, row.episodeId]))];
  const latest = new Map<string, FeedbackRow>();
  for (const row of await feedbackFor(database, targets, [SHADOW_VERDICT_METRIC, ...(metricName ? [metricName] : [])])) latest.set(`${row.target_id}\u0000${row.metric}`, row);
  const verdict = (row: InferenceRow): boolean | undefined => {
    if (metricName === undefined || metric === undefined) return undefined;
    const value = (latest.get(`${row.id}\u0000${metricName}`) ?? latest.get(`${row.episodeId}\u0000${metricName}`))?.value_number;
    if (value === null || value === undefined) return undefined;
    if (metric.type === 'boolean') return metric.optimize === 'max' ? value === 1 : value === 0;
    return metric.optimize === 'max' ? value >= threshold! : value <= threshold!;
  };

  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  const observed: Array<{ row: InferenceRow; case: LabelCase; messages: RouterLabel['messages']; shadow?: number }> = [];
  const counts = new Map<string, { light: [number, number]; flagship: [number, number] }>();
  for (const row of inferences) {
    const messages = row.input.messages.filter((m) => m.role !== 'assistant' || m.content !== '').map((m) => ({ role: m.role, content: m.content }));
    if (!messages.some((m) => m.role !== 'assistant' && m.content.trim() !== '')) {
      skip('no prompt text');
      continue;
    }
    const shadow = latest.get(`${row.id}\u0000${SHADOW_VERDICT_METRIC}`)?.value_number;
    if (shadow !== null && shadow !== undefined && row.tier === 'light') {
      observed.push({ row, case: 'shadow', messages, shadow });
      continue;
    }
    if (row.tier !== 'light' && row.tier !== 'flagship') {
      skip('served by a model with no light or flagship tier');
      continue;
    }
    const good = verdict(row);
    if (good === undefined) {
      skip(metricName === undefined ? 'no shadow verdict (give --metric or a scenario with a quality metric)' : `no ${metricName} feedback`);
      continue;
    }
    const key = row.scenario ?? '-';
    const c = counts.get(key) ?? { light: [0, 0], flagship: [0, 0] };
    c[row.tier][0] += good ? 1 : 0;
    c[row.tier][1] += 1;
    counts.set(key, c);
    observed.push({ row, case: `${row.tier}_${good ? 'good' : 'bad'}`, messages });
  }
  if (metricName === undefined && observed.length === 0) {
    throw new DatasetError('labels need --metric (or --scenario with a quality metric), or shadow verdicts on the captured inferences');
  }
  const rate = ([good, n]: [number, number]) => (good + 1) / (n + 2);
  const rates: Record<string, { light: number; flagship: number }> = {};
  for (const [key, c] of counts) rates[key] = { light: round(rate(c.light)), flagship: round(rate(c.flagship)) };
  const cases: Record<LabelCase, number> = { light_good: 0, light_bad: 0, flagship_good: 0, flagship_bad: 0, shadow: 0 };
  const labels: RouterLabel[] = observed.map(({ row, case: kind, messages, shadow }) => {
    cases[kind] += 1;
    const r = rates[row.scenario ?? '-'] ?? { light: 0.5, flagship: 0.5 };
    const pair: Record<LabelCase, () => [number, number, number]> = {
      light_good: () => [1, 1, 0.5],
      light_bad: () => [r.flagship, 0, 0.5],
      flagship_good: () => [1, r.light, 0.5],
      flagship_bad: () => [0, 0, 0.5],
      // light − flagship in [-1, 1]: a win for the flagship by d is (1, 1 − d); for the light model by d, (1 − d, 1)
      shadow: () => (shadow! >= 0 ? [round(1 - Math.min(1, shadow!)), 1, 1] : [1, round(1 + Math.max(-1, shadow!)), 1]),
    };
    const [flagship, light, weight] = pair[kind]();
    return { id: row.id, messages, flagship_score: flagship, light_score: light, weight };
  });
  return { labels, report: { candidates: inferences.length, written: labels.length, cases, rates, skipped } };
}

/** Writes the labels as JSONL, after reading them back with the router's own parser (a bad line never reaches a file). */
export async function exportRouterLabels(database: Database, flywheel: FlywheelConfig, spec: LabelsSpec, path: string, now: number): Promise<LabelsReport> {
  const { labels, report } = await routerLabels(database, flywheel, spec, now);
  const text = labels.map((label) => JSON.stringify(label)).join('\n') + (labels.length > 0 ? '\n' : '');
  parseLabels(text, path);
  writeFileSync(path, text);
  return report;
}
