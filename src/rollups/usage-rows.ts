import type { Database } from '../storage/database.js';
import type { UsageGroup, UsageRow } from '../storage/usage-report.js';
import { hourlySums, type Dimension, type HourlyRow } from './hourly-sums.js';
import { USAGE_COLUMNS } from './rollup-columns.js';
import { dayIn } from './time-zone.js';

/** The grouping of the usage report as a rollup dimension, and the name `tidegate usage` prints for a missing value. */
const DIMENSIONS: Record<Exclude<UsageGroup, 'day' | 'tier'>, { dimension: Dimension; missing: string }> = {
  key: { dimension: 'api_key_id', missing: '(open)' },
  model: { dimension: 'model', missing: '' },
  provider: { dimension: 'provider', missing: '(none)' },
  scenario: { dimension: 'scenario', missing: '(none)' },
};

/**
 * The usage report's rows (storage/usage-report.ts) computed from the hourly rollups plus the raw edges instead of a
 * scan of request_log (by key from the keys table, by scenario from the routes table, by model, provider and day from
 * the compact one; with a key filter, by model, provider or scenario from the detailed table through its key index):
 * the same integer sums of the same rows, so `buildUsageReport` over them equals `tidegate usage` to the fen (the
 * tests hold the two side by side). Days are calendar days in tz (Beijing days for the CLI's
 * `--group day`). Rows are ordered by group name (binary), the CLI's order on SQLite.
 */
export async function usageRowsFromRollups(
  database: Database,
  options: { group: Exclude<UsageGroup, 'tier'>; since: number; until: number; tz: string; apiKeyId?: string },
): Promise<UsageRow[]> {
  const spec = options.group === 'day' ? undefined : DIMENSIONS[options.group];
  const dimensions: Dimension[] = ['cache_status', ...(spec ? [spec.dimension] : [])];
  const rows = await hourlySums(database, {
    from: options.since,
    until: options.until,
    dimensions,
    filters: options.apiKeyId === undefined ? undefined : { api_key_id: options.apiKeyId },
    columns: USAGE_COLUMNS,
    // Only days need the hours (calendar days in any tz); every other grouping sums the range in the database.
    grain: spec ? 'none' : 'hour',
  });
  const nameOf = (row: HourlyRow) => (spec ? row.keys[spec.dimension] || spec.missing : dayIn(options.tz, row.hour));
  const groups = new Map<string, UsageRow>();
  for (const row of rows) {
    const group = nameOf(row);
    let into = groups.get(group);
    if (!into) {
      into = { group, requests: 0, errors: 0, lightRequests: 0, flagshipRequests: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, costNanoCny: 0, flagshipCostNanoCny: 0, cacheHits: 0, semanticHits: 0, cacheSavedNanoCny: 0, providerCacheSavedNanoCny: 0 };
      groups.set(group, into);
    }
    const v = (name: string) => row.sums[name] ?? 0;
    const hits = row.keys.cache_status === 'hit' || row.keys.cache_status === 'semantic-hit' ? v('requests') : 0;
    into.requests += v('requests');
    into.errors += v('errors');
    into.lightRequests += v('light_requests');
    into.flagshipRequests += v('flagship_requests');
    into.inputTokens += v('input_uncached_tokens') + v('cache_read_tokens') + v('cache_write_tokens');
    into.cachedTokens += v('cache_read_tokens');
    into.outputTokens += v('output_tokens');
    into.costNanoCny += v('cost_nano_cny');
    into.flagshipCostNanoCny += v('flagship_cost_nano_cny');
    into.cacheHits += hits;
    into.semanticHits += row.keys.cache_status === 'semantic-hit' ? v('requests') : 0;
    into.cacheSavedNanoCny += v('cache_saved_nano_cny');
    into.providerCacheSavedNanoCny += v('provider_cache_saved_nano_cny');
  }
  return [...groups.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}
