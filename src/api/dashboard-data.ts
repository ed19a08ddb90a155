import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';
import { batchesPage } from './dashboard-batches.js';
import { cachePage } from './dashboard-cache.js';
import { keysPage } from './dashboard-keys.js';
import { parseRange, query } from './dashboard-params.js';
import { performancePage } from './dashboard-performance.js';
import { reliabilityPage } from './dashboard-reliability.js';
import { requestDetail, requestsPage } from './dashboard-requests.js';
import { routingPage } from './dashboard-routing.js';
import { settingsPage } from './dashboard-settings.js';
import { usagePage } from './dashboard-usage.js';

/**
 * GET /admin/dashboard/overview?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=Asia/Shanghai: spend, flagship-equivalent
 * spend, savings by source, quality kept, requests, latency / TTFT / overhead percentiles, per calendar day in tz
 * and in total. `to` is exclusive; the default is the last 30 days up to now.
 */
async function overview(services: Services, exchange: Exchange): Promise<void> {
  if (!services.dashboard) throw new GatewayError('not_found', 'The dashboard data is not available in this process.');
  const range = parseRange(query(exchange), { maxDays: 400, wholeHours: true });
  sendJson(exchange.response, 200, await services.dashboard.overview(range));
}

/** The dashboard's data, one endpoint per page (docs/dashboard-api.md); admin only, every query bounded. */
export const dashboardDataRoutes: readonly Route[] = [
  { method: 'GET', path: '/admin/dashboard/overview', access: 'admin', handler: overview },
  { method: 'GET', path: '/admin/dashboard/routing', access: 'admin', handler: routingPage },
  { method: 'GET', path: '/admin/dashboard/usage', access: 'admin', handler: usagePage },
  { method: 'GET', path: '/admin/dashboard/performance', access: 'admin', handler: performancePage },
  { method: 'GET', path: '/admin/dashboard/reliability', access: 'admin', handler: reliabilityPage },
  { method: 'GET', path: '/admin/dashboard/cache', access: 'admin', handler: cachePage },
  { method: 'GET', path: '/admin/dashboard/requests', access: 'admin', handler: requestsPage },
  { method: 'GET', path: '/admin/dashboard/requests/:id', access: 'admin', handler: requestDetail },
  { method: 'GET', path: '/admin/dashboard/keys', access: 'admin', handler: keysPage },
  { method: 'GET', path: '/admin/dashboard/batches', access: 'admin', handler: batchesPage },
  { method: 'GET', path: '/admin/dashboard/settings', access: 'admin', handler: settingsPage },
];
