import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GatewayError, asGatewayError } from '../errors/catalogue.js';
import type { Services } from '../pipeline/services.js';
import { presentedKey, type Authenticator } from './auth.js';
import type { Exchange } from './exchange.js';
import { applyCors } from './cors.js';
import { modelCallHeaders } from './model-headers.js';
import { sendError } from './respond.js';
import type { Router } from './router.js';

export interface HttpServerState {
  /** Set when shutdown starts: new requests get 503 shutting_down. */
  draining: boolean;
  readonly inFlight: Set<Promise<void>>;
}

const PLAIN_PATH = /^\/[\w\-/]*$/;

/** The HTTP layer: route lookup → auth → handler → error rendering → ledger. */
export function createHttpServer(services: Services, router: Router, auth: Authenticator, state: HttpServerState): Server {
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (request, response) => {
    const done = handle(services, router, auth, state, request, response);
    state.inFlight.add(done);
    void done.finally(() => state.inFlight.delete(done));
  });
  server.headersTimeout = 60_000;
  return server;
}

async function handle(
  services: Services,
  router: Router,
  auth: Authenticator,
  state: HttpServerState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { cors } = services.config.server;
  if (cors && applyCors(cors, request, response)) return;
  const raw = request.url ?? '/';
  let parsed: URL | undefined;
  const url = () => (parsed ??= new URL(raw, 'http://gateway'));
  // A path with nothing to normalise is routed as it came; the WHATWG URL (~2 KB per request) is built only
  // for a query string, dot segments or escapes, or when a handler reads exchange.url.
  const pathname = PLAIN_PATH.test(raw) ? raw : url().pathname;
  const aborter = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) aborter.abort();
  });
  let exchange: Exchange | undefined;
  let errorShape: 'openai' | 'anthropic' = 'openai';
  try {
    if (state.draining) throw new GatewayError('shutting_down', 'The gateway is shutting down; retry on another node.', { retryAfterMs: 1000 });
    const match = router.match(request.method ?? 'GET', pathname);
    if (match === undefined) throw new GatewayError('not_found', `No route ${request.method} ${pathname}.`);
    if (match === 'method') throw new GatewayError('method_not_allowed', `${request.method} is not allowed on ${pathname}.`);
    errorShape = match.route.errorShape ?? 'openai';
    const principal = match.route.access === 'public' ? ({ kind: 'open' } as const) : await auth.authenticate(presentedKey(request.headers));
    if (match.route.access === 'admin' && principal.kind !== 'admin' && !(principal.kind === 'open' && auth.isOpen)) {
      throw new GatewayError('admin_key_required', 'This route needs the admin key (admin.key in the config or TIDEGATE_ADMIN_KEY).');
    }
    exchange = {
      request,
      response,
      get url() {
        return url();
      },
      params: match.params,
      principal,
      signal: aborter.signal,
    };
    await match.route.handler(services, exchange);
  } catch (thrown) {
    const error = asGatewayError(thrown);
    if (error.code === 'internal_error') services.logger.error('request failed', { path: pathname, error: String((thrown as Error)?.stack ?? thrown) });
    const context = exchange?.context;
    if (context) {
      context.status = error.status;
      context.errorCode = error.code;
    }
    if (!response.headersSent) sendError(response, error, context ? modelCallHeaders(context) : {}, errorShape);
    else if (!response.writableEnded) response.end();
    if (!request.complete) request.resume();
  } finally {
    const context = exchange?.context;
    if (context) {
      if (aborter.signal.aborted && context.status === 200) context.status = 499;
      context.reservation?.settle(context.cost?.nanoCny ?? 0);
      await services.ledger.record(context);
    }
  }
}
