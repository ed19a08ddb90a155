import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';

/** GET /admin/privacy-audit?limit=N: the latest compliance audit rows (answers sent without an explicit AIGC label), newest first. */
async function privacyAudit(services: Services, exchange: Exchange): Promise<void> {
  const limit = Math.min(1000, Math.max(1, Number(exchange.url.searchParams.get('limit') ?? 100) || 100));
  const audit = services.aigc?.audit;
  sendJson(exchange.response, 200, { object: 'list', enabled: audit !== undefined, data: audit ? await audit.recent(limit) : [] });
}

export const privacyAuditRoutes: readonly Route[] = [{ method: 'GET', path: '/admin/privacy-audit', access: 'admin', handler: privacyAudit }];
