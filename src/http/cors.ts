import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '../config/types.js';

/**
 * Headers a browser client may read: every x-tidegate-* response header (model-headers.ts sets them on model
 * calls, deferred-chat.ts the job's on a 202), Retry-After and a 202's Location. Kept in one list here;
 * test/http-edges checks it against those files so a new header cannot be left out.
 */
export const EXPOSED_HEADERS: readonly string[] = [
  'x-tidegate-request-id', 'x-tidegate-episode-id', 'x-tidegate-model', 'x-tidegate-provider', 'x-tidegate-model-filing',
  'x-tidegate-cost-cny', 'x-tidegate-tariff', 'x-tidegate-cache', 'x-tidegate-cache-age', 'x-tidegate-cache-kind',
  'x-tidegate-cache-similarity', 'x-tidegate-replica', 'x-tidegate-route-reason', 'x-tidegate-attempts',
  'x-tidegate-priority', 'x-tidegate-queue-ms', 'x-tidegate-aigc', 'x-tidegate-experiment', 'x-tidegate-warning',
  'x-tidegate-job-id', 'retry-after', 'location',
];
const EXPOSED = EXPOSED_HEADERS.join(', ');

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
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    ...(typeof asked === 'string' && asked !== '' ? { 'access-control-allow-headers': asked } : {}),
    'access-control-max-age': String(cors.maxAgeSeconds),
  }).end();
  return true;
}
