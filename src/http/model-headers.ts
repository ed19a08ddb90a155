import type { RequestContext } from '../pipeline/request-context.js';
import { priorityHeader } from '../scheduling/priority.js';
import { aigcHeaderValue } from '../aigc/metadata.js';

/** The x-tidegate-* headers every model call carries (the cost is final only for non-streamed answers). */
export function modelCallHeaders(context: RequestContext): Record<string, string> {
  const headers: Record<string, string> = {
    'x-tidegate-request-id': context.id,
    // An episode groups multi-step work; without the request header a call is an episode of its own.
    'x-tidegate-episode-id': context.episodeId ?? context.id,
    'x-tidegate-cache': context.cacheStatus,
    'x-tidegate-route-reason': asHeaderValue(context.routeReason || 'not routed'),
  };
  if (context.served) {
    headers['x-tidegate-model'] = context.served.model.id;
    headers['x-tidegate-provider'] = context.served.provider.id;
  } else if (context.attempts.length > 0) {
    // Nothing served: the last model tried is the one whose answer (an error) the client gets.
    const last = context.attempts[context.attempts.length - 1]!;
    headers['x-tidegate-model'] = last.model;
    headers['x-tidegate-provider'] = last.provider;
  }
  if (context.cost) {
    headers['x-tidegate-cost-cny'] = context.cost.cny;
    if (context.cost.priced) headers['x-tidegate-tariff'] = context.cost.tariff;
  }
  if (context.cacheAgeMs !== undefined) headers['x-tidegate-cache-age'] = String(Math.floor(context.cacheAgeMs / 1000));
  if (context.cacheKind !== undefined) headers['x-tidegate-cache-kind'] = context.cacheKind;
  if (context.cacheSimilarity !== undefined) headers['x-tidegate-cache-similarity'] = context.cacheSimilarity.toFixed(3);
  if (context.replica !== undefined) headers['x-tidegate-replica'] = context.replica;
  if (context.attempts.length > 1) headers['x-tidegate-attempts'] = String(context.attempts.length);
  if (context.priority !== undefined) headers['x-tidegate-priority'] = priorityHeader(context.priority, context.priorityDowngradedFrom);
  if (context.queueMs !== undefined) headers['x-tidegate-queue-ms'] = String(context.queueMs);
  if (context.aigc) headers['x-tidegate-aigc'] = aigcHeaderValue(context.aigc);
  if (context.served?.model.filing) headers['x-tidegate-model-filing'] = asHeaderValue(context.served.model.filing);
  if (context.experiment) headers['x-tidegate-experiment'] = `${context.experiment.name}/${context.experiment.arm}`;
  if (context.warnings.length > 0) headers['x-tidegate-warning'] = asHeaderValue(context.warnings.join('; '));
  return headers;
}

/** Header values must be Latin-1 without line breaks; anything else is percent-encoded. */
function asHeaderValue(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(text) ? text : encodeURI(text.replace(/[\r\n]+/g, ' '));
}
