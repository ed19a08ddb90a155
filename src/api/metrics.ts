import type { Exchange } from '../http/exchange.js';
import type { Route } from '../http/router.js';
import { CONTENT_TYPE } from '../metrics/registry.js';
import type { Services } from '../pipeline/services.js';

/** GET /metrics: Prometheus text format. Needs the admin key (or open mode on loopback), like /admin/*. */
function metrics(services: Services, exchange: Exchange): void {
  const body = services.metrics?.render() ?? '';
  exchange.response.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  exchange.response.end(body);
}

export const metricsRoutes: readonly Route[] = [{ method: 'GET', path: '/metrics', access: 'admin', handler: metrics }];

