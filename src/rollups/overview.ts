import { sql } from 'kysely';
import { formatNanoCny } from '../pricing/cost.js';
import type { Database } from '../storage/database.js';
import { LATENCY_BOUNDS_MS, OVERHEAD_BOUNDS_MS, quantileFromBuckets } from './buckets.js';
import { COMPACT_TABLE, KEY_SOURCES, LATENCY_BUCKET_COLUMNS, OVERHEAD_BUCKET_COLUMNS, TTFT_BUCKET_COLUMNS, VALUE_COLUMNS } from './rollup-columns.js';
import { HOUR_MS, readWatermark } from './rollup-job.js';
import type { Overview, OverviewLine } from './overview-response.js';
import { qualityKept } from './quality.js';
import { dayIn } from './time-zone.js';

export type { Overview, OverviewLine } from './overview-response.js';

type Sums = Record<string, number>;

/** Cache savings split by source: the exact cache's hits and the semantic cache's hits. */
const SPLIT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['semantic_cache_saved', "case when cache_status = 'semantic-hit' then cache_saved_nano_cny else 0 end"],
];
/** Savings of deferred work (jobs table): the on-demand price at submission minus the billed cost, by tariff. */
const JOB_COLUMNS = ['off_peak_saved', 'batch_saved'] as const;
const ALL_COLUMNS = [...VALUE_COLUMNS.map(([name]) => name), ...SPLIT_COLUMNS.map(([name]) => name), ...JOB_COLUMNS];

/** Per-hour sums from the compact rollup table over [from, until) (whole hours). */
async function rolledHours(database: Database, from: number, until: number): Promise<Map<number, Sums>> {
  if (until <= from) return new Map();
  const columns = sql.raw([...VALUE_COLUMNS.map(([name]) => `sum(${name}) as ${name}`), ...SPLIT_COLUMNS.map(([name, source]) => `sum(${source}) as ${name}`)].join(', '));
  const { rows } = await sql<Record<string, number | string>>`select hour_start, ${columns} from ${sql.table(COMPACT_TABLE)}
    where hour_start >= ${from} and hour_start < ${until} group by hour_start`.execute(database.db);
  return toMap(rows);
}

/** The same per-hour sums computed from request_log over [from, until) (the edges and hours not yet rolled up). */
async function rawHours(database: Database, from: number, until: number): Promise<Map<number, Sums>> {
  if (until <= from) return new Map();
  const hour = sql.raw(KEY_SOURCES.hour_start);
  const columns = sql.raw([...VALUE_COLUMNS, ...SPLIT_COLUMNS].map(([name, source]) => `sum(${source}) as ${name}`).join(', '));
  const { rows } = await sql<Record<string, number | string>>`select ${hour} as hour_start, ${columns} from request_log
    where created_at >= ${from} and created_at < ${until} group by ${hour}`.execute(database.db);
  return toMap(rows);
}

/**
 * Per-hour savings of succeeded jobs finished in [from, until): lines billed at a provider batch tariff, and
 * deferred requests run in a cheaper window (the same difference `/admin/scheduling` reports as saved_cny).
 */
async function jobHours(database: Database, from: number, until: number): Promise<Map<number, Sums>> {
  const hour = sql.raw(`finished_at - (finished_at % ${HOUR_MS})`);
  const { rows } = await sql<Record<string, number | string>>`select ${hour} as hour_start,
    sum(case when tariff = 'batch' then on_demand_nano_cny - cost_nano_cny else 0 end) as batch_saved,
    sum(case when tariff = 'batch' then 0 else on_demand_nano_cny - cost_nano_cny end) as off_peak_saved
    from jobs where status = 'succeeded' and finished_at >= ${from} and finished_at < ${until}
    group by ${hour}`.execute(database.db);
  return toMap(rows);
}

function toMap(rows: ReadonlyArray<Record<string, number | string>>): Map<number, Sums> {
  const map = new Map<number, Sums>();
  for (const row of rows) {
    const sums: Sums = {};
    for (const name of ALL_COLUMNS) sums[name] = Number(row[name] ?? 0);
    map.set(Number(row.hour_start), sums);
  }
  return map;
}

function add(into: Sums, from: Sums): void {
  for (const name of ALL_COLUMNS) into[name] = (into[name] ?? 0) + (from[name] ?? 0);
}

const counts = (sums: Sums, columns: ReadonlyArray<readonly [string, string]>) => columns.map(([name]) => sums[name] ?? 0);

function percentiles(bounds: readonly number[], buckets: number[]) {
  return { p50: quantileFromBuckets(bounds, buckets, 0.5), p90: quantileFromBuckets(bounds, buckets, 0.9), p99: quantileFromBuckets(bounds, buckets, 0.99) };
}

function line(sums: Sums): OverviewLine {
  const v = (name: string) => sums[name] ?? 0;
  const savings = v('flagship_cost_nano_cny') - v('cost_nano_cny');
  const semantic = v('semantic_cache_saved');
  return {
    requests: v('requests'),
    errors: v('errors'),
    input_tokens: v('input_uncached_tokens') + v('cache_read_tokens') + v('cache_write_tokens'),
    cached_tokens: v('cache_read_tokens'),
    output_tokens: v('output_tokens'),
    spend_cny: formatNanoCny(v('cost_nano_cny')),
    flagship_equivalent_cny: formatNanoCny(v('flagship_cost_nano_cny')),
    savings_cny: formatNanoCny(savings),
    savings_by_source_cny: {
      routing: formatNanoCny(savings - v('cache_saved_nano_cny')),
      cache: formatNanoCny(v('cache_saved_nano_cny') - semantic),
      semantic_cache: formatNanoCny(semantic),
      provider_cache: formatNanoCny(v('provider_cache_saved_nano_cny')),
      off_peak: formatNanoCny(v('off_peak_saved')),
      batch: formatNanoCny(v('batch_saved')),
    },
    latency_ms: percentiles(LATENCY_BOUNDS_MS, counts(sums, LATENCY_BUCKET_COLUMNS)),
    ttft_ms: percentiles(LATENCY_BOUNDS_MS, counts(sums, TTFT_BUCKET_COLUMNS)),
    overhead_ms: percentiles(OVERHEAD_BOUNDS_MS, counts(sums, OVERHEAD_BUCKET_COLUMNS)),
  };
}

const lightShare = (sums: Sums): number | null => {
  const tiered = (sums.light_requests ?? 0) + (sums.flagship_requests ?? 0);
  return tiered > 0 ? Math.round(((sums.light_requests ?? 0) / tiered) * 10_000) / 10_000 : null;
};

/**
 * The dashboard overview over [from, until): whole hours up to the rollup watermark come from the rollup
 * table, partial edge hours and hours not yet rolled up from request_log, so totals equal `tidegate usage`
 * over the same range exactly. Days are calendar days in tz (whose offset must be whole hours).
 */
export async function dashboardOverview(database: Database, options: { from: number; until: number; tz: string }): Promise<Overview> {
  const { from, until, tz } = options;
  const watermark = await readWatermark(database);
  const firstWhole = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const rolledEnd = Math.max(firstWhole, Math.min(Math.floor(until / HOUR_MS) * HOUR_MS, watermark ?? firstWhole));
  const hours = new Map<number, Sums>();
  const parts = firstWhole >= until
    ? [await rawHours(database, from, until)]
    : [await rawHours(database, from, firstWhole), await rolledHours(database, firstWhole, rolledEnd), await rawHours(database, rolledEnd, until)];
  parts.push(await jobHours(database, from, until));
  for (const part of parts) {
    for (const [hour, sums] of part) {
      const into = hours.get(hour);
      if (into) add(into, sums);
      else hours.set(hour, { ...sums });
    }
  }
  const days = new Map<string, Sums>();
  const total: Sums = {};
  for (const hour of [...hours.keys()].sort((a, b) => a - b)) {
    const sums = hours.get(hour)!;
    const day = dayIn(tz, hour);
    let into = days.get(day);
    if (!into) days.set(day, (into = {}));
    add(into, sums);
    add(total, sums);
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(until).toISOString(),
    tz,
    rolled_up_until: watermark === null ? null : new Date(watermark).toISOString(),
    days: [...days].map(([day, sums]) => ({ day, ...line(sums) })),
    total: line(total),
    quality_kept: await qualityKept(database, from, until, lightShare(total)),
  };
}
