import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { performanceReport } from '../rollups/performance.js';
import { dashboardStore, oneOf, parseRange, query, text } from './dashboard-params.js';

/** GET /admin/dashboard/performance: latency, TTFT and overhead percentiles from the rollup's bucket sums. */
export async function performancePage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const params = query(exchange);
  const interval = oneOf(params, 'interval', ['day', 'hour'] as const, 'day')!;
  const range = parseRange(params, { maxDays: 400, wholeHours: true });
  if (interval === 'hour' && range.until - range.from > 14 * 86_400_000) {
    throw new GatewayError('invalid_request', 'interval: an hourly series may cover at most 14 days', { param: 'interval' });
  }
  sendJson(exchange.response, 200, await performanceReport(database, { ...range, interval, model: text(params, 'model'), provider: text(params, 'provider') }));
}
