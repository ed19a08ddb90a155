import type { Database } from '../storage/database.js';
import { hourlySums } from './hourly-sums.js';

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * Spend per key per Beijing day over [from, until) in nano-yuan (budgets run on Beijing days), from the keys rollup
 * (whole hours up to the watermark) plus request_log for the edges and the hours not yet rolled up: the same integer
 * sums the request log gives. Keys are '' for requests without one.
 */
export async function spendByKeyAndDay(database: Database, from: number, until: number): Promise<Map<string, Map<string, number>>> {
  const rows = await hourlySums(database, { from, until, dimensions: ['api_key_id'], columns: ['cost_nano_cny'], grain: { dayOffsetMs: BEIJING_OFFSET_MS } });
  const byKey = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const key = row.keys.api_key_id ?? '';
    let days = byKey.get(key);
    if (!days) byKey.set(key, (days = new Map()));
    const name = new Date(row.hour + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
    days.set(name, (days.get(name) ?? 0) + (row.sums.cost_nano_cny ?? 0));
  }
  return byKey;
}
