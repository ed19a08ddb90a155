import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { formatNanoCny } from '../pricing/cost.js';
import { keyNames, requestById, searchRequests, type RequestRecord } from '../rollups/request-search.js';
import { dashboardStore, decodeCursor, encodeCursor, oneOf, pageSize, parseRange, query, text } from './dashboard-params.js';

const statusClass = (status: number) => (status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx');
const iso = (ms: number) => new Date(Number(ms)).toISOString();

function summary(row: RequestRecord, names: Map<string, string>) {
  return {
    id: row.id,
    created_at: iso(row.created_at),
    key_id: row.api_key_id,
    key_name: row.api_key_id === null ? null : (names.get(row.api_key_id) ?? null),
    endpoint: row.endpoint,
    route: row.model_requested,
    model: row.model_served ?? row.model_requested,
    provider: row.provider,
    tier: row.tier,
    scenario: row.scenario,
    status: row.status,
    status_class: statusClass(row.status),
    error_code: row.error_code,
    cache: row.cache_status,
    cost_cny: formatNanoCny(Number(row.cost_nano_cny)),
    input_tokens: row.input_uncached_tokens + row.cache_read_tokens + row.cache_write_tokens,
    output_tokens: row.output_tokens,
    latency_ms: row.latency_ms,
    ttft_ms: row.first_byte_ms,
    fallback_used: row.fallback_used === 1,
    attempts: row.attempts,
  };
}

/** GET /admin/dashboard/requests: request-log rows filtered server-side, newest first, cursor-paged. */
export async function requestsPage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const params = query(exchange);
  const { from, until } = parseRange(params, { maxDays: 400 });
  const limit = pageSize(params);
  const { rows, more } = await searchRequests(database, {
    from,
    until,
    key: text(params, 'key'),
    model: text(params, 'model'),
    provider: text(params, 'provider'),
    route: text(params, 'route'),
    scenario: text(params, 'scenario'),
    statusClass: oneOf(params, 'status_class', ['2xx', '4xx', '5xx'] as const),
    cache: oneOf(params, 'cache', ['hit', 'semantic-hit', 'miss', 'bypass'] as const),
    errorCode: text(params, 'error_code'),
    limit,
    after: decodeCursor(params),
  });
  const names = await keyNames(database, rows.map((row) => row.api_key_id));
  const last = rows[rows.length - 1];
  sendJson(exchange.response, 200, {
    object: 'list',
    data: rows.map((row) => summary(row, names)),
    limit,
    next_cursor: more && last ? encodeCursor(Number(last.created_at), last.id) : null,
  });
}

/** GET /admin/dashboard/requests/:id: one request with its whole routing decision, cost, tokens and timings. */
export async function requestDetail(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const id = exchange.params.id ?? '';
  const row = id.length > 0 && id.length <= 200 ? await requestById(database, id) : undefined;
  if (!row) throw new GatewayError('request_not_found', `No request ${id} in the request log.`, { param: 'id' });
  const names = await keyNames(database, [row.api_key_id]);
  const overhead = row.upstream_ms === null ? null : row.latency_ms - row.upstream_ms;
  sendJson(exchange.response, 200, {
    id: row.id,
    created_at: iso(row.created_at),
    key_id: row.api_key_id,
    key_name: row.api_key_id === null ? null : (names.get(row.api_key_id) ?? null),
    endpoint: row.endpoint,
    status: row.status,
    status_class: statusClass(row.status),
    error_code: row.error_code,
    stream: row.stream === 1,
    cache: row.cache_status,
    scenario: row.scenario,
    priority: row.priority,
    priority_requested: row.priority_requested,
    routing: {
      requested: row.model_requested,
      served: row.model_served,
      provider: row.provider,
      tier: row.tier,
      reason: row.route_reason,
      flagship_model: row.flagship_model,
      fallback_used: row.fallback_used === 1,
      attempts: row.attempts,
    },
    cost: {
      cost_cny: formatNanoCny(Number(row.cost_nano_cny)),
      flagship_equivalent_cny: formatNanoCny(Number(row.flagship_cost_nano_cny)),
      cache_saved_cny: formatNanoCny(Number(row.cache_saved_nano_cny)),
      provider_cache_saved_cny: formatNanoCny(Number(row.provider_cache_saved_nano_cny)),
      price_version: row.price_version,
      tariff: row.tariff,
      usd_to_cny: row.usd_to_cny === null ? null : Number(row.usd_to_cny),
    },
    tokens: {
      input_uncached: row.input_uncached_tokens,
      cache_read: row.cache_read_tokens,
      cache_write: row.cache_write_tokens,
      output: row.output_tokens,
      reasoning: row.reasoning_tokens,
      image: row.image_tokens,
      estimated: row.usage_estimated === 1,
    },
    timings: { latency_ms: row.latency_ms, ttft_ms: row.first_byte_ms, upstream_ms: row.upstream_ms, overhead_ms: overhead, queue_ms: row.queue_ms },
    config_hash: row.config_hash,
    client_ip: row.client_ip,
  });
}
