import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';

export const version = '0.1.0';

/** GET /healthz: liveness plus what an operator checks first. */
export function health(services: Services, exchange: Exchange): void {
  const open = services.breakers.snapshot().filter((circuit) => circuit.state !== 'closed');
  sendJson(exchange.response, 200, {
    status: 'ok',
    version,
    config_hash: services.config.hash,
    providers: services.config.providers.length,
    models: services.config.models.length,
    circuits_not_closed: open,
    ...(services.cluster ? { cluster: services.cluster.status() } : {}),
  });
}

/**
 * GET /readyz: whether a load balancer should send this node new requests. 503 from the moment shutdown starts,
 * while the node still serves (server.shutdownDelayMs) and then drains; 200 otherwise, also in degraded-local mode
 * (Redis down), where the node keeps serving on its share of the budgets.
 */
export function readiness(services: Services, exchange: Exchange): void {
  const ready = services.readiness?.ready ?? true;
  sendJson(exchange.response, ready ? 200 : 503, { status: ready ? 'ready' : 'shutting_down' });
}
