import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { GatewayError } from '../errors/catalogue.js';
import type { ProviderConfig } from '../config/types.js';
import type { PresetDefinition } from './preset.js';

/** Pooled keep-alive connections, one agent per configured provider (its own timeouts). */
const agents = new WeakMap<ProviderConfig, Agent>();

function agentFor(provider: ProviderConfig): Agent {
  let agent = agents.get(provider);
  if (!agent) {
    agent = new Agent({
      connect: { timeout: provider.timeouts.connectMs },
      keepAliveTimeout: 30_000,
      connections: 256,
      pipelining: 1,
    });
    agents.set(provider, agent);
  }
  return agent;
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

function transportError(provider: ProviderConfig, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const name = `${provider.id} (${provider.baseUrl})`;
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new GatewayError('upstream_timeout', `${name}: no response within ${provider.timeouts.firstByteMs} ms`, { cause: error });
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new GatewayError('upstream_timeout', `${name}: silent for more than ${provider.timeouts.idleMs} ms`, { cause: error });
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError('upstream_timeout', `${name}: connect timed out after ${provider.timeouts.connectMs} ms`, { cause: error });
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new GatewayError('upstream_unavailable', `${name}: request aborted`, { cause: error });
  }
  const code = (error as { code?: string }).code;
  return new GatewayError('upstream_unavailable', `${name}: ${code ?? (error as Error).message ?? 'connection failed'}`, { cause: error });
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/** POST a JSON body upstream with the provider's timeouts; connection failures become catalogue errors. */
export async function postJson(
  provider: ProviderConfig,
  preset: PresetDefinition,
  path: string,
  payload: string,
  signal: AbortSignal,
): Promise<TransportResponse> {
  try {
    const response = await request(joinUrl(provider.baseUrl, path), {
      method: 'POST',
      headers: authHeaders(provider, preset),
      body: payload,
      signal,
      dispatcher: agentFor(provider),
      headersTimeout: provider.timeouts.firstByteMs,
      bodyTimeout: provider.timeouts.idleMs,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    throw transportError(provider, error);
  }
}

/** Read a whole (non-streamed) body, mapping mid-body failures the same way. */
export async function readText(provider: ProviderConfig, body: TransportResponse['body']): Promise<string> {
  try {
    return await body.text();
  } catch (error) {
    throw transportError(provider, error);
  }
}

/** Iterate body bytes, mapping idle timeouts and resets to catalogue errors. */
export async function* readChunks(provider: ProviderConfig, body: TransportResponse['body']): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk as Uint8Array;
  } catch (error) {
    throw transportError(provider, error);
  }
}

export async function closeAgents(providers: readonly ProviderConfig[]): Promise<void> {
  await Promise.all(
    providers.map((provider) => {
      const agent = agents.get(provider);
      agents.delete(provider); // a gateway started again with the same config gets fresh pools
      return agent?.close();
    }),
  );
}
