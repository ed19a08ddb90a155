import { zeroUsage } from '../canonical/usage.js';
import type { RequestLogRow } from '../storage/index.js';
import type { RequestContext } from './request-context.js';

/** The request-log row for a finished model call. Prompts and answers are never part of it. */
export function toLogRow(context: RequestContext, configHash: string): RequestLogRow {
  const first = context.attempts[0]?.model;
  return {
    id: context.id,
    createdAt: context.startedAt,
    apiKeyId: context.apiKeyId ?? null,
    endpoint: context.endpoint,
    modelRequested: context.modelRequested,
    modelServed: context.served?.model.id ?? null,
    provider: context.served?.provider.id ?? null,
    status: context.status,
    errorCode: context.errorCode ?? null,
    stream: context.stream,
    attempts: context.attempts.length,
    fallbackUsed: context.served !== undefined && first !== undefined && context.served.model.id !== first,
    latencyMs: context.elapsedMs(),
    firstByteMs: context.firstByteMs ?? null,
    upstreamMs: context.upstreamMs ?? null,
    usage: context.usage ?? zeroUsage,
    costNanoCny: context.cost?.nanoCny ?? 0,
    routeReason: [context.routeReason, context.replica ? `replica ${context.replica}` : '', context.privacyFindings ? `privacy ${context.privacyFindings}` : ''].filter(Boolean).join('; ') || null,
    configHash,
    clientIp: context.clientIp ?? null,
    priceVersion: context.cost?.priceSince && context.served ? `${context.served.model.id}@${context.cost.priceSince}` : null,
    tariff: context.cost?.priced ? context.cost.tariff : null,
    usdToCny: context.cost?.usdToCny ?? null,
    tier: context.served?.model.tier ?? null,
    scenario: context.scenario ?? null,
    flagshipModel: context.flagship?.model ?? null,
    flagshipCostNanoCny: context.flagship?.cost.nanoCny ?? 0,
    cacheStatus: context.cacheKind === 'semantic' ? 'semantic-hit' : context.cacheStatus,
    cacheSavedNanoCny: context.cacheSavedNanoCny,
    providerCacheSavedNanoCny: context.providerCacheSavedNanoCny,
    priority: context.priority ?? null,
    priorityRequested: context.priorityDowngradedFrom ?? null,
    queueMs: context.queueMs ?? null,
  };
}
