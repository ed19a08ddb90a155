import { sql } from 'kysely';
import type { Database } from '../storage/database.js';

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * Spend per key per Beijing day over [from, until) in nano-yuan (budgets run on Beijing days): one grouped scan of
 * the request log's range, the rows budgets are seeded from. (The detailed hourly rollup barely compresses with a
 * key dimension, so it is no faster here.) Keys are '' for requests without one.
 */
export async function spendByKeyAndDay(database: Database, from: number, until: number): Promise<Map<string, Map<string, number>>> {
  const day = sql.raw(`(created_at + ${BEIJING_OFFSET_MS}) / ${DAY_MS}`);
  const { rows } = await sql<{ key: string; day: number | string; cost: number | string | null }>`select coalesce(api_key_id, '') as key, ${day} as day,
    sum(cost_nano_cny) as cost from request_log where created_at >= ${from} and created_at < ${until}
    group by coalesce(api_key_id, ''), ${day}`.execute(database.db);
  const byKey = new Map<string, Map<string, number>>();
  for (const row of rows) {
    let days = byKey.get(row.key);
    if (!days) byKey.set(row.key, (days = new Map()));
    const name = new Date(Math.floor(Number(row.day)) * DAY_MS).toISOString().slice(0, 10);
    days.set(name, (days.get(name) ?? 0) + Number(row.cost ?? 0));
  }
  return byKey;
}
