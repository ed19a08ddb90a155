import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { buildUsageReport } from '../reports/usage.js';
import { usageRowsFromRollups } from '../rollups/usage-rows.js';
import { dashboardStore, parseRange, query, text } from './dashboard-params.js';

/**
 * GET /admin/dashboard/usage: the savings report of `tidegate usage` (buildUsageReport) by key, model, provider,
 * scenario and day in tz. Every grouping's rows are summed from an hourly rollup (rollups/usage-rows.ts) plus the raw
 * edge hours: the same integers as the CLI's scan of request_log, so every total equals the CLI's to the fen.
 */
export async function usagePage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const params = query(exchange);
  const { from, until, tz } = parseRange(params, { maxDays: 400, wholeHours: true });
  const apiKeyId = text(params, 'key');
  const report = async (group: 'key' | 'model' | 'provider' | 'scenario' | 'day') => {
    const rows = await usageRowsFromRollups(database, { group, since: from, until, tz, apiKeyId });
    return buildUsageReport(group, from, until, rows);
  };
  const [byKey, byModel, byProvider, byScenario, byDay, keys] = await Promise.all([report('key'), report('model'), report('provider'), report('scenario'), report('day'), services.keys.list()]);
  const seen = new Set(byKey.rows.map((row) => row.group));
  sendJson(exchange.response, 200, {
    from: new Date(from).toISOString(),
    to: new Date(until).toISOString(),
    tz,
    key: apiKeyId ?? null,
    total: byModel.total,
    by_key: byKey,
    by_model: byModel,
    by_provider: byProvider,
    by_scenario: byScenario,
    by_day: byDay,
    keys: Object.fromEntries(keys.filter((key) => seen.has(key.id)).map((key) => [key.id, { name: key.name, prefix: key.prefix, team: key.team }])),
  });
}
