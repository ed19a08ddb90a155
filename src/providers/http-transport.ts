import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { GatewayError } from '../errors/catalogue.js';
import { collectBody } from '../http/collect-body.js';
import type { ProviderConfig } from '../config/types.js';
import type { PresetDefinition } from './preset.js';
import { currentAttempt } from '../telemetry/attempt-scope.js';

/**
 * Upstream HTTP on Node's own client (node:http / node:https): keep-alive pools, one per configured provider,
 * with the provider's connect, first-byte and idle timeouts. Node's client parses with the built-in C llhttp,
 * so the gateway loads no HTTP client package and compiles no WebAssembly parser (undici's costs ~20 MB of
 * module heap and a ~35 MB RSS spike when V8 tiers its parser up), at the same CPU per request.
 */
type HttpsModule = typeof import('node:https');
interface Pool { agent: http.Agent; request: typeof http.request }

const pools = new WeakMap<ProviderConfig, Pool>();
let httpsModule: Promise<HttpsModule> | undefined;

/** TLS is loaded only when a provider speaks https (the benchmark and self-hosted replicas often do not). */
async function poolFor(provider: ProviderConfig, protocol: string): Promise<Pool> {
  let pool = pools.get(provider);
  if (pool) return pool;
  const options = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 256, scheduling: 'lifo' as const };
  if (protocol === 'https:') {
    const https = await (httpsModule ??= import('node:https'));
    pool = pools.get(provider) ?? { agent: new https.Agent(options) as HttpsAgent, request: https.request as typeof http.request };
  } else {
    pool = { agent: new http.Agent(options), request: http.request };
  }
  pools.set(provider, pool);
  return pool;
}

interface Endpoint { readonly protocol: string; readonly hostname: string; readonly port: string; readonly path: string }

/** Parsed once per provider and path, not per request. */
const endpoints = new WeakMap<ProviderConfig, Map<string, Endpoint>>();

function endpointFor(provider: ProviderConfig, path: string): Endpoint {
  let byPath = endpoints.get(provider);
  if (!byPath) endpoints.set(provider, (byPath = new Map()));
  let endpoint = byPath.get(path);
  if (!endpoint) {
    const url = new URL(joinUrl(provider.baseUrl, path));
    // WHATWG URLs keep IPv6 hosts in brackets; Node's request options want them bare.
    endpoint = { protocol: url.protocol, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, path: url.pathname + url.search };
    byPath.set(path, endpoint);
  }
  return endpoint;
}

export function authHeaders(provider: ProviderConfig, preset: PresetDefinition): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...preset.headers, ...provider.headers };
  if (provider.apiKey) {
    if (preset.auth === 'x-api-key') headers['x-api-key'] = provider.apiKey;
    else headers.authorization = `Bearer ${provider.apiKey}`;
  }
  return headers;
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** Clients see the provider's id only: a base URL can carry credentials (user:password@, ?token=) and internal hosts. */
const providerName = (provider: ProviderConfig) => `provider ${provider.id}`;

function timeoutError(provider: ProviderConfig, phase: 'connect' | 'first-byte' | 'idle'): GatewayError {
  const name = providerName(provider);
  if (phase === 'connect') return new GatewayError('upstream_timeout', `${name}: connect timed out after ${provider.timeouts.connectMs} ms`);
  if (phase === 'first-byte') return new GatewayError('upstream_timeout', `${name}: no response within ${provider.timeouts.firstByteMs} ms`);
  return new GatewayError('upstream_timeout', `${name}: silent for more than ${provider.timeouts.idleMs} ms`);
}

function transportError(provider: ProviderConfig, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const name = providerName(provider);
  if (error instanceof Error && error.name === 'AbortError') {
    return new GatewayError('upstream_unavailable', `${name}: request aborted`, { cause: error });
  }
  const code = (error as { code?: string }).code;
  return new GatewayError('upstream_unavailable', `${name}: ${code ?? (error as Error).message ?? 'connection failed'}`, { cause: error });
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

/** POST a JSON body upstream with the provider's timeouts; connection failures become catalogue errors. */
export async function postJson(
  provider: ProviderConfig,
  preset: PresetDefinition,
  path: string,
  payload: string,
  signal: AbortSignal,
): Promise<TransportResponse> {
  const endpoint = endpointFor(provider, path);
  const pool = pools.get(provider) ?? (await poolFor(provider, endpoint.protocol));
  const headers = authHeaders(provider, preset);
  headers['content-length'] = String(Buffer.byteLength(payload));
  const attempt = currentAttempt(); // OpenTelemetry on: this call continues the attempt's CLIENT span
  if (attempt) {
    headers.traceparent = attempt.traceparent;
    attempt.address = endpoint.hostname;
    attempt.port = Number(endpoint.port) || (endpoint.protocol === 'https:' ? 443 : 80);
  }
  return new Promise<TransportResponse>((resolve, reject) => {
    // One socket timer: first the wait for the response headers, then the longest silence between two body chunks.
    let phase: 'first-byte' | 'idle' = 'first-byte';
    let response: IncomingMessage | undefined;
    const request = pool.request({ ...endpoint, method: 'POST', headers, agent: pool.agent, signal }, (incoming) => {
      response = incoming;
      phase = 'idle';
      request.setTimeout(provider.timeouts.idleMs);
      resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: incoming });
    });
    request.on('error', (error) => reject(transportError(provider, error)));
    request.on('timeout', () => {
      const error = timeoutError(provider, phase);
      if (response) response.destroy(error);
      else request.destroy(error);
    });
    request.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => request.destroy(timeoutError(provider, 'connect')), provider.timeouts.connectMs);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    // Node applies a request's timeout once its socket is connected, so it does not count the connect.
    request.setTimeout(provider.timeouts.firstByteMs);
    request.end(payload);
  });
}

/** Read a whole (non-streamed) body, mapping mid-body failures the same way. */
export async function readText(provider: ProviderConfig, body: IncomingMessage): Promise<string> {
  try {
    return (await collectBody(body)).toString('utf8');
  } catch (error) {
    throw transportError(provider, error);
  }
}

/** Iterate body bytes, mapping idle timeouts and resets to catalogue errors. */
export async function* readChunks(provider: ProviderConfig, body: IncomingMessage): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk as Uint8Array;
  } catch (error) {
    throw transportError(provider, error);
  }
}

export async function closeAgents(providers: readonly ProviderConfig[]): Promise<void> {
  for (const provider of providers) {
    pools.get(provider)?.agent.destroy();
    pools.delete(provider); // a gateway started again with the same config gets fresh pools
  }
}
