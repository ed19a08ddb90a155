import { sql } from 'kysely';
import type { Database } from '../storage/database.js';

export interface MixLine {
  requests: number;
  light: number;
  flagship: number;
  light_share: number | null;
  cascade_accepted: number;
  escalated: number;
}

/**
 * Served tiers and cascade outcomes per route (the model name the client sent) and scenario over [from, until),
 * from the request log (route reasons are not in the rollup): callers bound the range. A cascade writes
 * "cascade: … -> accepted" or "… -> escalated to flagship" in its route reason (pipeline/cascade.ts).
 */
export async function routingMix(database: Database, from: number, until: number): Promise<Array<{ route: string; scenario: string } & MixLine>> {
  const { rows } = await sql<Record<string, unknown>>`select model_requested as route, coalesce(scenario, '(none)') as scenario, count(*) as requests,
    sum(case when tier = 'light' then 1 else 0 end) as light, sum(case when tier = 'flagship' then 1 else 0 end) as flagship,
    sum(case when route_reason like '%cascade:%-> accepted' then 1 else 0 end) as cascade_accepted,
    sum(case when route_reason like '%cascade:%-> escalated to flagship' then 1 else 0 end) as escalated
    from request_log where created_at >= ${from} and created_at < ${until}
    group by model_requested, coalesce(scenario, '(none)')`.execute(database.db);
  return rows.map((row) => {
    const light = Number(row.light ?? 0);
    const flagship = Number(row.flagship ?? 0);
    return {
      route: String(row.route),
      scenario: String(row.scenario),
      requests: Number(row.requests),
      light,
      flagship,
      light_share: light + flagship > 0 ? Math.round((light / (light + flagship)) * 10_000) / 10_000 : null,
      cascade_accepted: Number(row.cascade_accepted ?? 0),
      escalated: Number(row.escalated ?? 0),
    };
  });
}
