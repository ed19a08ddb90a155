import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../storage/database.js';
import { LATENCY_BOUNDS_MS, OVERHEAD_BOUNDS_MS, quantileFromBuckets } from './buckets.js';
import { ALL_VALUE_COLUMNS, KEY_SOURCES, LATENCY_BUCKET_COLUMNS, OVERHEAD_BUCKET_COLUMNS, READ_ORDER, TTFT_BUCKET_COLUMNS, VALUE_COLUMNS, type Dimension } from './rollup-columns.js';
import { HOUR_MS, readWatermark } from './rollup-job.js';

/**
 * Per-hour sums of the rollups' value columns over [from, until), grouped by some of their key dimensions and
 * filtered on others: whole hours up to the watermark from the smallest rollup table holding every dimension and
 * column used (rollup-columns.ts, READ_ORDER), partial edge hours and hours not yet rolled up from request_log
 * with the same expressions, so a total always equals the raw request log's exactly.
 */

export type { Dimension } from './rollup-columns.js';
export type Sums = Record<string, number>;

/**
 * How rows are grouped in time: per hour (the default), per calendar day at a fixed UTC offset (`dayOffsetMs`, e.g.
 * Beijing's +8 h; `hour` is then the instant that day starts), or not at all (`hour` is then the query's `from`).
 * The edges and the rolled-up middle come back as separate rows: callers add rows with equal keys.
 */
export type Grain = 'hour' | 'none' | { dayOffsetMs: number };

export interface HourlyQuery {
  from: number;
  until: number;
  dimensions: readonly Dimension[];
  /** Equality filters on dimensions ('' matches rows where the dimension was missing). */
  filters?: Partial<Record<Dimension, string>>;
  /** The value columns to sum (default every one of the detailed table): fewer columns, a smaller table and a faster scan. */
  columns?: readonly string[];
  grain?: Grain;
}

export interface HourlyRow {
  hour: number;
  keys: Partial<Record<Dimension, string>>;
  sums: Sums;
}

const DAY_MS = 86_400_000;

function where(column: (dimension: Dimension) => string, filters: HourlyQuery['filters']): RawBuilder<unknown>[] {
  return Object.entries(filters ?? {})
    .filter((entry): entry is [Dimension, string] => entry[1] !== undefined)
    .map(([dimension, value]) => sql`and ${sql.raw(column(dimension))} = ${value}`);
}

function valueColumns(query: HourlyQuery): ReadonlyArray<readonly [string, string]> {
  if (!query.columns) return VALUE_COLUMNS;
  const unknown = query.columns.filter((name) => !ALL_VALUE_COLUMNS.some(([known]) => known === name));
  if (unknown.length > 0) throw new Error(`No rollup column ${unknown.join(', ')}`);
  return ALL_VALUE_COLUMNS.filter(([name]) => query.columns!.includes(name));
}

/** The time key over an epoch-ms column for the query's grain (the hour expression is KEY_SOURCES.hour_start's). */
function timeKey(query: HourlyQuery, column: 'created_at' | 'hour_start'): string | null {
  const grain = query.grain ?? 'hour';
  if (grain === 'none') return null;
  if (grain === 'hour') return column === 'created_at' ? KEY_SOURCES.hour_start : 'hour_start';
  return `${column} - ((${column} + ${grain.dayOffsetMs}) % ${DAY_MS})`;
}

function toRows(rows: ReadonlyArray<Record<string, unknown>>, query: HourlyQuery): HourlyRow[] {
  const { dimensions } = query;
  const names = valueColumns(query).map(([name]) => name);
  return rows.map((row) => {
    const keys: Partial<Record<Dimension, string>> = {};
    for (const dimension of dimensions) keys[dimension] = String(row[dimension] ?? '');
    const sums: Sums = {};
    for (const name of names) sums[name] = Number(row[name] ?? 0);
    return { hour: row.hour_start === undefined ? query.from : Number(row.hour_start), keys, sums };
  });
}

function tableFor(query: HourlyQuery): string {
  const used = [...query.dimensions, ...Object.keys(query.filters ?? {})];
  const columns = valueColumns(query).map(([name]) => name);
  const table = READ_ORDER.find((spec) => used.every((d) => (spec.keys as readonly string[]).includes(d)) && columns.every((c) => spec.values.includes(c)));
  if (!table) throw new Error(`No rollup table holds ${[...used, ...columns].join(', ')}`);
  return table.name;
}

/** SELECT and GROUP BY lists: the time key (if any) then the dimensions, each as a (source, name) pair. */
function groupKeys(query: HourlyQuery, time: string | null, source: (dimension: Dimension) => string): { select: string; group: string } {
  const pairs = [...(time === null ? [] : [[time, 'hour_start'] as const]), ...query.dimensions.map((d) => [source(d), d] as const)];
  return { select: pairs.map(([expression, name]) => `${expression} as ${name}, `).join(''), group: pairs.map(([expression]) => expression).join(', ') };
}

/** An aggregate without GROUP BY answers one row of NULL sums even over no rows: drop it. */
function nonEmpty(rows: ReadonlyArray<Record<string, unknown>>, query: HourlyQuery, group: string): ReadonlyArray<Record<string, unknown>> {
  const first = valueColumns(query)[0]?.[0];
  return group || first === undefined ? rows : rows.filter((row) => row[first] !== null && row[first] !== undefined);
}

async function rolled(database: Database, query: HourlyQuery, from: number, until: number): Promise<HourlyRow[]> {
  if (until <= from) return [];
  const table = tableFor(query);
  const keys = groupKeys(query, timeKey(query, 'hour_start'), (d) => d);
  const sums = sql.raw(valueColumns(query).map(([name]) => `sum(${name}) as ${name}`).join(', '));
  const { rows } = await sql<Record<string, unknown>>`select ${sql.raw(keys.select)}${sums} from ${sql.table(table)}
    where hour_start >= ${from} and hour_start < ${until} ${sql.join(where((d) => d, query.filters), sql` `)}
    ${sql.raw(keys.group ? `group by ${keys.group}` : '')}`.execute(database.db);
  return toRows(nonEmpty(rows, query, keys.group), query);
}

async function raw(database: Database, query: HourlyQuery, from: number, until: number): Promise<HourlyRow[]> {
  if (until <= from) return [];
  const keys = groupKeys(query, timeKey(query, 'created_at'), (d) => KEY_SOURCES[d]);
  const sums = sql.raw(valueColumns(query).map(([name, source]) => `sum(${source}) as ${name}`).join(', '));
  const { rows } = await sql<Record<string, unknown>>`select ${sql.raw(keys.select)}${sums} from request_log
    where created_at >= ${from} and created_at < ${until} ${sql.join(where((d) => KEY_SOURCES[d], query.filters), sql` `)}
    ${sql.raw(keys.group ? `group by ${keys.group}` : '')}`.execute(database.db);
  return toRows(nonEmpty(rows, query, keys.group), query);
}

export async function hourlySums(database: Database, query: HourlyQuery): Promise<HourlyRow[]> {
  const { from, until } = query;
  tableFor(query); // fail on a query no table can answer even when the range has no whole hour
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
