import { sql, type Expression } from 'kysely';
import type { Database } from './database.js';

export type UsageGroup = 'key' | 'model' | 'provider' | 'scenario' | 'day' | 'tier';

export interface UsageRow {
  group: string;
  requests: number;
  errors: number;
  lightRequests: number;
  flagshipRequests: number;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  costNanoCny: number;
  /** What the same requests would have cost on their flagship (served requests only). */
  flagshipCostNanoCny: number;
  /** Requests answered by the exact cache, and what those hits avoided paying. */
  cacheHits: number;
  /** Of those, hits of the semantic cache. */
  semanticHits: number;
  cacheSavedNanoCny: number;
  providerCacheSavedNanoCny: number;
}

/** Beijing calendar day of an epoch-ms column, in each dialect. */
function beijingDay(database: Database) {
  return database.dialect === 'sqlite'
    ? sql<string>`date((created_at + 28800000) / 1000, 'unixepoch')`
    : sql<string>`to_char(to_timestamp((created_at + 28800000) / 1000.0) at time zone 'UTC', 'YYYY-MM-DD')`;
}

/**
 * Spend, flagship-equivalent spend and tier mix grouped one way, over [since, until). Sums are integers
 * (nano-yuan) added by the database, so totals are exact.
 */
export async function usageReport(database: Database, options: { group: UsageGroup; since: number; until: number; apiKeyId?: string }): Promise<UsageRow[]> {
  const column = {
    key: sql<string>`coalesce(api_key_id, '(open)')`,
    model: sql<string>`coalesce(model_served, model_requested)`,
    provider: sql<string>`coalesce(provider, '(none)')`,
    scenario: sql<string>`coalesce(scenario, '(none)')`,
    tier: sql<string>`coalesce(tier, '(unknown)')`,
    day: beijingDay(database),
  }[options.group];
  const sum = (expression: Expression<number>) => sql<number | string>`coalesce(sum(${expression}), 0)`;
  let query = database.db
    .selectFrom('request_log')
    .select([
      column.as('group_name'),
      sql<number | string>`count(*)`.as('requests'),
      sum(sql<number>`case when status >= 400 then 1 else 0 end`).as('errors'),
      sum(sql<number>`case when tier = 'light' then 1 else 0 end`).as('light_requests'),
      sum(sql<number>`case when tier = 'flagship' then 1 else 0 end`).as('flagship_requests'),
      sum(sql<number>`input_uncached_tokens + cache_read_tokens + cache_write_tokens`).as('input_tokens'),
      sum(sql<number>`cache_read_tokens`).as('cached_tokens'),
      sum(sql<number>`output_tokens`).as('output_tokens'),
      sum(sql<number>`cost_nano_cny`).as('cost'),
      sum(sql<number>`flagship_cost_nano_cny`).as('flagship_cost'),
      sum(sql<number>`case when cache_status in ('hit', 'semantic-hit') then 1 else 0 end`).as('cache_hits'),
      sum(sql<number>`case when cache_status = 'semantic-hit' then 1 else 0 end`).as('semantic_hits'),
      sum(sql<number>`cache_saved_nano_cny`).as('cache_saved'),
      sum(sql<number>`provider_cache_saved_nano_cny`).as('provider_cache_saved'),
    ])
    .where('created_at', '>=', options.since)
    .where('created_at', '<', options.until);
  if (options.apiKeyId) query = query.where('api_key_id', '=', options.apiKeyId);
  const rows = await query.groupBy(column).orderBy(column).execute();
  return rows.map((row) => ({
    group: String(row.group_name),
    requests: Number(row.requests),
    errors: Number(row.errors),
    lightRequests: Number(row.light_requests),
    flagshipRequests: Number(row.flagship_requests),
    inputTokens: Number(row.input_tokens),
    cachedTokens: Number(row.cached_tokens),
    outputTokens: Number(row.output_tokens),
    costNanoCny: Number(row.cost),
    flagshipCostNanoCny: Number(row.flagship_cost),
    cacheHits: Number(row.cache_hits),
    semanticHits: Number(row.semantic_hits),
    cacheSavedNanoCny: Number(row.cache_saved),
    providerCacheSavedNanoCny: Number(row.provider_cache_saved),
  }));
}
