import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../storage/database.js';
import { LATENCY_BOUNDS_MS, OVERHEAD_BOUNDS_MS, quantileFromBuckets } from './buckets.js';
import { COMPACT_KEY_COLUMNS, COMPACT_TABLE, KEY_SOURCES, LATENCY_BUCKET_COLUMNS, OVERHEAD_BUCKET_COLUMNS, ROLLUP_TABLE, TTFT_BUCKET_COLUMNS, VALUE_COLUMNS } from './rollup-columns.js';
import { HOUR_MS, readWatermark } from './rollup-job.js';

/**
 * Per-hour sums of the rollup's value columns over [from, until), grouped by some of its key dimensions and
 * filtered on others: whole hours up to the watermark from the rollup (the compact table when every dimension
 * used is in it, else the detailed one), partial edge hours and hours not yet rolled up from request_log with
 * the same expressions, so a total always equals the raw request log's exactly.
 */

export type Dimension = 'model' | 'provider' | 'route' | 'scenario' | 'api_key_id' | 'status_class' | 'cache_status';
export type Sums = Record<string, number>;

export interface HourlyQuery {
  from: number;
  until: number;
  dimensions: readonly Dimension[];
  /** Equality filters on dimensions ('' matches rows where the dimension was missing). */
  filters?: Partial<Record<Dimension, string>>;
  /** The value columns to sum (default every one): fewer columns, a faster scan of the detailed table. */
  columns?: readonly string[];
}

export interface HourlyRow {
  hour: number;
  keys: Partial<Record<Dimension, string>>;
  sums: Sums;
}

function where(column: (dimension: Dimension) => string, filters: HourlyQuery['filters']): RawBuilder<unknown>[] {
  return Object.entries(filters ?? {})
    .filter((entry): entry is [Dimension, string] => entry[1] !== undefined)
    .map(([dimension, value]) => sql`and ${sql.raw(column(dimension))} = ${value}`);
}

const valueColumns = (query: HourlyQuery) => (query.columns ? VALUE_COLUMNS.filter(([name]) => query.columns!.includes(name)) : VALUE_COLUMNS);

function toRows(rows: ReadonlyArray<Record<string, unknown>>, query: HourlyQuery): HourlyRow[] {
  const { dimensions } = query;
  const names = valueColumns(query).map(([name]) => name);
  return rows.map((row) => {
    const keys: Partial<Record<Dimension, string>> = {};
    for (const dimension of dimensions) keys[dimension] = String(row[dimension] ?? '');
    const sums: Sums = {};
    for (const name of names) sums[name] = Number(row[name] ?? 0);
    return { hour: Number(row.hour_start), keys, sums };
  });
}

async function rolled(database: Database, query: HourlyQuery, from: number, until: number): Promise<HourlyRow[]> {
  if (until <= from) return [];
  const used = [...query.dimensions, ...Object.keys(query.filters ?? {})];
  const table = used.every((column) => (COMPACT_KEY_COLUMNS as readonly string[]).includes(column)) ? COMPACT_TABLE : ROLLUP_TABLE;
  const keys = query.dimensions.map((dimension) => `, ${dimension}`).join('');
  const sums = sql.raw(valueColumns(query).map(([name]) => `sum(${name}) as ${name}`).join(', '));
  const { rows } = await sql<Record<string, unknown>>`select hour_start${sql.raw(keys)}, ${sums} from ${sql.table(table)}
    where hour_start >= ${from} and hour_start < ${until} ${sql.join(where((d) => d, query.filters), sql` `)}
    group by hour_start${sql.raw(keys)}`.execute(database.db);
  return toRows(rows, query);
}

async function raw(database: Database, query: HourlyQuery, from: number, until: number): Promise<HourlyRow[]> {
  if (until <= from) return [];
  const keys = query.dimensions.map((dimension) => `, ${KEY_SOURCES[dimension]} as ${dimension}`).join('');
  const groupKeys = query.dimensions.map((dimension) => `, ${KEY_SOURCES[dimension]}`).join('');
  const sums = sql.raw(valueColumns(query).map(([name, source]) => `sum(${source}) as ${name}`).join(', '));
  const hour = KEY_SOURCES.hour_start;
  const { rows } = await sql<Record<string, unknown>>`select ${sql.raw(hour)} as hour_start${sql.raw(keys)}, ${sums} from request_log
    where created_at >= ${from} and created_at < ${until} ${sql.join(where((d) => KEY_SOURCES[d], query.filters), sql` `)}
    group by ${sql.raw(hour)}${sql.raw(groupKeys)}`.execute(database.db);
  return toRows(rows, query);
}

export async function hourlySums(database: Database, query: HourlyQuery): Promise<HourlyRow[]> {
  const { from, until } = query;
  const watermark = await readWatermark(database);
  const firstWhole = Math.ceil(from / HOUR_MS) * HOUR_MS;
  if (firstWhole >= until) return raw(database, query, from, until);
  const rolledEnd = Math.max(firstWhole, Math.min(Math.floor(until / HOUR_MS) * HOUR_MS, watermark ?? firstWhole));
  const parts = await Promise.all([raw(database, query, from, firstWhole), rolled(database, query, firstWhole, rolledEnd), raw(database, query, rolledEnd, until)]);
  return parts.flat();
}

export function addSums(into: Sums, from: Sums): Sums {
  for (const name of Object.keys(from)) into[name] = (into[name] ?? 0) + from[name]!;
  return into;
}

/** Rows summed by a grouping key, in first-seen order. */
export function groupRows(rows: readonly HourlyRow[], keyOf: (row: HourlyRow) => string): Map<string, Sums> {
  const groups = new Map<string, Sums>();
  for (const row of rows) {
    const key = keyOf(row);
    const into = groups.get(key);
    if (into) addSums(into, row.sums);
    else groups.set(key, { ...row.sums });
  }
  return groups;
}

const bucketCounts = (sums: Sums, columns: ReadonlyArray<readonly [string, string]>) => columns.map(([name]) => sums[name] ?? 0);

function percentiles(bounds: readonly number[], counts: readonly number[]) {
  return { p50: quantileFromBuckets(bounds, counts, 0.5), p90: quantileFromBuckets(bounds, counts, 0.9), p99: quantileFromBuckets(bounds, counts, 0.99) };
}

/** Per-bucket counts (not cumulative; the last bucket is +Inf) of latency, time to first token and overhead. */
export function histogramsOf(sums: Sums): { latency: number[]; ttft: number[]; overhead: number[] } {
  return { latency: bucketCounts(sums, LATENCY_BUCKET_COLUMNS), ttft: bucketCounts(sums, TTFT_BUCKET_COLUMNS), overhead: bucketCounts(sums, OVERHEAD_BUCKET_COLUMNS) };
}

/** p50/p90/p99 from merged bucket counts, never from averaged percentiles. */
export function percentilesOf(sums: Sums) {
  const histograms = histogramsOf(sums);
  return {
    latency_ms: percentiles(LATENCY_BOUNDS_MS, histograms.latency),
    ttft_ms: percentiles(LATENCY_BOUNDS_MS, histograms.ttft),
    overhead_ms: percentiles(OVERHEAD_BOUNDS_MS, histograms.overhead),
  };
}
