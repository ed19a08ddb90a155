import type { ChatRequest, ChatResponse } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import { responseAsEvents } from '../canonical/stream-replay.js';
import type { CachedAnswer } from '../cache/exact/store.js';
import type { RouteConfig } from '../config/types.js';
import type { ChatSink } from './chat-pipeline.js';
import type { RequestContext } from './request-context.js';
import type { Services } from './services.js';
import type { Target } from './targets.js';

/**
 * The cache stage before any provider call: the exact cache first, then (where opted in) the semantic
 * cache. On a hit the stored answer is sent and true is returned; on a miss the plans stay on the context
 * so the finished answer can be stored (remember()).
 */
export async function answerFromCache(services: Services, context: RequestContext, request: ChatRequest, primary: Target | undefined, route: RouteConfig | undefined, cascade: boolean, sink: ChatSink): Promise<boolean> {
  const plan = services.cache.plan(context.principal, context.endpoint, request, primary, route, context.cacheDirective, cascade);
  context.cachePlan = plan;
  if (plan.status === 'lookup') {
    const hit = await services.cache.get(plan);
    if (hit && primary) {
      replayCached(services, context, hit, primary, sink);
      return true;
    }
    context.cacheStatus = 'miss';
  }
  const semantic = services.semantic.plan(context.principal, context.endpoint, request, primary, route, context.scenario, context.cacheDirective, cascade);
  context.semanticPlan = semantic;
  if (semantic && primary) {
    const hit = await services.semantic.lookup(semantic);
    if (hit) {
      context.cacheKind = 'semantic';
      context.cacheSimilarity = hit.similarity;
      replayCached(services, context, hit.answer, primary, sink);
      return true;
    }
    context.cacheStatus = 'miss';
  }
  return false;
}

/** A cache hit: the stored answer, as JSON or as a stream, billed 0 (the cost avoided is recorded as savings). */
function replayCached(services: Services, context: RequestContext, hit: CachedAnswer, target: Target, sink: ChatSink): void {
  context.cacheStatus = 'hit';
  context.cacheKind ??= 'exact';
  context.cacheAgeMs = Math.max(0, Date.now() - hit.storedAt);
  context.served = { model: target.model, provider: target.provider };
  context.upstreamMs = 0;
  const cost = context.settleCacheHit(services.pricer, hit.usage);
  if (!context.stream) {
    sink.json(hit.response, hit.usage, cost);
    return;
  }
  context.markFirstByte();
  sink.open();
  for (const event of responseAsEvents(hit.response)) sink.event(event);
  sink.close(hit.usage, cost);
}

/** Whether a finished answer of this request would be stored (so a stream should be recorded). */
export function wantsAnswer(context: RequestContext): boolean {
  return context.cachePlan?.status === 'lookup' || context.semanticPlan !== undefined;
}

/** Stores a finished answer in the caches this request planned; only complete answers of the planned model are kept. */
export function remember(services: Services, context: RequestContext, response: ChatResponse | undefined, usage: NormalizedUsage): void {
  if (!response || !context.served) return;
  const answer: CachedAnswer = { response, usage, model: context.served.model.id, storedAt: Date.now() };
  if (context.cachePlan?.status === 'lookup') services.cache.put(context.cachePlan, answer);
  if (context.semanticPlan) services.semantic.store(context.semanticPlan, answer);
}
