import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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
  server.on('clientError', answerClientError);
  return server;
}

/**
 * A request Node's parser refused before it reached a handler (headers over the limit, a malformed request line)
 * is answered in the same OpenAI error shape as every other error, rather than Node's bare status line; the
 * connection closes, since the parser cannot find where the next request starts.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const busy = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || busy) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n'); // as Node answers it: the client is gone or stalled
    return;
  }
  const gatewayError = parserError(error.code);
  const payload = JSON.stringify(gatewayError.toJSON());
  const reason = STATUS_CODES[gatewayError.status] ?? '';
  socket.end(
    `HTTP/1.1 ${gatewayError.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
  );
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
    const match = router.match(request.method ?? 'GET', pathname);
    if (match === undefined) throw new GatewayError('not_found', `No route ${request.method} ${pathname}.`);
    if (match === 'method') {
      const { methods, errorShape: shape } = router.methodsAt(pathname);
      errorShape = shape; // an Anthropic path answers a wrong method in Anthropic's envelope
      response.setHeader('allow', methods.join(', ')); // RFC 9110: a 405 says which methods the resource has
      throw new GatewayError('method_not_allowed', `${request.method} is not allowed on ${pathname}; use ${methods.join(', ')}.`);
    }
    errorShape = match.route.errorShape ?? 'openai';
    if (state.draining) throw new GatewayError('shutting_down', 'The gateway is shutting down; retry on another node.', { retryAfterMs: 1000 });
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
    if (context && aborter.signal.aborted) {
      // The client left before the answer: whatever the attempt then failed with is not the provider's failure.
      context.status = 499;
      context.errorCode = undefined;
    } else if (context) {
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

/** The catalogue error for one of Node's parser failures (the same statuses Node's default answer uses). */
function parserError(code: string | undefined): GatewayError {
  if (code === 'HPE_HEADER_OVERFLOW') return new GatewayError('headers_too_large', 'The request headers are larger than the server accepts; send fewer or shorter headers.');
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return new GatewayError('body_too_large', 'The chunk extensions of the request body are larger than the server accepts.');
  return new GatewayError('invalid_request', 'The request is not valid HTTP/1.1 and could not be parsed.');
}
