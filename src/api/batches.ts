import { GatewayError } from '../errors/catalogue.js';
import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';
import { deferredWork, getJobRoute } from './jobs.js';

/** POST /v1/batches {input_file_id, endpoint, completion_window, metadata?}: OpenAI's Batch API, run by Tidegate. */
async function createBatch(services: Services, exchange: Exchange): Promise<void> {
  const body = await readJsonBody(exchange.request, 64 * 1024);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  sendJson(exchange.response, 200, await deferredWork(services).createBatch(exchange.principal, body as Record<string, unknown>));
}

async function retrieveBatch(services: Services, exchange: Exchange): Promise<void> {
  sendJson(exchange.response, 200, await deferredWork(services).batch(exchange.params.id ?? '', exchange.principal));
}

async function listBatchesRoute(services: Services, exchange: Exchange): Promise<void> {
  const limit = Math.min(100, Math.max(1, Number(exchange.url.searchParams.get('limit') ?? 20) || 20));
  const after = exchange.url.searchParams.get('after') ?? undefined;
  const data = await deferredWork(services).batches(exchange.principal, limit + 1, after);
  const page = data.slice(0, limit);
  sendJson(exchange.response, 200, { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: data.length > limit });
}

async function cancelBatch(services: Services, exchange: Exchange): Promise<void> {
  sendJson(exchange.response, 200, await deferredWork(services).cancelBatch(exchange.params.id ?? '', exchange.principal));
}

export const batchRoutes: readonly Route[] = [
  { method: 'POST', path: '/v1/batches', access: 'client', handler: createBatch },
  { method: 'GET', path: '/v1/batches', access: 'client', handler: listBatchesRoute },
  { method: 'GET', path: '/v1/batches/:id', access: 'client', handler: retrieveBatch },
  { method: 'POST', path: '/v1/batches/:id/cancel', access: 'client', handler: cancelBatch },
  { method: 'GET', path: '/v1/jobs/:id', access: 'client', handler: getJobRoute },
];
