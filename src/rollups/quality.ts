import { sql } from 'kysely';
import { normalQuantile, wilsonInterval } from '../evaluation/confidence-intervals.js';
import { SHADOW_VERDICT_METRIC } from '../flywheel/router-labels.js';
import type { Database } from '../storage/database.js';
import type { QualityKept } from './overview-response.js';

const round = (value: number) => Math.round(value * 10_000) / 10_000;

export type { QualityKept } from './overview-response.js';

/**
 * Quality kept from shadow verdicts created in [from, until): the flagship re-answered a sample of light-model calls
 * and a judge scored both (verdict = light score − flagship score). A light answer is "kept" when it scored at
 * least as well (verdict ≥ 0); Wilson interval on that share; requests the flagship served keep flagship quality.
 */
export async function qualityKept(database: Database, from: number, until: number, lightShare: number | null): Promise<QualityKept> {
  const { rows } = await sql<{ n: number | string; kept: number | string | null }>`select count(*) as n,
    sum(case when value_number >= 0 then 1 else 0 end) as kept from feedback
    where metric = ${SHADOW_VERDICT_METRIC} and created_at >= ${from} and created_at < ${until}`.execute(database.db);
  const n = Number(rows[0]?.n ?? 0);
  const kept = Number(rows[0]?.kept ?? 0);
  const empty = { value: null, low: null, high: null, level: 0.95 as const, sample_size: n, light_share: lightShare, light_kept: null, method: 'shadow_verdict' as const };
  if (n === 0) return empty;
  const interval = wilsonInterval(kept, n);
  const light = lightShare ?? 1;
  const mix = (p: number) => round(light * p + (1 - light));
  return { ...empty, value: mix(interval.mean), low: mix(interval.lower), high: mix(interval.upper), light_kept: round(interval.mean) };
}

export interface ScenarioQuality {
  metric: string;
  optimize: 'max' | 'min';
  target: number;
  value: number | null;
  low: number | null;
  high: number | null;
  sample_size: number;
  met: boolean | null;
}

/**
 * A scenario's quality metric over feedback created in [from, until) on its captured inferences (or their episodes):
 * the mean with a 95% interval (Wilson for a boolean metric, normal for a float one), and whether it meets the target.
 */
export async function scenarioQuality(
  database: Database,
  options: { from: number; until: number; scenario: string; metric: string; type: 'boolean' | 'float' | string; optimize: 'max' | 'min'; target: number },
): Promise<ScenarioQuality> {
  const { from, until, scenario, metric } = options;
  const { rows } = await sql<{ n: number | string; total: number | string | null; squares: number | string | null }>`select count(*) as n,
    sum(value_number) as total, sum(value_number * value_number) as squares from feedback
    where metric = ${metric} and created_at >= ${from} and created_at < ${until} and value_number is not null
    and ((target_type = 'inference' and target_id in (select id from inferences where scenario = ${scenario}))
      or (target_type = 'episode' and target_id in (select episode_id from inferences where scenario = ${scenario})))`.execute(database.db);
  const n = Number(rows[0]?.n ?? 0);
  const base = { metric, optimize: options.optimize, target: options.target, sample_size: n };
  if (n === 0) return { ...base, value: null, low: null, high: null, met: null };
  const total = Number(rows[0]?.total ?? 0);
  let low: number;
  let high: number;
  const mean = total / n;
  if (options.type === 'boolean') {
    const interval = wilsonInterval(total, n);
    [low, high] = [interval.lower, interval.upper];
  } else {
    const variance = n > 1 ? Math.max(0, (Number(rows[0]?.squares ?? 0) - n * mean * mean) / (n - 1)) : 0;
    const half = normalQuantile(0.975) * Math.sqrt(variance / n);
    [low, high] = [mean - half, mean + half];
  }
  const met = options.optimize === 'max' ? mean >= options.target : mean <= options.target;
  return { ...base, value: round(mean), low: round(low), high: round(high), met };
}
