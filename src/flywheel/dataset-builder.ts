import type { Database } from '../storage/index.js';
import type { FlywheelConfig } from './config-schema.js';
import { getDataset, saveDataset } from './dataset-store.js';
import { feedbackFor, type FeedbackRow } from './feedback-store.js';
import { listInferences, type InferenceRow } from './inference-store.js';
import { splitPoint } from './prompt-hash.js';
import type { DatasetRowsTable } from './tables.js';

export const CURATION_SOURCES = ['demonstrations', 'feedback', 'flagship'] as const;
export type CurationSource = (typeof CURATION_SOURCES)[number];
type RowSource = DatasetRowsTable['source'];

/** What a dataset is built from: which captured inferences, which of them count as good, how it is split. */
export interface DatasetSpec {
  readonly name: string;
  readonly scenario?: string;
  /** Epoch ms window on the inference's time: [since, until). */
  readonly since?: number;
  readonly until?: number;
  /** Only this key's inferences. */
  readonly apiKeyId?: string;
  /** demonstrations: the ideal answers sent as feedback; feedback: answers the metric scored well; flagship: answers of flagship models (distillation). */
  readonly curate: readonly CurationSource[];
  /** For `feedback`: the metric (default: the scenario's quality metric) and, for a float metric, the bar an answer must reach. */
  readonly metric?: string;
  readonly threshold?: number;
  /** For `flagship`: the served models that count (default: every model of tier flagship). */
  readonly teachers?: readonly string[];
  /** Share of prompts held out for evaluation (default 0.2). */
  readonly evalShare?: number;
  /** Seed of the split (default the dataset name): the same seed always splits the same way. */
  readonly seed?: string;
}

export interface BuildReport {
  readonly candidates: number;
  readonly selected: Readonly<Record<RowSource, number>>;
  readonly duplicates: number;
  readonly skipped: Readonly<Record<string, number>>;
  readonly train: number;
  readonly eval: number;
}

export class DatasetError extends Error {}

const PRIORITY: Record<RowSource, number> = { demonstration: 3, feedback: 2, flagship: 1 };

/** The latest feedback per (target, metric). */
function latestBy(feedback: readonly FeedbackRow[]): Map<string, FeedbackRow> {
  const latest = new Map<string, FeedbackRow>();
  for (const row of feedback) latest.set(`${row.target_id}\u0000${row.metric}`, row);
  return latest;
}

/**
 * Builds (or rebuilds) a dataset: the captured inferences in the window are curated (a demonstration beats
 * a well-scored answer beats a flagship answer), deduplicated by normalised prompt (the best, then newest,
 * answer per prompt is kept) and split by episode, so no prompt is in both train and eval and the steps of
 * one episode stay together. The dataset stores references; content stays in (and expires with) the captures.
 */
export async function buildDataset(database: Database, flywheel: FlywheelConfig, spec: DatasetSpec, now: number): Promise<BuildReport> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(spec.name)) throw new DatasetError(`dataset name "${spec.name}": use letters, digits, ".", "_" or "-" (at most 64)`);
  if (spec.curate.length === 0) throw new DatasetError('choose at least one curation source: demonstrations, feedback or flagship');
  const evalShare = spec.evalShare ?? 0.2;
  if (!(evalShare >= 0 && evalShare < 1)) throw new DatasetError(`the eval share must be at least 0 and below 1, got ${evalShare}`);
  const metricName = spec.metric ?? (spec.scenario === undefined ? undefined : flywheel.quality[spec.scenario]?.metric);
  const metric = metricName === undefined ? undefined : flywheel.metrics[metricName];
  if (spec.curate.includes('feedback')) {
    if (metricName === undefined) throw new DatasetError('curating by feedback needs --metric (or a scenario with a quality metric)');
    if (metric === undefined || (metric.type !== 'boolean' && metric.type !== 'float')) throw new DatasetError(`"${metricName}" is not a boolean or float metric declared under metrics:`);
    if (metric.type === 'float' && spec.threshold === undefined) throw new DatasetError(`"${metricName}" is a float metric: give --threshold (answers at ${metric.optimize === 'max' ? 'or above' : 'or below'} it are kept)`);
  }

  const inferences = await listInferences(database, { scenario: spec.scenario, since: spec.since, until: spec.until, apiKeyId: spec.apiKeyId, now });
  const targets = [...new Set(inferences.flatMap((row) => [row.id, row.episodeId]))];
  const latest = latestBy(await feedbackFor(database, targets, ['demonstration', ...(metricName ? [metricName] : [])]));
  const good = (row: InferenceRow): boolean | undefined => {
    if (metricName === undefined || metric === undefined) return undefined;
    const score = latest.get(`${row.id}\u0000${metricName}`) ?? latest.get(`${row.episodeId}\u0000${metricName}`);
    if (score?.value_number === null || score === undefined) return undefined;
    const value = score.value_number;
    if (metric.type === 'boolean') return metric.optimize === 'max' ? value === 1 : value === 0;
    const threshold = spec.threshold ?? (spec.scenario !== undefined ? flywheel.quality[spec.scenario]?.target : undefined);
    if (threshold === undefined) return undefined;
    return metric.optimize === 'max' ? value >= threshold : value <= threshold;
  };
  const isTeacher = (row: InferenceRow) => (spec.teachers && spec.teachers.length > 0 ? spec.teachers.includes(row.modelServed ?? '') : row.tier === 'flagship');

  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  const best = new Map<string, { row: InferenceRow; source: RowSource }>();
  let duplicates = 0;
  for (const row of inferences) {
    if (row.input.images > 0) {
      skip('image input (images are never stored)');
      continue;
    }
    let source: RowSource | undefined;
    const demonstration = latest.get(`${row.id}\u0000demonstration`);
    const verdict = good(row);
    const answered = row.output.trim() !== '' && (row.finishReason === 'stop' || row.finishReason === null);
    if (spec.curate.includes('demonstrations') && demonstration?.value_text) source = 'demonstration';
    else if (!answered) {
      skip('answer cut short or empty');
      continue;
    } else if (spec.curate.includes('feedback') && verdict === true) source = 'feedback';
    else if (spec.curate.includes('flagship') && isTeacher(row) && verdict !== false) source = 'flagship';
    if (source === undefined) {
      skip(verdict === false ? 'scored below the bar' : 'no curation source');
      continue;
    }
    const kept = best.get(row.promptHash);
    if (kept) {
      duplicates += 1;
      // The better source wins; between equals, the newer answer (rows come oldest first).
      if (PRIORITY[source] < PRIORITY[kept.source]) continue;
    }
    best.set(row.promptHash, { row, source });
  }

  const seed = spec.seed ?? spec.name;
  const rows: DatasetRowsTable[] = [...best.values()].map(({ row, source }) => ({
    dataset: spec.name,
    inference_id: row.id,
    split: splitPoint(seed, row.episodeId) < evalShare ? 'eval' : 'train',
    source,
    prompt_hash: row.promptHash,
  }));
  const count = (source: RowSource) => rows.filter((row) => row.source === source).length;
  const report: BuildReport = {
    candidates: inferences.length,
    selected: { demonstration: count('demonstration'), feedback: count('feedback'), flagship: count('flagship') },
    duplicates,
    skipped,
    train: rows.filter((row) => row.split === 'train').length,
    eval: rows.filter((row) => row.split === 'eval').length,
  };
  await saveDataset(database, spec.name, now, spec, report, rows);
  return report;
}

export async function datasetSpec(database: Database, name: string): Promise<{ spec: DatasetSpec; report: BuildReport; createdAt: number } | undefined> {
  return getDataset<DatasetSpec, BuildReport>(database, name);
}
