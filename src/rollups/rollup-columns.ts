import { LATENCY_BOUNDS_MS, OVERHEAD_BOUNDS_MS } from './buckets.js';

/**
 * The columns of `request_rollup_hourly` (migration 0010): the key dimensions, then integer sums, then one
 * count column per histogram bucket. Shared by the migration, the roll-up INSERT … SELECT and the readers,
 * so the three can never disagree on a name.
 */
export const ROLLUP_TABLE = 'request_rollup_hourly';
export const WATERMARK_TABLE = 'rollup_watermarks';
/**
 * The same hours at a coarser grain (no key, route or scenario), derived from the detailed table in the same
 * transaction: the overview reads this one. With a key dimension the detailed table barely compresses at
 * ~1,400 requests an hour (0.83 rollup rows per request in the 1 M-row benchmark); this one has a few dozen rows an hour.
 */
export const COMPACT_TABLE = 'request_rollup_hourly_compact';

/**
 * Narrower hourly tables (migration 0016) for the pages the two above cannot serve quickly: usage by key and the
 * keys page (key × cache result), usage by scenario and the routing mix (route × scenario × cache result, with
 * cascade outcomes), reliability (model × provider × status × error code, with fallbacks and retries).
 */
export const KEYS_TABLE = 'request_rollup_hourly_keys';
export const ROUTES_TABLE = 'request_rollup_hourly_routes';
export const ERRORS_TABLE = 'request_rollup_hourly_errors';

/** Key dimensions: hour × model × provider × route × scenario × key × status class × cache result. */
export const KEY_COLUMNS = ['hour_start', 'model', 'provider', 'route', 'scenario', 'api_key_id', 'status_class', 'cache_status'] as const;

/** Key dimensions of the compact table (a subset of KEY_COLUMNS). */
export const COMPACT_KEY_COLUMNS = ['hour_start', 'model', 'provider', 'status_class', 'cache_status'] as const;

/** Integer sums and the raw SQL (over request_log) each is rolled up from. */
export const SUM_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['requests', '1'],
  ['errors', 'case when status >= 400 then 1 else 0 end'],
  ['light_requests', "case when tier = 'light' then 1 else 0 end"],
  ['flagship_requests', "case when tier = 'flagship' then 1 else 0 end"],
  ['input_uncached_tokens', 'input_uncached_tokens'],
  ['cache_read_tokens', 'cache_read_tokens'],
  ['cache_write_tokens', 'cache_write_tokens'],
  ['output_tokens', 'output_tokens'],
  ['reasoning_tokens', 'reasoning_tokens'],
  ['image_tokens', 'image_tokens'],
  ['cost_nano_cny', 'cost_nano_cny'],
  ['flagship_cost_nano_cny', 'flagship_cost_nano_cny'],
  ['cache_saved_nano_cny', 'cache_saved_nano_cny'],
  ['provider_cache_saved_nano_cny', 'provider_cache_saved_nano_cny'],
  ['latency_ms_sum', 'latency_ms'],
];

function bucketColumns(prefix: string, bounds: readonly number[], valueSql: string): Array<readonly [string, string]> {
  return [...bounds, Infinity].map((bound, i) => {
    const lower = i === 0 ? null : bounds[i - 1]!;
    const conditions = [`${valueSql} is not null`];
    if (lower !== null) conditions.push(`${valueSql} > ${lower}`);
    if (Number.isFinite(bound)) conditions.push(`${valueSql} <= ${bound}`);
    return [`${prefix}_b${i}`, `case when ${conditions.join(' and ')} then 1 else 0 end`] as const;
  });
}

export const LATENCY_BUCKET_COLUMNS = bucketColumns('latency', LATENCY_BOUNDS_MS, 'latency_ms');
export const TTFT_BUCKET_COLUMNS = bucketColumns('ttft', LATENCY_BOUNDS_MS, 'first_byte_ms');
export const OVERHEAD_BUCKET_COLUMNS = bucketColumns('overhead', OVERHEAD_BOUNDS_MS, '(latency_ms - upstream_ms)');

/** Every summed column of the detailed and compact tables (sums, then buckets) with its source expression over request_log. */
export const VALUE_COLUMNS: ReadonlyArray<readonly [string, string]> = [...SUM_COLUMNS, ...LATENCY_BUCKET_COLUMNS, ...TTFT_BUCKET_COLUMNS, ...OVERHEAD_BUCKET_COLUMNS];

/**
 * Counters only the narrower tables hold (request-log columns the detailed table never summed). A cascade writes
 * "cascade: … -> accepted" or "… -> escalated to flagship" in its route reason (pipeline/cascade.ts).
 */
export const EXTRA_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['fallbacks', 'fallback_used'],
  ['retries', 'case when attempts > 1 then attempts - 1 else 0 end'],
  ['retried_requests', 'case when attempts > 1 then 1 else 0 end'],
  ['cascade_accepted', "case when route_reason like '%cascade:%-> accepted' then 1 else 0 end"],
  ['escalated', "case when route_reason like '%cascade:%-> escalated to flagship' then 1 else 0 end"],
];

/** Every value column any rollup table holds, with its source expression over request_log. */
export const ALL_VALUE_COLUMNS: ReadonlyArray<readonly [string, string]> = [...VALUE_COLUMNS, ...EXTRA_COLUMNS];

/** The sums the usage report needs (reports/usage.ts), the value columns of the keys and routes tables. */
export const USAGE_COLUMNS = ['requests', 'errors', 'light_requests', 'flagship_requests', 'input_uncached_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens',
  'cost_nano_cny', 'flagship_cost_nano_cny', 'cache_saved_nano_cny', 'provider_cache_saved_nano_cny'] as const;

/** A dimension a rollup table can be keyed by (every key column but hour_start). */
export type Dimension = 'model' | 'provider' | 'route' | 'scenario' | 'api_key_id' | 'status_class' | 'cache_status' | 'status' | 'error_code';

export interface RollupTableSpec {
  readonly name: string;
  /** hour_start, then dimensions. */
  readonly keys: readonly ['hour_start', ...Dimension[]];
  /** Value column names (each in ALL_VALUE_COLUMNS). */
  readonly values: readonly string[];
  /**
   * 'log': summed from request_log with the source expressions; 'detailed': re-summed from the detailed table's rows of
   * the same hours (so it also covers hours whose request-log rows retention has purged).
   */
  readonly from: 'log' | 'detailed';
}

/**
 * Every hourly rollup table, in the order the roll-up fills them (the detailed one first: others derive from it)
 * and, after it, smallest first: a reader takes the first table holding every dimension and value it needs.
 * Migrations 0010 and 0016 created these columns: changing a table's keys or values needs a new migration.
 */
export const ROLLUP_TABLES: readonly RollupTableSpec[] = [
  { name: ROLLUP_TABLE, keys: KEY_COLUMNS, values: VALUE_COLUMNS.map(([name]) => name), from: 'log' },
  { name: ERRORS_TABLE, keys: ['hour_start', 'model', 'provider', 'status', 'error_code'], values: ['requests', 'fallbacks', 'retries', 'retried_requests'], from: 'log' },
  { name: COMPACT_TABLE, keys: COMPACT_KEY_COLUMNS, values: VALUE_COLUMNS.map(([name]) => name), from: 'detailed' },
  { name: ROUTES_TABLE, keys: ['hour_start', 'route', 'scenario', 'cache_status'], values: [...USAGE_COLUMNS, 'cascade_accepted', 'escalated'], from: 'log' },
  { name: KEYS_TABLE, keys: ['hour_start', 'api_key_id', 'cache_status'], values: [...USAGE_COLUMNS], from: 'detailed' },
];

/** The tables readers choose from, smallest first (the detailed one last). */
export const READ_ORDER: readonly RollupTableSpec[] = [...ROLLUP_TABLES.slice(1), ROLLUP_TABLES[0]!];

/** Key expressions over request_log; NULLs become '' so the primary key is well defined in both dialects. */
export const KEY_SOURCES: Record<'hour_start' | Dimension, string> = {
  hour_start: 'created_at - (created_at % 3600000)',
  model: "coalesce(model_served, model_requested, '')",
  provider: "coalesce(provider, '')",
  route: 'model_requested',
  scenario: "coalesce(scenario, '')",
  api_key_id: "coalesce(api_key_id, '')",
  status_class: "case when status >= 500 then '5xx' when status >= 400 then '4xx' when status >= 300 then '3xx' else '2xx' end",
  cache_status: "coalesce(cache_status, '')",
  status: 'cast(status as text)',
  error_code: "coalesce(error_code, '')",
};
