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

/** Every summed column (sums, then buckets) with its source expression over request_log. */
export const VALUE_COLUMNS: ReadonlyArray<readonly [string, string]> = [...SUM_COLUMNS, ...LATENCY_BUCKET_COLUMNS, ...TTFT_BUCKET_COLUMNS, ...OVERHEAD_BUCKET_COLUMNS];

/** Key expressions over request_log; NULLs become '' so the primary key is well defined in both dialects. */
export const KEY_SOURCES: Record<(typeof KEY_COLUMNS)[number], string> = {
  hour_start: 'created_at - (created_at % 3600000)',
  model: "coalesce(model_served, model_requested, '')",
  provider: "coalesce(provider, '')",
  route: 'model_requested',
  scenario: "coalesce(scenario, '')",
  api_key_id: "coalesce(api_key_id, '')",
  status_class: "case when status >= 500 then '5xx' when status >= 400 then '4xx' when status >= 300 then '3xx' else '2xx' end",
  cache_status: "coalesce(cache_status, '')",
};
