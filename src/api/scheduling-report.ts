import { periodsAt } from '../budgets/periods.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';
import { deferredWork } from './jobs.js';

/** GET /admin/scheduling?since=YYYY-MM-DD&until=YYYY-MM-DD (Beijing days): deferred savings, waits, shed, downgrades. */
async function schedulingReport(services: Services, exchange: Exchange): Promise<void> {
  const params = exchange.url.searchParams;
  const day = (name: string, fallback: number) => {
    const value = params.get(name);
    if (value === null) return fallback;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new GatewayError('invalid_request', `${name}: expected a date YYYY-MM-DD (Beijing time)`, { param: name });
    return Date.parse(`${value}T00:00:00+08:00`);
  };
  const now = Date.now();
  const report = await deferredWork(services).report(day('since', periodsAt(now).monthStart), day('until', periodsAt(now).dayEnd));
  sendJson(exchange.response, 200, { ...report, live: services.scheduler?.snapshot() ?? null });
}

export const schedulingAdminRoutes: readonly Route[] = [{ method: 'GET', path: '/admin/scheduling', access: 'admin', handler: schedulingReport }];
