import { formatNanoCny } from '../pricing/cost.js';
import type { UsageGroup, UsageRow } from '../storage/index.js';
import type { UsageReportLine, UsageReportOf } from './usage-response.js';

export type { UsageReportLine } from './usage-response.js';
export type UsageReport = UsageReportOf<UsageGroup>;

function line(group: string, row: Omit<UsageRow, 'group'>): UsageReportLine {
  const savingsNano = row.flagshipCostNanoCny - row.costNanoCny;
  const tiered = row.lightRequests + row.flagshipRequests;
  return {
    group,
    requests: row.requests,
    errors: row.errors,
    input_tokens: row.inputTokens,
    cached_tokens: row.cachedTokens,
    output_tokens: row.outputTokens,
    spend_cny: formatNanoCny(row.costNanoCny),
    flagship_equivalent_cny: formatNanoCny(row.flagshipCostNanoCny),
    savings_cny: formatNanoCny(savingsNano),
    cache_hits: row.cacheHits,
    semantic_cache_hits: row.semanticHits,
    cache_savings_cny: formatNanoCny(row.cacheSavedNanoCny),
    routing_savings_cny: formatNanoCny(savingsNano - row.cacheSavedNanoCny),
    provider_cache_savings_cny: formatNanoCny(row.providerCacheSavedNanoCny),
    savings_share: row.flagshipCostNanoCny > 0 ? Math.round((savingsNano / row.flagshipCostNanoCny) * 10_000) / 10_000 : null,
    light_share: tiered > 0 ? Math.round((row.lightRequests / tiered) * 10_000) / 10_000 : null,
  };
}

/** The savings report: spend against always-flagship, per group and in total (integer sums, exact). */
export function buildUsageReport(group: UsageGroup, since: number, until: number, rows: readonly UsageRow[]): UsageReport {
  const total = rows.reduce<Omit<UsageRow, 'group'>>(
    (sum, row) => ({
      requests: sum.requests + row.requests,
      errors: sum.errors + row.errors,
      lightRequests: sum.lightRequests + row.lightRequests,
      flagshipRequests: sum.flagshipRequests + row.flagshipRequests,
      inputTokens: sum.inputTokens + row.inputTokens,
      cachedTokens: sum.cachedTokens + row.cachedTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      costNanoCny: sum.costNanoCny + row.costNanoCny,
      flagshipCostNanoCny: sum.flagshipCostNanoCny + row.flagshipCostNanoCny,
      cacheHits: sum.cacheHits + row.cacheHits,
      semanticHits: sum.semanticHits + row.semanticHits,
      cacheSavedNanoCny: sum.cacheSavedNanoCny + row.cacheSavedNanoCny,
      providerCacheSavedNanoCny: sum.providerCacheSavedNanoCny + row.providerCacheSavedNanoCny,
    }),
    { requests: 0, errors: 0, lightRequests: 0, flagshipRequests: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, costNanoCny: 0, flagshipCostNanoCny: 0, cacheHits: 0, semanticHits: 0, cacheSavedNanoCny: 0, providerCacheSavedNanoCny: 0 },
  );
  return {
    group,
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    rows: rows.map((row) => line(row.group, row)),
    total: line('total', total),
  };
}

const groups: readonly UsageGroup[] = ['key', 'model', 'provider', 'scenario', 'day', 'tier'];

export function parseUsageGroup(value: string | null | undefined): UsageGroup {
  const group = (value ?? 'model') as UsageGroup;
  if (!groups.includes(group)) throw new Error(`group must be one of ${groups.join(', ')}`);
  return group;
}
