import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/types.js';

/** Headers a browser client may read: the request id, what served it, what it cost, and why. */
const EXPOSED = [
  'x-tidegate-request-id', 'x-tidegate-model', 'x-tidegate-provider', 'x-tidegate-cost-cny', 'x-tidegate-cache',
  'x-tidegate-route-reason', 'x-tidegate-tariff', 'x-tidegate-attempts', 'x-tidegate-warning', 'x-tidegate-episode-id',
  'x-tidegate-experiment', 'retry-after',
].join(', ');

type Cors = NonNullable<GatewayConfig['server']['cors']>;

/**
 * CORS for browser clients, when `server.cors` lists origins. A request from an allowed origin gets
 * Access-Control-Allow-Origin (its own origin, so `Vary: Origin`) and the x-tidegate-* headers exposed; a
 * preflight (OPTIONS with Access-Control-Request-Method) is answered here with 204, before routing and auth,
 * allowing the headers the browser asked for (Authorization among them: a `*` in Allow-Headers would not
 * cover it). Another origin gets no CORS headers, so the browser refuses the answer. Returns true when the
 * request was a preflight and has been answered.
 */
export function applyCors(cors: Cors, request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (typeof origin !== 'string' || !(cors.origins.includes('*') || cors.origins.includes(origin))) {
    if (!preflight) return false;
    response.writeHead(204, { vary: 'Origin' }).end();
    return true;
  }
  response.setHeader('access-control-allow-origin', origin);
  response.setHeader('vary', 'Origin');
  if (!preflight) {
    response.setHeader('access-control-expose-headers', EXPOSED);
    return false;
  }
  const asked = request.headers['access-control-request-headers'];
  response.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    ...(typeof asked === 'string' && asked !== '' ? { 'access-control-allow-headers': asked } : {}),
    'access-control-max-age': String(cors.maxAgeSeconds),
  }).end();
  return true;
}
