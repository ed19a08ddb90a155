import type { RequestLogRow } from '../storage/index.js';
import type { RequestContext } from './request-context.js';

/** The request-log row for a finished model call. Prompts and answers are never part of it. */
export function toLogRow(context: RequestContext, configHash: string): RequestLogRow {
  const usage = context.usage;
  return {
    id: context.id,
    created_at: context.startedAt,
    api_key_id: context.apiKeyId ?? null,
    endpoint: context.endpoint,
    model_requested: context.modelRequested,
    model_served: context.served?.model.id ?? null,
    provider: context.served?.provider.id ?? null,
    status: context.status,
    error_code: context.errorCode ?? null,
    stream: context.stream ? 1 : 0,
    attempts: context.attempts.length,
    fallback_used: context.attempts.length > 0 && context.attempts.at(-1)?.model !== context.attempts[0]?.model ? 1 : 0,
    latency_ms: context.elapsedMs(),
    first_byte_ms: context.firstByteMs ?? null,
    upstream_ms: context.upstreamMs ?? null,
    input_uncached_tokens: usage?.inputUncached ?? 0,
    cache_read_tokens: usage?.cacheRead ?? 0,
    cache_write_tokens: usage?.cacheWrite ?? 0,
    output_tokens: usage?.output ?? 0,
    reasoning_tokens: usage?.reasoning ?? 0,
    image_tokens: usage?.imageTokens ?? 0,
    usage_estimated: usage?.estimated ? 1 : 0,
    cost_nano_cny: context.cost?.nanoCny ?? 0,
    route_reason: context.routeReason || null,
    config_hash: configHash,
    client_ip: context.clientIp ?? null,
  };
}
