import { GatewayError } from '../errors/catalogue.js';
import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';

async function createKey(services: Services, exchange: Exchange): Promise<void> {
  const body = (await readJsonBody(exchange.request, 64 * 1024)) as { name?: unknown };
  if (typeof body !== 'object' || body === null || typeof body.name !== 'string' || body.name.trim() === '') {
    throw new GatewayError('invalid_request', 'name: expected a non-empty string', { param: 'name' });
  }
  sendJson(exchange.response, 201, await services.keys.create(body.name.trim()));
}

async function revokeKey(services: Services, exchange: Exchange): Promise<void> {
  const id = exchange.params.id ?? '';
  if (!(await services.keys.revoke(id))) throw new GatewayError('not_found', `No active key ${id}.`);
  sendJson(exchange.response, 200, { id, revoked: true });
}

async function recentRequests(services: Services, exchange: Exchange): Promise<void> {
  const limit = Math.min(1000, Math.max(1, Number(exchange.url.searchParams.get('limit') ?? 100) || 100));
  const apiKeyId = exchange.url.searchParams.get('key') ?? undefined;
  sendJson(exchange.response, 200, { object: 'list', data: await services.requestLog.recent({ limit, apiKeyId }) });
}

/** /admin/*: needs the admin key (or open mode on loopback). */
export const adminRoutes: readonly Route[] = [
  { method: 'GET', path: '/admin/keys', access: 'admin', handler: async (services, exchange) => sendJson(exchange.response, 200, { object: 'list', data: await services.keys.list() }) },
  { method: 'POST', path: '/admin/keys', access: 'admin', handler: createKey },
  { method: 'DELETE', path: '/admin/keys/:id', access: 'admin', handler: revokeKey },
  { method: 'GET', path: '/admin/requests', access: 'admin', handler: recentRequests },
  { method: 'GET', path: '/admin/circuits', access: 'admin', handler: (services, exchange) => sendJson(exchange.response, 200, { object: 'list', data: services.breakers.snapshot() }) },
];
