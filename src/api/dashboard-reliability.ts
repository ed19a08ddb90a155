import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { reliabilityReport } from '../rollups/reliability.js';
import { dashboardStore, parseRange, query, text } from './dashboard-params.js';

/** GET /admin/dashboard/reliability: errors by code, fallbacks, retries over the range; this node's circuits now. */
export async function reliabilityPage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const params = query(exchange);
  const range = parseRange(params, { maxDays: 93 });
  const report = await reliabilityReport(database, { ...range, model: text(params, 'model'), provider: text(params, 'provider') });
  const circuits = services.breakers.snapshot().map((circuit) => ({ key: circuit.key, state: circuit.state, consecutive_failures: circuit.consecutiveFailures }));
  sendJson(exchange.response, 200, { ...report, circuits });
}
