import type { Attributes } from '@opentelemetry/api';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { RequestLogRow } from '../storage/index.js';
import type { AttemptScope } from './attempt-scope.js';
import { genAiProviderName } from './provider-names.js';

const NANO = 1e9;

export function operationName(context: Pick<RequestContext, 'endpoint'>): string {
  return context.endpoint === 'embeddings' ? 'embeddings' : 'chat';
}

/** gen_ai.usage.*: input counts cached tokens too (as the conventions ask); cache and reasoning splits when present. */
export function usageAttributes(usage: NormalizedUsage | undefined): Attributes {
  if (!usage) return {};
  const attributes: Attributes = {
    'gen_ai.usage.input_tokens': usage.inputUncached + usage.cacheRead + usage.cacheWrite,
    'gen_ai.usage.output_tokens': usage.output,
  };
  if (usage.cacheRead > 0) attributes['gen_ai.usage.cache_read.input_tokens'] = usage.cacheRead;
  if (usage.cacheWrite > 0) attributes['gen_ai.usage.cache_creation.input_tokens'] = usage.cacheWrite;
  if (usage.reasoning > 0) attributes['gen_ai.usage.reasoning.output_tokens'] = usage.reasoning;
  return attributes;
}

/** What the upstream call asked (sampling parameters only) and answered (id, model, finish reasons): never content. */
export function exchangeAttributes(scope: AttemptScope | undefined): Attributes {
  if (!scope) return {};
  const attributes: Attributes = {};
  const params = scope.requestParams;
  if (params?.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = params.maxTokens;
  if (params?.temperature !== undefined) attributes['gen_ai.request.temperature'] = params.temperature;
  if (params?.topP !== undefined) attributes['gen_ai.request.top_p'] = params.topP;
  if (scope.responseId !== undefined) attributes['gen_ai.response.id'] = scope.responseId;
  if (scope.finishReasons.size > 0) attributes['gen_ai.response.finish_reasons'] = [...scope.finishReasons];
  return attributes;
}

/**
 * The SERVER span of one gateway request: GenAI attributes plus tidegate.* (route, tier, routing reason,
 * cache result, cost and savings in CNY, priority, request id). No key ids, user ids, prompts or answers.
 */
export function serverSpanAttributes(context: RequestContext, row: RequestLogRow, winner: AttemptScope | undefined): Attributes {
  const served = context.served;
  const attributes: Attributes = {
    'gen_ai.operation.name': operationName(context),
    'gen_ai.request.model': context.modelRequested.slice(0, 200),
    'http.response.status_code': context.status,
    'tidegate.request_id': context.id,
    'tidegate.cache': row.cacheStatus,
    'tidegate.attempts': row.attempts,
    'tidegate.fallback_used': row.fallbackUsed,
    'tidegate.stream': context.stream,
    'tidegate.cost_cny': row.costNanoCny / NANO,
    'tidegate.saved_cny': (row.flagshipCostNanoCny - row.costNanoCny) / NANO,
    ...exchangeAttributes(winner),
  };
  if (context.stream) attributes['gen_ai.request.stream'] = true;
  if (served) {
    const provider = genAiProviderName(served.provider.preset);
    attributes['gen_ai.provider.name'] = provider;
    attributes['gen_ai.system'] = provider; // the older attribute some backends still group by
    attributes['gen_ai.response.model'] = served.model.id;
    attributes['tidegate.provider'] = served.provider.id;
    attributes['tidegate.tier'] = served.model.tier;
  }
  if (context.route) attributes['tidegate.route'] = context.route.id;
  if (context.routeReason) attributes['tidegate.routing_reason'] = context.routeReason.slice(0, 500);
  if (row.flagshipModel) attributes['tidegate.flagship_model'] = row.flagshipModel;
  if (context.priority) attributes['tidegate.priority'] = context.priority;
  if (context.scenario) attributes['tidegate.scenario'] = context.scenario;
  if (context.firstByteMs !== undefined && context.stream) attributes['gen_ai.response.time_to_first_chunk'] = context.firstByteMs / 1000;
  if (context.errorCode) attributes['error.type'] = context.errorCode;
  Object.assign(attributes, usageAttributes(row.modelServed ? row.usage : undefined));
  return attributes;
}
