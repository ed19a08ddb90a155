import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { cacheReport } from '../rollups/cache-report.js';
import { dashboardStore, parseRange, query } from './dashboard-params.js';

/** GET /admin/dashboard/cache: the exact, semantic and provider caches apart, per day and per model. */
export async function cachePage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  sendJson(exchange.response, 200, await cacheReport(database, parseRange(query(exchange), { maxDays: 400, wholeHours: true })));
}
