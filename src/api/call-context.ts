import { parseCacheDirective } from '../cache/exact-cache.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { RequestContext, type Endpoint } from '../pipeline/request-context.js';
import { episodeHeader } from '../flywheel/episode.js';

const scenarioPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The key a call is made with, as the request log and per-key state name it ('admin' for the admin key; none in open mode). */
export function callerKeyId(principal: Exchange['principal']): string | undefined {
  return principal.kind === 'key' ? principal.keyId : principal.kind === 'admin' ? 'admin' : undefined;
}

/** The context of a model call, with who called and the x-tidegate-* request headers read once. */
export function modelCallContext(exchange: Exchange, endpoint: Endpoint): RequestContext {
  const { principal, request } = exchange;
  const context = new RequestContext(endpoint, callerKeyId(principal), request.socket.remoteAddress);
  exchange.context = context;
  context.principal = principal;
  const scenario = request.headers['x-tidegate-scenario'];
  if (typeof scenario === 'string' && scenario !== '') {
    if (!scenarioPattern.test(scenario)) {
      throw new GatewayError('invalid_request', 'x-tidegate-scenario: use letters, digits, ".", "_" or "-" (at most 64).', { param: 'x-tidegate-scenario' });
    }
    context.scenario = scenario;
  }
  context.cacheDirective = parseCacheDirective(request.headers['x-tidegate-cache']);
  context.aigcLabelOff = String(request.headers['x-tidegate-aigc-label'] ?? '').toLowerCase() === 'off';
  const session = request.headers['x-tidegate-session'];
  if (typeof session === 'string' && session !== '') context.sessionId = session.slice(0, 200);
  context.episodeId = episodeHeader(request.headers['x-tidegate-episode-id']);
  const { traceparent, tracestate } = request.headers;
  if (typeof traceparent === 'string') context.traceparent = traceparent;
  if (typeof tracestate === 'string') context.tracestate = tracestate;
  return context;
}
