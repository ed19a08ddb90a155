import type { Database } from '../storage/database.js';
import { groupRows, hourlySums } from './hourly-sums.js';

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
 * from the routes rollup (whole hours up to the watermark) plus request_log for the edges and the hours not yet
 * rolled up. Cascade outcomes are counted from the route reason (rollup-columns.ts, EXTRA_COLUMNS).
 */
export async function routingMix(database: Database, from: number, until: number): Promise<Array<{ route: string; scenario: string } & MixLine>> {
  const rows = await hourlySums(database, {
    from,
    until,
    dimensions: ['route', 'scenario'],
    columns: ['requests', 'light_requests', 'flagship_requests', 'cascade_accepted', 'escalated'],
    grain: 'none',
  });
  const groups = groupRows(rows, (row) => `${row.keys.route}\u0000${row.keys.scenario || '(none)'}`);
  return [...groups].map(([key, sums]) => {
    const [route, scenario] = key.split('\u0000') as [string, string];
    const light = sums.light_requests ?? 0;
    const flagship = sums.flagship_requests ?? 0;
    return {
      route,
      scenario,
      requests: sums.requests ?? 0,
      light,
      flagship,
      light_share: light + flagship > 0 ? Math.round((light / (light + flagship)) * 10_000) / 10_000 : null,
      cascade_accepted: sums.cascade_accepted ?? 0,
      escalated: sums.escalated ?? 0,
    };
  });
}
